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


# What CKAN answers for a dataset or resource that never existed, action by action (each
# action looks the object up at its own moment, with its own message). A refusal raises it.
Refusal = Callable[[str, AuthFunction, Context, DataDict], AuthResult]
NEVER_ID = "00000000-0000-0000-0000-000000000000"


def _not_found(message: str | None = None, translate: bool = True) -> Refusal:
    """The action looks the object up before its auth function: its NotFound."""

    def refuse(
        name: str, next_auth: AuthFunction, context: Context, data_dict: DataDict
    ) -> AuthResult:
        if message is None:
            raise tk.ObjectNotFound()
        raise tk.ObjectNotFound(tk._(message) if translate else message)

    return refuse


def _after_auth(key: str, error: Callable[[], Exception]) -> Refusal:
    """The action calls its auth function first, then fails to find the object: the auth
    function's verdict on an object that does not exist, then the action's error."""

    def refuse(
        name: str, next_auth: AuthFunction, context: Context, data_dict: DataDict
    ) -> AuthResult:
        verdict = _verdict(name, next_auth, context, {**data_dict, key: NEVER_ID})
        if not verdict.get("success"):
            return verdict
        raise error()

    return refuse


def _invalid_dataset() -> Exception:
    return tk.ValidationError({"id": [f"{tk._('Not found')}: {tk._('Dataset')}"]})


def _invalid_unfollow() -> Exception:
    return tk.ValidationError(tk._("Error validating the schema of the object to unfollow."))


_BY_ID = _package("id")
_BY_RESOURCE_ID = _resource_package("id")
# Every auth function of CKAN 2.11 (and its activity plugin) about one dataset that would
# otherwise tell an unreadable dataset from a missing one: where its data dict names the
# dataset, and the answer for a missing one. Those that answer both alike (follower list,
# owner_org update: refused before any lookup) need no guard, nor those whose CKAN auth asks
# package_show's (resource_show, resource_view_list).
GUARDED: dict[str, tuple[Locate, Refusal]] = {
    "package_show": (_BY_ID, _not_found()),
    "package_update": (_BY_ID, _not_found("Package was not found.")),
    "package_patch": (_BY_ID, _not_found()),
    "package_delete": (_BY_ID, _not_found()),
    "package_resource_reorder": (_BY_ID, _not_found()),
    "package_relationships_list": (
        _BY_ID,
        _not_found("First package named in request was not found.", translate=False),
    ),
    "package_collaborator_list": (_BY_ID, _not_found("Package not found")),
    "package_collaborator_create": (_BY_ID, _not_found("Dataset not found")),
    "package_collaborator_delete": (_BY_ID, _not_found("Package not found")),
    "dataset_purge": (_BY_ID, _not_found("Dataset was not found", translate=False)),
    "dataset_follower_count": (_BY_ID, _after_auth("id", _invalid_dataset)),
    "am_following_dataset": (_BY_ID, _after_auth("id", _invalid_dataset)),
    "follow_dataset": (_BY_ID, _after_auth("id", tk.ObjectNotFound)),
    "unfollow_dataset": (_BY_ID, _after_auth("id", _invalid_unfollow)),
    "resource_create": (_package("package_id"), _not_found()),
    "resource_update": (_BY_RESOURCE_ID, _not_found("Resource was not found.", translate=False)),
    "resource_patch": (_BY_RESOURCE_ID, _not_found()),
    "resource_delete": (_BY_RESOURCE_ID, _not_found()),
    "resource_view_reorder": (
        _BY_RESOURCE_ID,
        _not_found("Resource was not found.", translate=False),
    ),
    "resource_view_create": (_resource_package("resource_id"), _not_found()),
    "resource_view_show": (
        _view_package,
        _not_found("Resource view not found, cannot check auth."),
    ),
    "resource_view_update": (_view_package, _not_found()),
    "resource_view_delete": (_view_package, _not_found()),
}
# Auth functions of plugins we load, guarded when their plugin is loaded.
GUARDED_WITH_PLUGIN: dict[str, tuple[str, Locate, Refusal]] = {
    "package_activity_list": ("activity", _BY_ID, _not_found()),
}
# CKAN answers 500 for these with a dataset that does not exist (their auth function looks
# it up unguarded): here a missing dataset gets the action's own "not found".
MISSING_TOO = frozenset({"package_collaborator_create", "package_collaborator_delete"})


def may_read(context: Context, package: model.Package) -> bool:
    """Whether the user of this request may read the dataset, as CKAN decides it."""
    try:
        tk.check_access("package_show", tk.fresh_context(context), {"id": package.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _guard(name: str, locate: Locate, refuse: Refusal) -> ChainedAuthFunction:
    @tk.chained_auth_function
    @tk.auth_allow_anonymous_access
    def guarded(
        next_auth: AuthFunction, context: Context, data_dict: DataDict | None
    ) -> AuthResult:
        data = data_dict or {}
        package = locate(data)
        if package is None:
            if name in MISSING_TOO:
                return refuse(name, next_auth, context, data)
        elif name == "package_show":
            # The reference decision: CKAN's own, with "no" said as "not found".
            verdict = _verdict(name, next_auth, context, data)
            return verdict if verdict.get("success") else refuse(name, next_auth, context, data)
        elif not may_read(context, package):
            return refuse(name, next_auth, context, data)
        return _verdict(name, next_auth, context, data)

    guarded.__name__ = name
    return guarded


def _verdict(
    name: str, next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """CKAN's own decision. CKAN refuses anonymous users before calling an auth function
    not marked for them; ours is marked (it must answer "not found" to them too), so it
    says that refusal itself."""
    if not getattr(next_auth, "auth_allow_anonymous_access", False) and not context.get(
        "auth_user_obj"
    ):
        return {"success": False, "msg": f"Action {name} requires an authenticated user"}
    return next_auth(context, data_dict)


def auth_functions() -> dict[str, Any]:
    guarded = {name: _guard(name, *guard) for name, guard in GUARDED.items()}
    for name, (plugin, locate, refuse) in GUARDED_WITH_PLUGIN.items():
        if p.plugin_loaded(plugin):
            guarded[name] = _guard(name, locate, refuse)
    return guarded
