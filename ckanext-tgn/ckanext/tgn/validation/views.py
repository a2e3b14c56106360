"""The "re-run the validation" button of the resource page."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint
from werkzeug.wrappers.response import Response

validation = Blueprint("tgn_validation", __name__)


@validation.route("/dataset/<id>/resource/<resource_id>/validation", methods=["POST"])
def run(id: str, resource_id: str) -> Response:
    """Queue a new validation and come back to the resource page with a French notice."""
    context: Context = {"user": tk.g.user}
    try:
        tk.get_action("tgn_validation_run")(context, {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(
            403, tk._("Only the editors of this dataset's organisation may run its validation.")
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.ValidationError as e:
        for messages in e.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(message)
    else:
        tk.h.flash_success(
            tk._("Validation queued: the report appears here in a few moments (reload the page).")
        )
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)


def get_blueprints() -> list[Blueprint]:
    return [validation]
