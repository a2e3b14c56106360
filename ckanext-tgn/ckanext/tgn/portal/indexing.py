"""What the portal adds to a dataset's search document: facetable fields and completeness.

Scheming fields are stored as extras, which CKAN indexes as ``extras_*`` text: searchable but
not facetable. The values are copied here into CKAN's multi-valued string fields ``vocab_*``.
Kept free of CKAN imports so that it is tested as plain functions.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ckanext.tgn.lib import vocab
from ckanext.tgn.lib.jsonlist import as_list
from ckanext.tgn.lib.vocab import schema_keys

# Search field of each facet -> the dataset field it is read from.
THEME = "vocab_tgn_theme"
FREQUENCY = "vocab_tgn_frequency"
TERRITORIES = "vocab_tgn_territories"
HVD_CATEGORY = "vocab_tgn_hvd_category"
SCHEMA = "vocab_tgn_schema"
COMPLETENESS = "tgn_completeness"  # two digits, so that the string field sorts as a number

DATASET_FIELDS = {
    THEME: "theme",
    FREQUENCY: "frequency",
    TERRITORIES: "territories",
    HVD_CATEGORY: "hvd_category",
}

# The recommended fields a complete description fills (none is required by the form).
# Each criterion is one point; docs/portal.md lists them for the agents.
DESCRIPTION_LENGTH = 100


def _period(d: dict[str, Any]) -> bool:
    return bool(d.get("temporal_start") or d.get("temporal_end"))


def _described_resources(d: dict[str, Any]) -> bool:
    resources = d.get("resources") or []
    return bool(resources) and all((r.get("description") or "").strip() for r in resources)


CRITERIA: dict[str, Any] = {
    "keywords": lambda d: bool(d.get("tags") or as_list(d.get("tag_string"), separator=",")),
    "territories": lambda d: bool(as_list(d.get("territories"))),
    "period": _period,
    "modified": lambda d: bool(d.get("modified")),
    "description": lambda d: len((d.get("notes") or "").strip()) > DESCRIPTION_LENGTH,
    "resources_described": _described_resources,
    "schema": lambda d: bool(schema_keys(d)),
}


def completeness(dataset: dict[str, Any]) -> list[str]:
    """Names of the completeness criteria the dataset meets (out of ``CRITERIA``)."""
    return [name for name, met in CRITERIA.items() if met(dataset)]


@cache
def schema_titles() -> dict[str, str]:
    """National Table Schema name -> its title, for the facet's labels."""
    return {s["name"]: s["title"] for s in vocab.table_schemas()}


def search_fields(dataset: dict[str, Any]) -> dict[str, Any]:
    """The fields the portal adds to the search document of this (validated) dataset."""
    fields: dict[str, Any] = {
        name: as_list(dataset.get(source)) for name, source in DATASET_FIELDS.items()
    }
    fields[SCHEMA] = schema_keys(dataset)
    fields[COMPLETENESS] = f"{len(completeness(dataset)):02d}"
    return {name: value for name, value in fields.items() if value}


def add_search_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: read the validated dataset, add the portal's fields (to
    datasets only: the facets and lists that read them are the datasets')."""
    if pkg_dict.get("type", "dataset") != "dataset":
        return pkg_dict
    try:
        dataset = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        dataset = {}
    pkg_dict.update(search_fields(dataset or {}))
    return pkg_dict
