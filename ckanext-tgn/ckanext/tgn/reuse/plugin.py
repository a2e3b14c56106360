"""Reuses (réutilisations) of datasets: applications, articles, visualisations."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import CKANApp

from ckanext.tgn.lib.i18n import TgnTranslation

from . import search, views


@tk.blanket.config_declarations
@tk.blanket.helpers
class TgnReusePlugin(p.SingletonPlugin, TgnTranslation):
    """Reuses as the scheming dataset type ``reuse``, listed on the datasets they use.

    The type's schema and its validators live with the other schemas (schemas/reuse.yaml,
    tgn_schema); this plugin indexes what a reuse uses, keeps reuses out of every search that
    does not ask for them, and adds the pages' French wording and sections.
    """

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    # IMiddleware
    def make_middleware(self, app: CKANApp, config: Any) -> CKANApp:
        app.before_request(views.no_resource_pages)
        return app

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.index_used_datasets(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.datasets_unless_asked(search_params)
