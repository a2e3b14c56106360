"""The validation report through the API: read it, or ask for a new run."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.tgn.lib.table_schemas import schema_url_of
from ckanext.tgn.validation import messages, queue
from ckanext.tgn.validation.engine.status import INVALID, VALID
from ckanext.tgn.validation.reports import ValidationReport


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


@tk.side_effect_free
def tgn_validation_checked_count(context: Context, data_dict: DataDict) -> dict[str, int]:
    """How many tables of public datasets the platform has checked, for the home page.

    Only the active files of active, public datasets of type ``dataset`` count, and only
    those whose check ended with a verdict (valid or invalid).

    :returns: ``checked`` (tables with a verdict) and ``valid`` (of which valid)
    :rtype: dictionary
    """
    tk.check_access("tgn_validation_checked_count", context, data_dict)
    rows = (
        model.Session.query(ValidationReport.status, sa.func.count())
        .join(model.Resource, model.Resource.id == ValidationReport.resource_id)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .filter(model.Package.state == "active")
        .filter(model.Package.private.is_(False))
        .filter(model.Package.type == "dataset")
        .filter(model.Resource.state == "active")
        .filter(ValidationReport.status.in_([VALID, INVALID]))
        .group_by(ValidationReport.status)
    )
    counts = dict(rows.all())
    return {"checked": sum(counts.values()), "valid": counts.get(VALID, 0)}


# The most datasets one call of tgn_validation_statuses may ask about (a site's catalogue).
MAX_STATUS_IDS = 20000


@tk.side_effect_free
def tgn_validation_statuses(context: Context, data_dict: DataDict) -> dict[str, str]:
    """The validation status of each file of some datasets, in one query (dashboards).

    Only datasets the caller may read answer: public ones, and private ones of the caller's
    organisations (all, for staff).

    :param ids: dataset ids
    :type ids: list of strings
    :returns: resource id -> status ("en attente", "en cours", "valide", "invalide",
        "erreur"); a file never validated, or of a dataset the caller may not read, is absent
    :rtype: dictionary
    """
    tk.check_access("tgn_validation_statuses", context, data_dict)
    ids = [str(i) for i in data_dict.get("ids") or []]
    if not ids:
        return {}
    if len(ids) > MAX_STATUS_IDS:
        raise tk.ValidationError(
            {"ids": [tk._("At most {count} datasets at once.").format(count=MAX_STATUS_IDS)]}
        )
    rows = (
        model.Session.query(ValidationReport.resource_id, ValidationReport.status)
        .join(model.Package, model.Package.id == ValidationReport.package_id)
        .join(model.Resource, model.Resource.id == ValidationReport.resource_id)
        .filter(ValidationReport.package_id.in_(ids), model.Package.state == "active")
        .filter(model.Resource.state == "active")
    )
    user = model.User.get(str(context.get("user") or ""))
    if not (user and user.sysadmin):
        mine = user.get_group_ids(group_type="organization") if user else []
        rows = rows.filter(
            sa.or_(model.Package.private.is_(False), model.Package.owner_org.in_(mine))
        )
    return dict(rows.all())
