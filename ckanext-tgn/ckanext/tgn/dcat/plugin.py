"""DCAT export toward data.gouv.fr: the French DCAT-AP 3 profile and catalog endpoints."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation


@tk.blanket.config_declarations
@tk.blanket.blueprints
class TgnDcatPlugin(p.SingletonPlugin, TgnTranslation):
    """Site, per-organisation and per-dataset catalogs with the tgn_dcat_ap profile.

    Listed before ``dcat`` in ``ckan.plugins`` so that its routes answer first.
    """

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
