"""An organisation's datasets with their scores and what is left to do, for its editors.

Built from ``package_search`` in the caller's context, so a private dataset appears only to
whoever may see it; scores are computed now (the timeliness criterion is the day's).
"""

from __future__ import annotations

import csv
import io
import statistics
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.tgn.lib.datasets import every_dataset

from . import indexing, messages, scdl, score

# Statuses of tgn_validation's reports (the action's answer).
INVALID = ("invalide", "erreur")
CHECKED = ("valide", "invalide", "erreur")


def statuses(context: Context, datasets: list[dict[str, Any]]) -> dict[str, str]:
    """Validation status of each file (none when the validation plugin is not loaded)."""
    try:
        action = tk.get_action("tgn_validation_statuses")
    except KeyError:
        return {}
    return action({**context}, {"ids": [d["id"] for d in datasets]})


def _row(dataset: dict[str, Any], statuses: dict[str, str], now: Any) -> dict[str, Any]:
    quality = score.datagouv_quality(dataset, now)
    mqa = score.mqa(dataset)
    gaps = messages.datagouv_gaps()
    tables = [r for r in dataset.get("resources") or [] if r.get("conforms_to")]
    return {
        "name": dataset["name"],
        "title": dataset.get("title") or dataset["name"],
        "private": bool(dataset.get("private")),
        "datagouv": score.datagouv_points(quality),
        "mqa": mqa.points,
        "band": messages.bands()[mqa.band],
        "late": quality.get("update_fulfilled_in_time") is False,
        "missing": [gaps[c][0] for c in score.DATAGOUV_CRITERIA if quality.get(c) is False],
        "invalid": sum(1 for r in tables if statuses.get(r["id"]) in INVALID),
        "unchecked": sum(1 for r in tables if statuses.get(r["id"]) not in CHECKED),
        # What keeps a public dataset out of the SCDL catalogue (a private one is never in it).
        "scdl_missing": [] if dataset.get("private") else scdl.missing(dataset),
    }


def build(context: Context, org_id: str) -> dict[str, Any]:
    """Rows (lowest data.gouv.fr score first) and the organisation's totals."""
    datasets = every_dataset(context, f'+owner_org:"{org_id}"', include_private=True)
    found = statuses(context, datasets)
    now = indexing.now()
    rows = sorted((_row(d, found, now) for d in datasets), key=lambda r: (r["datagouv"], r["name"]))
    points = [r["datagouv"] for r in rows]
    return {
        "rows": rows,
        "totals": {
            "datasets": len(rows),
            "median": statistics.median(points) if points else None,
            "by_points": {p: points.count(p) for p in range(score.DATAGOUV_MAX, -1, -1)},
            "late": sum(1 for r in rows if r["late"]),
            "invalid": sum(r["invalid"] for r in rows),
            "unchecked": sum(r["unchecked"] for r in rows),
        },
    }


def safe_cell(text: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (=, +, -, @ first)."""
    value = "" if text is None else str(text)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as a CSV for a spreadsheet (French headers, ; inside a cell)."""
    _ = tk._
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [_("Dataset"), _("Title"), _("Private"), _("data.gouv.fr score (/9)"),
         _("MQA points (/405)"), _("MQA level"), _("Late"), _("To complete"),
         _("Invalid tables"), _("Tables not checked")]
    )  # fmt: skip
    yes, no = _("yes"), _("no")
    for r in rows:
        writer.writerow(
            [safe_cell(r["name"]), safe_cell(r["title"]), yes if r["private"] else no,
             r["datagouv"], r["mqa"], r["band"], yes if r["late"] else no,
             " ; ".join(r["missing"]), r["invalid"], r["unchecked"]]
        )  # fmt: skip
    return out.getvalue()
