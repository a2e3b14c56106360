"""The portal's face: theme, home page, facets, editorial pages, sitemap."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation


class TgnPortalPlugin(p.SingletonPlugin, TgnTranslation):
    """Theme and public pages of the Tarn-et-Garonne portal."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        pass
