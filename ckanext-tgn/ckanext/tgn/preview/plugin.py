"""Table and map previews: DataStore loading through ckanext-xloader, views, data dictionary."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation


class TgnPreviewPlugin(p.SingletonPlugin, TgnTranslation):
    """Which tables load into the DataStore, when, and with which dictionary."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        pass
