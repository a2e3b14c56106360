"""The DataStore data dictionary of a table, from the Table Schema it follows.

The schema's titles and descriptions become each column's label and notes, so the preview
and the data API describe the columns in the words of the national schema. Columns the
schema does not name, and any label an agent wrote by hand, are left as they are.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import table_schemas
from ckanext.tgn.lib.context import site_user_context
from ckanext.tgn.lib.problems import Problem

log = logging.getLogger(__name__)


def column_info(field: dict[str, Any]) -> dict[str, str]:
    """A Table Schema field in the DataStore's terms: ``label`` and ``notes``."""
    notes = str(field.get("description") or "").strip()
    example = field.get("example")
    if example not in (None, ""):
        notes = f"{notes}\n\n{tk._('Example:')} {example}".strip()
    return {"label": str(field.get("title") or field.get("name") or ""), "notes": notes}


def merged_fields(
    columns: list[dict[str, Any]], schema_fields: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The DataStore columns with the schema's words added; None when nothing changes."""
    by_name = {f.get("name"): f for f in schema_fields if isinstance(f, dict)}
    changed = False
    merged = []
    for column in columns:
        info = dict(column.get("info") or {})
        field = by_name.get(column["id"])
        if field is not None:
            for key, value in column_info(field).items():
                if value and not info.get(key):
                    info[key] = value
                    changed = True
        merged.append({"id": column["id"], "type": column["type"], "info": info})
    return merged if changed else None


def fill_from_schema(resource: dict[str, Any], dataset: dict[str, Any]) -> None:
    """After xloader loaded a table: describe its columns from its schema, if it has one."""
    schema_url = str(resource.get("conforms_to") or "").strip()
    if not schema_url or not p.plugin_loaded("tgn_validation"):
        return
    try:
        descriptor = table_schemas.resolve(schema_url, dataset.get("owner_org"))
    except Problem:
        log.warning("No data dictionary for %s: schema %s unavailable", resource["id"], schema_url)
        return
    context = site_user_context()
    info = tk.get_action("datastore_info")(context, {"id": resource["id"]})
    columns = [c for c in info.get("fields", []) if not str(c["id"]).startswith("_")]
    fields = merged_fields(columns, descriptor.get("fields") or [])
    if fields is None:
        return
    tk.get_action("datastore_create")(
        context, {"resource_id": resource["id"], "force": True, "fields": fields}
    )
