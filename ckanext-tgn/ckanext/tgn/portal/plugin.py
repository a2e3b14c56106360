"""The portal's face: theme, home page, facets, editorial pages, sitemap."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import CKANApp

from ckanext.tgn.lib.i18n import TgnTranslation

from . import bundles, facets, indexing


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.blueprints
class TgnPortalPlugin(p.SingletonPlugin, TgnTranslation):
    """Theme and public pages of the Tarn-et-Garonne portal."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "tgn_portal")

    # IMiddleware: called once the app is made, every plugin's bundles registered
    def make_middleware(self, app: CKANApp, config: Any) -> CKANApp:
        if tk.config.get("ckanext.tgn.portal.assets_built_once"):
            bundles.build_once()
        return app

    # IFacets: datasets only (the reuse type chooses its own facets)
    def dataset_facets(
        self, facets_dict: OrderedDict[str, Any], package_type: str
    ) -> OrderedDict[str, Any]:
        return facets.dataset_facets(facets_dict) if package_type == "dataset" else facets_dict

    def organization_facets(
        self, facets_dict: OrderedDict[str, Any], organization_type: str, package_type: str | None
    ) -> OrderedDict[str, Any]:
        return facets.dataset_facets(facets_dict)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.add_search_fields(pkg_dict)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        facets.label_search_facets(search_results.get("search_facets") or {})
        return search_results
