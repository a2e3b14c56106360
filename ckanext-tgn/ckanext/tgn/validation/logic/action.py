"""The validation report through the API: read it, or ask for a new run."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.tgn.validation import messages, queue
from ckanext.tgn.validation.reports import ValidationReport, schema_url_of


@tk.side_effect_free
def tgn_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The latest validation report of a resource, worded in the request's language.

    :param id: the resource's id
    :type id: string
    :returns: status ("en attente", "en cours", "valide", "invalide", "erreur"), timestamps,
        ``error_count`` (exact up to the error limit; ``truncated`` when reached), ``counts``
        by error type, ``errors`` (row, column, value, French ``message``), ``warnings``,
        ``unchecked`` custom checks, ``info`` (format, encoding, separator, rows) and, for
        "erreur", ``message_text``.
    :rtype: dictionary
    """
    tk.check_access("tgn_validation_show", context, data_dict)
    report = ValidationReport.get(str(data_dict.get("id")))
    if report is None:
        raise tk.ObjectNotFound(tk._("This resource has not been validated."))
    return messages.worded(report.as_dict())


def tgn_validation_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Queue a new validation of a resource that follows a Table Schema.

    :param id: the resource's id
    :type id: string
    :returns: the report, now "en attente"
    :rtype: dictionary
    """
    tk.check_access("tgn_validation_run", context, data_dict)
    resource = model.Resource.get(str(data_dict.get("id")))
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(tk._("Resource not found"))
    schema_url = schema_url_of(resource)
    if not schema_url:
        raise tk.ValidationError(
            {
                "conforms_to": [
                    tk._(
                        "This resource has no data schema: choose its schema in the resource "
                        "form, then run the validation."
                    )
                ]
            }
        )
    report = queue.request(resource, schema_url)
    model.Session.commit()
    return messages.worded(report.as_dict())
