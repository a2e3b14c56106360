"""Metadata schemas: the département's dataset and resource schemas and validators."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class SchemaPlugin(p.SingletonPlugin):
    """Home of the scheming presets, vocabularies and French validators."""
