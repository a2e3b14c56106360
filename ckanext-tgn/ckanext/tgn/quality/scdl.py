"""An organisation's public datasets as the SCDL ``catalogue`` table (schema 0.1.3).

The national schema asks for columns our form leaves optional (the period, at least one
file): a dataset that cannot fill them is left out and named with the reason, rather than
given invented values. The publisher is named by the SIRET of its head office (organisation
field ``siret``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.tgn.lib import refdata, vocab
from ckanext.tgn.lib.datasets import every_dataset
from ckanext.tgn.lib.jsonlist import as_list

from . import score

SCHEMA_URL = "https://schema.data.gouv.fr/schemas/scdl/catalogue/0.1.3/schema.json"
COLUMNS: tuple[str, ...] = (
    "COLL_NOM", "COLL_SIRET", "ID", "TITRE", "DESCRIPTION", "THEME", "PRODUCTEUR_NOM",
    "PRODUCTEUR_SIRET", "COUV_SPAT_MAILLE", "COUV_SPAT_NOM", "COUV_TEMP_DEBUT",
    "COUV_TEMP_FIN", "DATE_PUBL", "FREQ_MAJ", "DATE_MAJ", "MOTS_CLES", "LICENCE",
    "NOMBRE_RESSOURCES", "FORMAT_RESSOURCES", "URL",
)  # fmt: skip
# The schema's FREQ_MAJ values for our EU frequencies (NEVER: published once).
FREQUENCIES = {
    "UPDATE_CONT": "Continuelle",
    "HOURLY": "Toutes les heures",
    "DAILY": "Quotidienne ou plusieurs fois par jour",
    "WEEKLY": "Hebdomadaire ou plusieurs fois par semaine",
    "BIWEEKLY": "Mensuelle ou plusieurs fois par mois",
    "MONTHLY": "Mensuelle ou plusieurs fois par mois",
    "QUARTERLY": "Trimestrielle",
    "ANNUAL_2": "Semestrielle",
    "ANNUAL": "Annuelle",
    "BIENNIAL": "Biennale",
    "TRIENNIAL": "Triennale",
    "IRREG": "Irrégulière",
    "NEVER": "Ponctuelle",
    "UNKNOWN": "Inconnue",
}
LICENCES = {
    "lov2": "Licence Ouverte-LO",
    "odc-odbl": "Open Database License-ODBL",
    "cc-by": "Creative Commons-CC",
    "cc-by-sa": "Creative Commons-CC",
    "cc-zero": "Creative Commons-CC",
}
# COUV_SPAT_MAILLE by territory kind.
MESHES = {
    refdata.KIND_COMMUNE: "Communale",
    refdata.KIND_EPCI: "Intercommunale",
    refdata.KIND_DEPARTEMENT: "Départementale",
}


class MissingSiret(Exception):
    """The organisation has no SIRET: the catalogue cannot name its publisher."""


def _plain(text: str) -> str:
    """Lower case, no accents (MOTS_CLES, FORMAT_RESSOURCES)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _themes(dataset: dict[str, Any]) -> list[str]:
    themes = vocab.vocabulary("data-theme")
    labels = []
    for uri in as_list(dataset.get("theme")):
        concept = themes.by_uri(uri)
        if concept is not None:
            labels.append(concept.fr)
    return labels


def _coverage(dataset: dict[str, Any], org: dict[str, Any]) -> tuple[str, str]:
    """COUV_SPAT_MAILLE and COUV_SPAT_NOM: the dataset's territories, else the publisher's."""
    places = [t for t in map(refdata.territory, as_list(dataset.get("territories"))) if t]
    if not places:
        return MESHES.get(org.get("territory_kind") or "", "Autre"), org.get("title") or ""
    kinds = {t.kind for t in places}
    mesh = MESHES.get(kinds.pop(), "Autre") if len(kinds) == 1 else "Autre"
    return mesh, ", ".join(t.name for t in places)


def missing(dataset: dict[str, Any]) -> list[str]:
    """Why the dataset cannot be a row of the catalogue (empty: it can)."""
    reasons = []
    if not (dataset.get("temporal_start") and dataset.get("temporal_end")):
        reasons.append(tk._("the start and end of the period covered"))
    files = [r for r in dataset.get("resources") or [] if r.get("url")]
    if not files:
        reasons.append(tk._("at least one file or link"))
    elif not any(r.get("format") for r in files):
        reasons.append(tk._("the format of its files"))
    if not _themes(dataset):
        reasons.append(tk._("a theme"))
    if not (dataset.get("notes") or "").strip():
        reasons.append(tk._("a description"))
    return reasons


def row(dataset: dict[str, Any], org: dict[str, Any]) -> dict[str, str]:
    resources = [r for r in dataset.get("resources") or [] if r.get("url")]
    mesh, places = _coverage(dataset, org)
    themes = _themes(dataset)
    keywords = [t["name"] for t in dataset.get("tags") or []] + themes
    formats = sorted({_plain(r["format"]) for r in resources if r.get("format")})
    updated = score.last_update(dataset, dt.date.today())
    return {
        "COLL_NOM": org.get("title") or org["name"],
        "COLL_SIRET": org["siret"],
        "ID": dataset["name"],
        "TITRE": dataset.get("title") or dataset["name"],
        "DESCRIPTION": (dataset.get("notes") or "").strip(),
        "THEME": " ; ".join(themes)[:140],
        "PRODUCTEUR_NOM": org.get("title") or org["name"],
        "PRODUCTEUR_SIRET": org["siret"],
        "COUV_SPAT_MAILLE": mesh,
        "COUV_SPAT_NOM": places,
        "COUV_TEMP_DEBUT": str(dataset["temporal_start"])[:10],
        "COUV_TEMP_FIN": str(dataset["temporal_end"])[:10],
        "DATE_PUBL": str(dataset.get("issued") or dataset.get("metadata_created") or "")[:10],
        "FREQ_MAJ": FREQUENCIES.get(score.frequency_code(dataset), "Inconnue"),
        "DATE_MAJ": (
            updated.date().isoformat() if updated else str(dataset.get("metadata_created"))[:10]
        ),
        "MOTS_CLES": ";".join(dict.fromkeys(_plain(k) for k in keywords if k.strip())),
        "LICENCE": LICENCES.get(dataset.get("license_id") or "", "Spécifique ou autre"),
        "NOMBRE_RESSOURCES": str(len(resources)),
        "FORMAT_RESSOURCES": ";".join(formats),
        "URL": tk.url_for("dataset.read", id=dataset["name"], _external=True),
    }


def catalogue(context: Context, org_id: str) -> dict[str, Any]:
    """The rows of the organisation's public datasets, and those left out with why."""
    org = tk.get_action("organization_show")({**context}, {"id": org_id, "include_datasets": False})
    if not org.get("siret"):
        raise MissingSiret(org["name"])
    rows, left_out = [], []
    for dataset in every_dataset(context, f'+owner_org:"{org["id"]}"', include_private=False):
        reasons = missing(dataset)
        if reasons:
            left_out.append({"name": dataset["name"], "missing": reasons})
        else:
            rows.append(row(dataset, org))
    return {"organization": org["name"], "rows": rows, "left_out": left_out}


def as_csv(rows: list[dict[str, str]]) -> str:
    """The catalogue as the schema's CSV (comma-separated, UTF-8, its column order)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
