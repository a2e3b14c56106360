"""Who may read and re-run a validation report: the resource's readers, and its editors."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict


def _resource(data_dict: DataDict) -> model.Resource:
    resource = model.Resource.get(str(data_dict.get("id") or ""))
    if resource is None:
        raise tk.ObjectNotFound(tk._("Resource not found"))
    return resource


def _require_readable(context: Context, resource: model.Resource) -> None:
    """A resource of a dataset the user may not read is, for them, a missing resource."""
    try:
        tk.check_access("resource_show", context, {"id": resource.id})
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound(tk._("Resource not found")) from None


@tk.auth_allow_anonymous_access
def tgn_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who may see the resource (so never a private dataset's, unless a member)."""
    resource = _resource(data_dict)
    try:
        _require_readable(context, resource)
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("You may not see this resource.")}
    return {"success": True}


@tk.auth_allow_anonymous_access  # refused below, once a missing resource is told apart
def tgn_validation_run(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may edit the dataset: its organisation's editors and admins, and staff."""
    resource = _resource(data_dict)
    try:
        _require_readable(context, resource)
        tk.check_access("package_update", context, {"id": resource.package_id})
    except tk.NotAuthorized:
        return {
            "success": False,
            "msg": tk._("Only the editors of this dataset's organisation may run its validation."),
        }
    return {"success": True}


@tk.auth_allow_anonymous_access
def tgn_validation_checked_count(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: a count over public datasets only, which tells nothing private."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def tgn_validation_statuses(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the action answers only for the datasets the caller may read."""
    return {"success": True}
