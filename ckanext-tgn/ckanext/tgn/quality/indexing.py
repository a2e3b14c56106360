"""The scores in a dataset's search document, so that search sorts and filters by them.

Both are zero-padded strings (CKAN's Solr schema indexes unknown fields as strings), so
``sort=tgn_quality_datagouv desc`` and ``fq=tgn_quality_datagouv:[05 TO 09]`` work as on
numbers. The timeliness criterion depends on the day: ``ckan tgn quality rebuild``, run
daily, keeps it current; the dataset page computes it at display.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from . import score

DATAGOUV = "tgn_quality_datagouv"  # points out of 9, two digits
MQA = "tgn_quality_mqa"  # points out of 405, three digits
BAND = "tgn_quality_band"  # excellent, good, sufficient, bad


def fields(dataset: dict[str, Any], now: dt.datetime) -> dict[str, str]:
    """The three search fields of one dataset."""
    mqa = score.mqa(dataset)
    return {
        DATAGOUV: f"{score.datagouv_points(score.datagouv_quality(dataset, now)):02d}",
        MQA: f"{mqa.points:03d}",
        BAND: mqa.band,
    }


def add_scores(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: scores of a dataset (not of a reuse), from the validated
    dataset CKAN indexes."""
    if pkg_dict.get("type", "dataset") != "dataset":
        return pkg_dict
    try:
        dataset = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        return pkg_dict
    pkg_dict.update(fields(dataset or {}, now()))
    return pkg_dict


def now() -> dt.datetime:
    """Naive UTC, as udata compares."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
