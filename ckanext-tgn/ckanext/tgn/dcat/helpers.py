"""Template helpers of the DCAT plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import simplejson

from .serializer import Serializer

__all__ = ["tgn_dcat_structured_data"]


def tgn_dcat_structured_data(pkg: dict[str, Any]) -> str:
    """The dataset page's schema.org JSON-LD, as ckanext-dcat's ``structured_data`` helper
    writes it (same profiles option, same formatting, HTML-safe inside <script>), with the
    profiles looked up once per process instead of at every page."""
    profiles = tk.aslist(tk.config.get("ckanext.dcat.structured_data.profiles") or "schemaorg")
    output = Serializer(profiles=profiles).serialize_dataset(pkg, _format="jsonld")
    return simplejson.dumps(
        simplejson.loads(output),
        sort_keys=True,
        indent=4,
        separators=(",", ": "),
        cls=simplejson.JSONEncoderForHTML,
    )
