"""Territories: one organisation per intercommunality of Tarn-et-Garonne."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class TerritoriesPlugin(p.SingletonPlugin):
    """Home of the territory organisations, their reference data and geometries."""
