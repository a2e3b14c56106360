"""Harvest sources and jobs are the staff's: sysadmins only, whatever ckanext-harvest allows.

Stock ckanext-harvest lets any organisation editor create a source (it only asks for
``package_create``) and run its jobs; here sources come only from reviewed files, so every
action that creates, changes, runs or clears a source or a job is refused to everyone but
sysadmins (who bypass auth functions). ``package_create``/``update``/``patch``/``delete`` of
the ``harvest`` type are refused too: ckanext-harvest's own actions are thin wrappers around
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

HARVEST_TYPE = "harvest"
# ckanext-harvest 1.6.3's auth functions that change sources, jobs or objects.
MANAGING = (
    "harvest_source_create",
    "harvest_source_update",
    "harvest_source_patch",
    "harvest_source_delete",
    "harvest_source_clear",
    "harvest_sources_clear",
    "harvest_source_reindex",
    "harvest_sources_reindex",
    "harvest_job_create",
    "harvest_job_create_all",
    "harvest_job_abort",
    "harvest_jobs_run",
    "harvest_send_job_to_gather_queue",
    "harvest_objects_import",
    "harvest_object_create",
    # A harvest object holds the raw record, withdrawn (private) datasets' included, and
    # /dataset/harvest_object/<id> serves it to anyone in stock ckanext-harvest.
    "harvest_object_show",
    "harvest_object_list",
)


def _staff_only(context: Context, data_dict: DataDict | None) -> AuthResult:
    return {
        "success": False,
        "msg": tk._(
            "Only the platform staff manage harvest sources (declared in harvest_configs/)."
        ),
    }


def _refuse(name: str) -> Callable[..., AuthResult]:
    @tk.chained_auth_function
    def refuse(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
        return _staff_only(context, data_dict)

    refuse.__name__ = name
    return refuse


def _is_harvest_source(data_dict: DataDict | None) -> bool:
    data = data_dict or {}
    if data.get("type") == HARVEST_TYPE:
        return True
    ref = data.get("id") or data.get("name")
    if not ref:
        return False
    pkg = model.Package.get(str(ref))
    return pkg is not None and pkg.type == HARVEST_TYPE


def _guard_package(name: str) -> Callable[..., AuthResult]:
    @tk.chained_auth_function
    def guard(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
        if _is_harvest_source(data_dict):
            return _staff_only(context, data_dict)
        return next_auth(context, data_dict)

    guard.__name__ = name
    return guard


def _guard_bulk(name: str) -> Callable[..., AuthResult]:
    """The organisation bulk actions take dataset ids: a harvest source among them is
    refused (an organisation admin could otherwise delete or hide it)."""

    @tk.chained_auth_function
    def guard(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
        ids = (data_dict or {}).get("datasets") or []
        if any(_is_harvest_source({"id": ref}) for ref in ids if isinstance(ref, str)):
            return _staff_only(context, data_dict)
        return next_auth(context, data_dict)

    guard.__name__ = name
    return guard


def tgn_harvest_sync(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (who bypass this function) register sources from the files."""
    return _staff_only(context, data_dict)


def tgn_harvest_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Job reports quote partners' servers and errors: staff only."""
    return _staff_only(context, data_dict)


def auth_functions() -> dict[str, Callable[..., AuthResult]]:
    functions: dict[str, Callable[..., AuthResult]] = {name: _refuse(name) for name in MANAGING}
    for name in ("package_create", "package_update", "package_patch", "package_delete"):
        functions[name] = _guard_package(name)
    for name in ("bulk_update_delete", "bulk_update_private", "bulk_update_public"):
        functions[name] = _guard_bulk(name)
    functions["tgn_harvest_sync"] = tgn_harvest_sync
    functions["tgn_harvest_status"] = tgn_harvest_status
    return functions
