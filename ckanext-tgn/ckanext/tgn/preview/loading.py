"""When a table goes into the DataStore, and when its preview goes away."""

from __future__ import annotations

import logging

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.tgn.lib import signals
from ckanext.tgn.lib.context import site_user_context
from ckanext.tgn.lib.table_schemas import schema_url_of

log = logging.getLogger(__name__)


def _validation_status(resource_id: str) -> str | None:
    """The table's report status, or None when it has none yet."""
    try:
        report = tk.get_action("tgn_validation_show")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        return None
    return report.get("status")


def may_load(resource_id: str) -> bool:
    """xloader's question: may this resource be loaded now?

    An upload without a schema: yes. With a schema: once its report says valid (a new file
    resets the report, so the old verdict never lets a new file in). A link: never.
    """
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active" or resource.url_type != "upload":
        return False
    if not schema_url_of(resource) or not p.plugin_loaded("tgn_validation"):
        return True
    return _validation_status(resource_id) == signals.VALID


def on_validation_finished(resource_id: str, status: str = "", **_: object) -> None:
    """A table was checked: load it when valid, drop the stale preview when not."""
    model.Session.expire_all()
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        return
    if status == signals.VALID:
        _submit(resource_id)
    elif status == signals.INVALID:
        _drop_preview(resource_id)


def _submit(resource_id: str) -> None:
    try:
        tk.get_action("xloader_submit")(
            site_user_context(),
            {"resource_id": resource_id, "ignore_hash": True},
        )
    except Exception:  # the report is stored; a failed submit must not undo it
        log.exception("Could not submit resource %s to xloader", resource_id)


def _drop_preview(resource_id: str) -> None:
    """The rows of a previous file are not this file's: no preview of a table found invalid."""
    context = site_user_context()
    try:
        tk.get_action("datastore_delete")(context, {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        return
    log.info("DataStore table of %s dropped: its new file is invalid", resource_id)
