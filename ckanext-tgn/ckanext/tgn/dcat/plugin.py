"""DCAT export toward data.gouv.fr: the French DCAT-AP 3 profile and catalog endpoints."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from sqlalchemy import event

from ckanext.tgn.lib.i18n import TgnTranslation

from . import jobs


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class TgnDcatPlugin(p.SingletonPlugin, TgnTranslation):
    """Site, per-organisation and per-dataset catalogs with the tgn_dcat_ap profile, built
    from per-dataset fragments rendered ahead (store.py says why they are never stale).

    Listed before ``dcat`` in ``ckan.plugins`` so that its routes answer first.
    """

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    # IConfigurable
    def configure(self, config: tk.CKANConfig) -> None:
        if not event.contains(model.Session, "after_commit", jobs.enqueue_committed):
            event.listen(model.Session, "after_commit", jobs.enqueue_committed)
            event.listen(model.Session, "after_rollback", jobs.forget)

    # IPackageController: render ahead of the next crawl (a page would render it anyway)
    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            jobs.ask(pkg_dict["id"])

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("id"):
            jobs.ask(pkg_dict["id"])
