"""Datasets found by search: public ones by id (reuse pages, their schema.org description),
and every dataset a filter finds, page by page (dashboards, exports)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context


def public_datasets(ids: list[str]) -> list[dict[str, Any]]:
    """The public, active datasets (type ``dataset``) among these ids, in their order: one
    search, so a dataset made private or deleted since is simply not there."""
    quoted = " OR ".join(f'"{i}"' for i in ids if i and '"' not in i)
    if not quoted:
        return []
    found = tk.get_action("package_search")(
        {}, {"fq": f"+dataset_type:dataset +id:({quoted})", "rows": len(ids),
             "include_private": False},
    )["results"]  # fmt: skip
    order = {dataset_id: n for n, dataset_id in enumerate(ids)}
    return sorted(found, key=lambda d: order.get(d["id"], len(order)))


def every_dataset(context: Context, fq: str, *, include_private: bool) -> list[dict[str, Any]]:
    """Every dataset (type ``dataset``) the filter finds, as the caller may see them, page by
    page as far as the search returns (``ckan.search.rows_max``), by name."""
    found: list[dict[str, Any]] = []
    while True:
        page = tk.get_action("package_search")(
            {**context},
            {"fq": f"+dataset_type:dataset {fq}".strip(), "include_private": include_private,
             "rows": 1000, "start": len(found), "sort": "name asc"},
        )  # fmt: skip
        found += page["results"]
        if len(found) >= page["count"] or not page["results"]:
            return found
