"""DCAT export toward data.gouv.fr: the French DCAT-AP 3 profile and catalog endpoints."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class DcatPlugin(p.SingletonPlugin):
    """Home of the tgn_dcat_ap profile and the per-organisation catalogs."""
