"""Tabular validation of resources against the national Table Schemas."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from sqlalchemy import event

from ckanext.tgn.lib.i18n import TgnTranslation
from ckanext.tgn.validation import queue


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class TgnValidationPlugin(p.SingletonPlugin, TgnTranslation):
    """Background frictionless validation, its reports, badges and publication policy."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    # IConfigurable
    def configure(self, config: tk.CKANConfig) -> None:
        # Jobs leave for Redis only once the transaction that asked for them commits.
        if not event.contains(model.Session, "after_commit", queue.enqueue_committed):
            event.listen(model.Session, "after_commit", queue.enqueue_committed)
            event.listen(model.Session, "after_rollback", queue.forget_jobs)

    # IPackageController: every path that changes resources ends in a dataset save
    # (resource_create/update/delete call package_update), so one hook sees them all.
    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            queue.sync_package(pkg_dict["id"])

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            queue.sync_package(pkg_dict["id"])
