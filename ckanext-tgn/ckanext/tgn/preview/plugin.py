"""Previews: tables loaded into CKAN's DataStore by ckanext-xloader, maps by ckanext-geoview,
under our rules.

Only files uploaded to the platform are loaded (xloader fetches over HTTP without our
guards, so it never gets a user's URL), and a table that claims a national schema only once
its validation found it valid; its data dictionary then comes from that schema. What the map
views fetch from other servers (a linked GeoJSON, a WMS) goes through our guarded proxy.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import CKANApp, SignalMapping

from ckanext.tgn.lib import signals
from ckanext.tgn.lib.i18n import TgnTranslation
from ckanext.tgn.preview import dictionary, loading, proxy
from ckanext.xloader.interfaces import IXloader


@tk.blanket.config_declarations
class TgnPreviewPlugin(p.SingletonPlugin, TgnTranslation):
    """Which tables reach the DataStore, when, and with which dictionary; maps fetched safely."""

    p.implements(IXloader, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        # The WMS viewer's page (dataviewer/openlayers.html) and the neutral base-map tile.
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # IMiddleware
    def make_middleware(self, app: CKANApp, config: Any) -> CKANApp:
        proxy.take_over(app)
        return app

    # IXloader
    def can_upload(self, resource_id: str) -> bool:
        return loading.may_load(resource_id)

    def after_upload(
        self, context: dict[str, Any], resource_dict: dict[str, Any], dataset_dict: dict[str, Any]
    ) -> None:
        dictionary.fill_from_schema(resource_dict, dataset_dict)

    # ISignal
    def get_signal_subscriptions(self) -> SignalMapping:
        return {signals.validation_finished(): [loading.on_validation_finished]}
