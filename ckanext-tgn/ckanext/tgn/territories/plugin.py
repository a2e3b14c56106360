"""Territories: one organisation per intercommunality of Tarn-et-Garonne, with outlines."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.cli
class TgnTerritoriesPlugin(p.SingletonPlugin, TgnTranslation):
    """Territory organisations, their reference data, outlines and dataset coverage."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "tgn_territories")
