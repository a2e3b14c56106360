"""Validators of territory fields: SIREN, territory codes, coverage geometry, EPCI nature.

Messages have English source strings, translated into French in ckanext/tgn/i18n.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from shapely.geometry import shape

from ckanext.tgn.lib import refdata
from ckanext.tgn.lib import siren as siren_numbers
from ckanext.tgn.lib.jsonlist import as_list


def tgn_siren(value: Any) -> Any:
    """A SIREN number, spaces allowed in input ("200 061 257"), stored as 9 digits."""
    if value in (None, ""):
        return value
    siren = "".join(str(value).split())
    if len(siren) != 9 or not siren.isdigit():
        raise tk.Invalid(tk._("The SIREN must have 9 digits, for example 200061257."))
    if not siren_numbers.is_valid(siren):
        raise tk.Invalid(
            tk._(
                "The SIREN {siren} is not valid (wrong check digit): copy it again from "
                "annuaire-entreprises.data.gouv.fr."
            ).format(siren=siren)
        )
    return siren


def tgn_siret(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The SIRET of the body's head office: 14 digits, a right check, and its first nine are
    the body's SIREN (the SCDL catalogue names the publisher by it). Spaces allowed."""
    value = data.get(key)
    if value in (None, "") or value is tk.missing:
        data[key] = ""
        return
    siret = "".join(str(value).split())
    siren = "".join(str(data.get((*key[:-1], "siren")) or "").split())
    if len(siret) != 14 or not siret.isdigit():
        errors[key].append(tk._("The SIRET must have 14 digits, for example 20006125700016."))
    elif not siren_numbers.siret_is_valid(siret):
        errors[key].append(
            tk._(
                "The SIRET {siret} is not valid (wrong check digit): copy it again from "
                "annuaire-entreprises.data.gouv.fr."
            ).format(siret=siret)
        )
    elif siren and not siret.startswith(siren):
        errors[key].append(
            tk._(
                "The SIRET must start with the body's SIREN ({siren}): it is the SIRET of one "
                "of its establishments, usually the head office."
            ).format(siren=siren)
        )
    data[key] = siret


def tgn_agents(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A number of agents, never negative, always with where the figure comes from (no open
    data gives it: staff must be able to check it again)."""
    value = data.get(key)
    if value in (None, "") or value is tk.missing or errors[key]:
        return  # empty, or already refused as not a whole number (CKAN runs on)
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[key].append(tk._("The number of agents must be a whole number, e.g. 120."))
        return
    if number < 0:
        errors[key].append(tk._("The number of agents cannot be negative."))
        return
    source = data.get((*key[:-1], "agents_source"))
    if not str(source or "").strip() or source is tk.missing:
        errors[key].append(
            tk._(
                "Give the source of this figure in the next field (for example the body's "
                "annual social report)."
            )
        )


def tgn_territory_codes(value: Any) -> Any:
    """Territory codes (commune INSEE code, EPCI SIREN, "82"), all known; stored as JSON."""
    codes = as_list(value, separator=",")
    unknown = [code for code in codes if refdata.territory(code) is None]
    if unknown:
        raise tk.Invalid(
            tk._(
                "Unknown territory code: {codes}. Choose the territories in the list "
                "(communes, EPCI or the département of Tarn-et-Garonne)."
            ).format(codes=", ".join(unknown))
        )
    return json.dumps(sorted(set(codes)))


def tgn_spatial_from_territories(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Fill ckanext-spatial's ``spatial`` field with the outline of the covered territories.

    Runs on the ``spatial`` field, after ``territories`` was validated, so spatial search
    (solr-bbox) and the DCAT feed follow the territories an agent chose by name.
    """
    territories_key = (*key[:-1], "territories")
    if errors.get(territories_key):
        return
    codes = [c for c in as_list(data.get(territories_key), separator=",") if refdata.territory(c)]
    if codes:
        data[key] = json.dumps(refdata.coverage_geometry(codes), separators=(",", ":"))


def tgn_geojson_geometry(value: Any) -> Any:
    """A GeoJSON Polygon or MultiPolygon, valid, as stored for an organisation's outline."""
    if value in (None, ""):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise tk.Invalid(
            tk._("The geometry must be a valid GeoJSON Polygon or MultiPolygon.")
        ) from e
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
        raise tk.Invalid(tk._("The geometry must be a valid GeoJSON Polygon or MultiPolygon."))
    return json.dumps(geometry, separators=(",", ":"))


def tgn_epci_nature(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """An EPCI organisation must say whether it is a CA or a CC."""
    kind = data.get((*key[:-1], "territory_kind"))
    value = data.get(key)
    if kind == refdata.KIND_EPCI and value in (None, "", tk.missing):
        errors[key].append(
            tk._(
                "Choose the nature of the EPCI: "
                "communauté d'agglomération (CA) or de communes (CC)."
            )
        )
