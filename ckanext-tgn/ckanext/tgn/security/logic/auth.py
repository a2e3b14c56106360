"""Who may not read a dataset is told it does not exist.

CKAN answers 403 "not authorized to read package <uuid>" for a private, draft or deleted
dataset: that confirms the name and gives away the id. Each auth function below runs before
CKAN's own, finds the dataset the request is about, and raises NotFound (the error of a name
that never existed) when the user may not read it; otherwise CKAN's own function decides, so
someone who may read the dataset still gets 403 for what they may not do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, ChainedAuthFunction, Context, DataDict

Locate = Callable[[DataDict], "model.Package | None"]


def _package(key: str) -> Locate:
    def locate(data_dict: DataDict) -> model.Package | None:
        ref = data_dict.get(key)
        return model.Package.get(ref) if isinstance(ref, str) and ref else None

    return locate


def _resource_package(key: str) -> Locate:
    def locate(data_dict: DataDict) -> model.Package | None:
        ref = data_dict.get(key)
        resource = model.Resource.get(ref) if isinstance(ref, str) and ref else None
        return model.Package.get(resource.package_id) if resource else None

    return locate


def _view_package(data_dict: DataDict) -> model.Package | None:
    ref = data_dict.get("id")
    view = model.ResourceView.get(ref) if isinstance(ref, str) and ref else None
    return _resource_package("id")({"id": view.resource_id}) if view else None


# Every auth function of CKAN 2.11 (and its activity plugin) about one dataset, with where
# its data dict names the dataset.
_BY_ID = _package("id")
_BY_RESOURCE_ID = _resource_package("id")
GUARDED: dict[str, Locate] = {
    "package_show": _BY_ID,
    "package_update": _BY_ID,
    "package_patch": _BY_ID,
    "package_delete": _BY_ID,
    "package_owner_org_update": _BY_ID,
    "package_resource_reorder": _BY_ID,
    "package_relationships_list": _BY_ID,
    "package_collaborator_list": _BY_ID,
    "package_collaborator_create": _BY_ID,
    "package_collaborator_delete": _BY_ID,
    "dataset_purge": _BY_ID,
    "dataset_follower_list": _BY_ID,
    "dataset_follower_count": _BY_ID,
    "follow_dataset": _BY_ID,
    "unfollow_dataset": _BY_ID,
    "am_following_dataset": _BY_ID,
    "resource_create": _package("package_id"),
    "resource_show": _BY_RESOURCE_ID,
    "resource_update": _BY_RESOURCE_ID,
    "resource_patch": _BY_RESOURCE_ID,
    "resource_delete": _BY_RESOURCE_ID,
    "resource_view_list": _BY_RESOURCE_ID,
    "resource_view_reorder": _BY_RESOURCE_ID,
    "resource_view_create": _resource_package("resource_id"),
    "resource_view_show": _view_package,
    "resource_view_update": _view_package,
    "resource_view_delete": _view_package,
}
# Auth functions of plugins we load, guarded when their plugin is loaded.
GUARDED_WITH_PLUGIN: dict[str, tuple[str, Locate]] = {
    "package_activity_list": ("activity", _BY_ID),
}


def may_read(context: Context, package: model.Package) -> bool:
    """Whether the user of this request may read the dataset, as CKAN decides it."""
    reader: Context = {"user": context.get("user", ""), "model": model}
    if "auth_user_obj" in context:
        reader["auth_user_obj"] = context["auth_user_obj"]
    try:
        tk.check_access("package_show", reader, {"id": package.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _guard(name: str, locate: Locate) -> ChainedAuthFunction:
    @tk.chained_auth_function
    @tk.auth_allow_anonymous_access
    def guarded(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
        data = data_dict or {}
        package = locate(data)
        if name == "package_show":
            # The reference decision: CKAN's own, with "no" said as "not found".
            if package is not None and not _allowed(next_auth, context, data):
                raise tk.ObjectNotFound()
        elif package is not None and not may_read(context, package):
            raise tk.ObjectNotFound()
        if not _allowed_anonymous(next_auth, context):
            return {"success": False, "msg": f"Action {name} requires an authenticated user"}
        return next_auth(context, data)

    guarded.__name__ = name
    return guarded


def _allowed_anonymous(next_auth: AuthFunction, context: Context) -> bool:
    """CKAN refuses anonymous users before calling an auth function not marked for them;
    ours is marked (it must answer "not found" to them too), so it says the refusal."""
    return bool(getattr(next_auth, "auth_allow_anonymous_access", False)) or bool(
        context.get("auth_user_obj")
    )


def _allowed(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> bool:
    if not _allowed_anonymous(next_auth, context):
        return False
    return bool(next_auth(context, data_dict).get("success"))


def auth_functions() -> dict[str, Any]:
    guarded = {name: _guard(name, locate) for name, locate in GUARDED.items()}
    for name, (plugin, locate) in GUARDED_WITH_PLUGIN.items():
        if p.plugin_loaded(plugin):
            guarded[name] = _guard(name, locate)
    return guarded
