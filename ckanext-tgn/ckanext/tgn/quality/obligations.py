"""The open-data obligations of each body on the platform, and what each has published.

Who must publish by default (CRPA L312-1-1, D312-1-1-1): a body of 50 agents or more (full
-time equivalents); a collectivité territoriale (commune, département) also needs 3,500
inhabitants or more, so under that it is exempt whatever its agents. Our reading, as in
docs/quality.md: an EPCI or a syndicat mixte only meets the agents test. No open data gives
the agents: staff enter them on the organisation with their source; without them, a body
that the population does not exempt is « à vérifier ».

What is expected of an obliged body: the SCDL datasets below, found among its public
datasets (or their files) by the national schema they declare, with the date of the latest
and whether it is late or has an invalid table; and its SCDL catalogue (our export, once the
body has its SIRET).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.tgn.lib import refdata, vocab
from ckanext.tgn.lib.datasets import every_dataset

from . import indexing, score
from .dashboard import safe_cell, statuses

POPULATION = 3500
AGENTS = 50
# Collectivités territoriales: the population threshold applies to them.
TERRITORIAL = (refdata.KIND_COMMUNE, refdata.KIND_DEPARTEMENT)
# The SCDL datasets an obliged body is expected to publish (national schema names).
EXPECTED = ("scdl/deliberations", "scdl/subventions", "scdl/budget", "scdl/equipements")
OBLIGED, EXEMPT, TO_CHECK = "oui", "non", "à vérifier"


def obliged(org: dict[str, Any]) -> str:
    """« oui », « non » or « à vérifier »."""
    kind = org.get("territory_kind") or ""
    population = org.get("population")
    agents = org.get("agents_etp")
    territorial = kind in TERRITORIAL
    if territorial and population not in (None, "") and int(population) < POPULATION:
        return EXEMPT
    if agents in (None, ""):
        return TO_CHECK
    if int(agents) < AGENTS:
        return EXEMPT
    # Enough agents; a collectivité territoriale whose population is unknown is not settled.
    return TO_CHECK if territorial and population in (None, "") else OBLIGED


def _published(datasets: list[dict[str, Any]], statuses: dict[str, str]) -> dict[str, Any]:
    """For each expected schema: the latest dataset, its date, late or invalid."""
    now = indexing.now()
    found: dict[str, Any] = {}
    for dataset in datasets:
        for name in set(vocab.schema_keys(dataset)) & set(EXPECTED):
            updated = score.last_update(dataset, now.date())
            day = updated.date().isoformat() if updated else ""
            if name in found and found[name]["date"] >= day:
                continue
            quality = score.datagouv_quality(dataset, now)
            # Invalid: a file of this schema (or any file, when the dataset declares it).
            declared = name in vocab.schema_keys({"conforms_to": dataset.get("conforms_to")})
            files = [
                r for r in dataset.get("resources") or []
                if declared or name in vocab.schema_keys({"conforms_to": r.get("conforms_to")})
            ]  # fmt: skip
            invalid = any(statuses.get(r["id"]) in ("invalide", "erreur") for r in files)
            found[name] = {
                "dataset": dataset["name"],
                "date": day,
                "late": quality.get("update_fulfilled_in_time") is False,
                "invalid": invalid,
            }
    return found


def _row(
    org: dict[str, Any], datasets: list[dict[str, Any]], statuses: dict[str, str]
) -> dict[str, Any]:
    return {
        "name": org["name"],
        "title": org.get("title") or org["name"],
        "kind": org.get("territory_kind") or "",
        "population": org.get("population"),
        "agents": org.get("agents_etp"),
        "agents_source": org.get("agents_source") or "",
        "obliged": obliged(org),
        "published": _published(datasets, statuses),
        "catalogue": bool(org.get("siret")),
    }


def _organisations(context: Context) -> list[dict[str, Any]]:
    """Every active organisation with its fields (CKAN lists at most 25 with all fields at
    once: one organisation_show each, without counting its datasets)."""
    names = tk.get_action("organization_list")({**context}, {"limit": 100000})
    show = tk.get_action("organization_show")
    return [
        show({**context}, {"id": name, "include_datasets": False, "include_dataset_count": False,
                           "include_users": False, "include_groups": False,
                           "include_followers": False})
        for name in names
    ]  # fmt: skip


def overview(context: Context) -> list[dict[str, Any]]:
    """One row per organisation: its obligation and each expected dataset's state."""
    orgs = _organisations(context)
    datasets = every_dataset(context, "", include_private=False)
    found = statuses(context, datasets)
    by_org: dict[str, list[dict[str, Any]]] = {}
    for dataset in datasets:
        by_org.setdefault(dataset.get("owner_org") or "", []).append(dataset)
    ordered = sorted(orgs, key=lambda o: o.get("title") or o["name"])
    return [_row(org, by_org.get(org["id"], []), found) for org in ordered]


def for_organisation(context: Context, org: dict[str, Any]) -> dict[str, Any]:
    """The row of one organisation (its page), from its own public datasets only."""
    datasets = every_dataset(context, f'+owner_org:"{org["id"]}"', include_private=False)
    return _row(org, datasets, statuses(context, datasets))


def cell(row: dict[str, Any], schema: str) -> str:
    """How one expected dataset reads in a table: its date and what is wrong, or absent."""
    found = row["published"].get(schema)
    if not found:
        return tk._("absent")
    text = found["date"] or tk._("published")
    if found["late"]:
        text += " " + tk._("(late)")
    if found["invalid"]:
        text += " " + tk._("(invalid)")
    return text


def as_csv(rows: list[dict[str, Any]]) -> str:
    """One row per organisation (French headers), for a spreadsheet."""
    _ = tk._
    titles = {s["name"]: s["title"] for s in vocab.table_schemas()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [_("Organisation"), _("Title"), _("Kind"), _("Population"), _("Agents (FTE)"),
         _("Source of the agents figure"), _("Must publish")]
        + [titles.get(s, s) for s in EXPECTED] + [_("SCDL catalogue")]
    )  # fmt: skip
    for r in rows:
        writer.writerow(
            [safe_cell(r["name"]), safe_cell(r["title"]), r["kind"], r["population"] or "",
             r["agents"] or "", safe_cell(r["agents_source"]), r["obliged"]]
            + [cell(r, s) for s in EXPECTED]
            + [_("yes") if r["catalogue"] else _("no")]
        )  # fmt: skip
    return out.getvalue()
