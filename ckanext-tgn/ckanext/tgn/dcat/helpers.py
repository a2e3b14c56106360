"""Template helpers of the DCAT plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import structured

__all__ = ["tgn_dcat_structured_data"]


def tgn_dcat_structured_data(pkg: dict[str, Any]) -> str:
    """The dataset page's schema.org JSON-LD, as ckanext-dcat's ``structured_data`` helper
    writes it (same profiles option, same formatting, HTML-safe inside <script>), with the
    profiles looked up once per process and the document kept while what it is made of does
    not change (structured.py)."""
    return structured.document(pkg, tk.h.lang() or structured.site_language())
