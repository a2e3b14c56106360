"""Template helpers of the territories plugin."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import refdata
from ckanext.tgn.lib.jsonlist import as_list


def tgn_member_communes(org: dict[str, Any]) -> list[dict[str, Any]]:
    """Member communes of an EPCI organisation, with names, for its page."""
    communes = [refdata.commune(code) for code in as_list(org.get("member_communes"))]
    return sorted((c for c in communes if c), key=lambda c: c["name"])


def tgn_map_geometry(org: dict[str, Any]) -> str | None:
    """The organisation's outline as compact GeoJSON for the map, or None."""
    geometry = org.get("geometry")
    if not geometry:
        return None
    return geometry if isinstance(geometry, str) else json.dumps(geometry)


def tgn_map_tiles() -> dict[str, str]:
    """Base map settings: an empty URL draws the outline on a plain background."""
    return {
        "url": tk.config["ckanext.tgn.territories.map_tiles_url"],
        "attribution": tk.config["ckanext.tgn.territories.map_attribution"],
    }


def tgn_territory_kind_label(org: dict[str, Any]) -> str:
    """The kind of body in words, with the EPCI's nature: "Intercommunalité (EPCI), CA"."""
    labels = {
        refdata.KIND_SYNDICAT: tk._("Joint syndicate"),
        refdata.KIND_DEPARTEMENT: tk._("Département"),
        refdata.KIND_EPCI: tk._("Intercommunality (EPCI)"),
        refdata.KIND_COMMUNE: tk._("Commune"),
    }
    label = labels.get(org.get("territory_kind") or "", "")
    nature = org.get("epci_nature")
    return f"{label}, {nature}" if label and nature else label


def tgn_population(value: Any) -> str:
    """A population the French way, thousands separated by a narrow no-break space."""
    try:
        return f"{int(value):,}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return ""
