"""Template helpers: a dataset's two scores and its gaps, worded for its editors."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import vocab

from . import indexing, messages, obligations, score


def tgn_quality(pkg: dict[str, Any]) -> dict[str, Any]:
    """Both scores of the dataset as shown now, with each gap and its fix."""
    quality = score.datagouv_quality(pkg, indexing.now())
    gaps = messages.datagouv_gaps()
    mqa = score.mqa(pkg)
    names = messages.mqa_indicators()
    dimension_names = messages.dimensions()
    return {
        "datagouv": {
            "points": score.datagouv_points(quality),
            "max": score.DATAGOUV_MAX,
            "gaps": [
                {"warning": gaps[name][0], "fix": gaps[name][1]}
                for name in score.DATAGOUV_CRITERIA
                if name in quality and not quality[name]
            ],
        },
        "mqa": {
            "points": mqa.points,
            "max": score.MQA_MAX,
            "band": messages.bands()[mqa.band],
            "dimensions": [
                {"name": dimension_names[d], "points": mqa.dimension(d)} for d in score.DIMENSIONS
            ],
            "gaps": [
                {"name": names[i.name][0], "lost": i.weight - i.points, "fix": names[i.name][1]}
                for i in mqa.missing
            ],
        },
    }


def tgn_quality_schema_titles() -> list[dict[str, str]]:
    """Name and title of every national Table Schema (the obligations' column headers)."""
    return [{"name": s["name"], "title": s["title"]} for s in vocab.table_schemas()]


def tgn_quality_obligation(org: dict[str, Any]) -> dict[str, Any]:
    """One organisation's obligation and expected datasets (its page's block)."""
    return obligations.for_organisation({"user": tk.current_user.name}, org)


def tgn_quality_obligation_cell(row: dict[str, Any], schema: str) -> str:
    return obligations.cell(row, schema)


def tgn_quality_expected() -> tuple[str, ...]:
    """The SCDL datasets expected of an obliged body."""
    return obligations.EXPECTED
