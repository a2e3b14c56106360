"""Reuses (réutilisations) of datasets: applications, articles, visualisations."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation


class TgnReusePlugin(p.SingletonPlugin, TgnTranslation):
    """Reuses as a scheming dataset type, listed beside the datasets they use."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        pass
