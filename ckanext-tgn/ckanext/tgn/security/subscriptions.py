"""Reactions to the actions that change who may read a dataset."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from . import activity

# Every action after which a dataset may be readable by fewer (or more) people: saves (the
# resource actions and package_patch end in package_update), deletion, bulk privacy and
# deletion (which fire no dataset hook), a move to another organisation.
CHANGES_READERS = (
    "package_update",
    "package_delete",
    "bulk_update_private",
    "bulk_update_public",
    "bulk_update_delete",
    "package_owner_org_update",
)


def readers_changed(sender: str, **kwargs: Any) -> None:
    context = kwargs.get("context") or {}
    if sender == "package_owner_org_update" and context.get("defer_commit"):
        return  # called by package_create/update, whose own signal follows
    result = kwargs.get("result")
    if isinstance(result, dict) and isinstance(result.get("id"), str):
        refs = [result["id"]]
    else:
        refs = activity.dataset_refs(kwargs.get("data_dict") or {})
    # Bulk actions change the package table by SQL: the session's copy may be stale.
    changed = activity.sync_named(refs, reread=sender.startswith("bulk_"))
    if changed and not context.get("defer_commit"):
        model.Session.commit()


def get_subscriptions() -> SignalMapping:
    return {
        tk.signals.action_succeeded: [
            {"sender": name, "receiver": readers_changed} for name in CHANGES_READERS
        ]
    }
