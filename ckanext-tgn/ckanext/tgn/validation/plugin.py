"""Tabular validation of resources against the national Table Schemas."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class ValidationPlugin(p.SingletonPlugin):
    """Home of the background frictionless validation and its French reports."""
