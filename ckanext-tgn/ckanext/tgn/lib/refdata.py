"""Read-only access to the committed territory reference data of the département 82.

The files in ``data/`` are written by ``scripts/refdata.py`` from pinned registry packages
(see their ``provenance``); the running platform only reads them, never the network.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import shapely
from shapely.geometry import GeometryCollection, mapping, shape

DATA = Path(__file__).with_name("data")
DEPARTEMENT = "82"
# Outlines of a union are simplified to this tolerance (degrees, about 50 m): enough for
# search and maps, small enough to keep dataset records light.
COVERAGE_TOLERANCE = 0.0005
COORDINATE_DECIMALS = 5

KIND_SYNDICAT = "syndicat-mixte"
KIND_DEPARTEMENT = "departement"
KIND_EPCI = "epci"
KIND_COMMUNE = "commune"


@dataclass(frozen=True)
class Territory:
    """A territory a dataset can cover: the département, an EPCI or a commune of 82."""

    code: str  # INSEE code of a commune or of the département; SIREN of an EPCI
    kind: str
    name: str
    siren: str


@cache
def reference() -> dict[str, Any]:
    """The whole of ``territories.json`` (codes, names, SIRENs, memberships, provenance)."""
    with (DATA / "territories.json").open(encoding="utf-8") as f:
        return json.load(f)


@cache
def _geometries() -> dict[str, dict[str, Any]]:
    with (DATA / "geometries.geojson").open(encoding="utf-8") as f:
        collection = json.load(f)
    return {feature["id"]: feature["geometry"] for feature in collection["features"]}


@cache
def _communes() -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in reference()["communes"]}


@cache
def _epcis() -> dict[str, dict[str, Any]]:
    return {e["siren"]: e for e in reference()["epci"]}


def commune(insee_code: str) -> dict[str, Any] | None:
    """The commune with this INSEE code, in 82 or a member of one of its EPCI."""
    return _communes().get(insee_code)


def epci(siren: str) -> dict[str, Any] | None:
    return _epcis().get(siren)


def epcis() -> list[dict[str, Any]]:
    return list(reference()["epci"])


def departement() -> dict[str, Any]:
    return reference()["departement"]


def syndicat() -> dict[str, Any]:
    return reference()["syndicat"]


def departement_population() -> tuple[int, int]:
    """Population of the département (sum of its communes) and its vintage."""
    communes = [c for c in reference()["communes"] if c["in_departement"]]
    return sum(c["population"] for c in communes), communes[0]["population_vintage"]


@cache
def territories() -> dict[str, Territory]:
    """Every code a dataset may cover: the département, its EPCI, its communes."""
    dep = departement()
    found = {dep["code"]: Territory(dep["code"], KIND_DEPARTEMENT, dep["name"], dep["siren"])}
    for e in epcis():
        found[e["siren"]] = Territory(e["siren"], KIND_EPCI, e["name"], e["siren"])
    for c in reference()["communes"]:
        if c["in_departement"]:
            found[c["code"]] = Territory(c["code"], KIND_COMMUNE, c["name"], c["siren"])
    return found


def territory(code: str) -> Territory | None:
    return territories().get(code)


def territory_label(t: Territory) -> str:
    """How the form and the dataset page name a territory."""
    if t.kind == KIND_DEPARTEMENT:
        return f"{t.name} (département)"
    if t.kind == KIND_EPCI:
        return t.name
    return f"{t.name} ({t.code})"


def geometry(code: str) -> dict[str, Any] | None:
    """GeoJSON geometry of a territory (INSEE code, EPCI SIREN or "82")."""
    return _geometries().get(code)


def coverage_geometry(codes: list[str]) -> dict[str, Any]:
    """Simplified, valid GeoJSON union of the outlines of these territory codes."""
    shapes = [shape(_geometries()[code]) for code in codes]
    union = shapely.union_all(shapes)
    simplified = union.simplify(COVERAGE_TOLERANCE, preserve_topology=True)
    rounded = shapely.set_precision(simplified, 10**-COORDINATE_DECIMALS)
    valid = shapely.make_valid(rounded)
    if valid.geom_type == "GeometryCollection":  # make_valid may leave stray lines
        parts = cast(GeometryCollection, valid).geoms  # shapely types make_valid's result loosely
        valid = shapely.union_all([g for g in parts if g.geom_type.endswith("Polygon")])
    return mapping(shapely.normalize(valid))


def slug(name: str) -> str:
    """A CKAN name (URL) from an official name: ASCII, lower case, hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100]
