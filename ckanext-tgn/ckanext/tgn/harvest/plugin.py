"""Harvesting partner catalogs from reviewed source files: commands, rights, provenance."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.harvest.logic import auth
from ckanext.tgn.lib.i18n import TgnTranslation


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions(auth.auth_functions)
@tk.blanket.cli
class TgnHarvestPlugin(p.SingletonPlugin, TgnTranslation):
    """``ckan tgn harvest``, harvest management for staff only; the harvesters are the
    ``tgn_dcat_harvester``, ``tgn_csw_harvester`` and ``tgn_ckan_harvester`` plugins."""

    p.implements(p.ITranslation)
