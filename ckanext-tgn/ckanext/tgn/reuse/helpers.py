"""Template helpers of the reuse pages and of the datasets' "Réutilisations" section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.tgn.lib.datasets import public_datasets
from ckanext.tgn.lib.jsonlist import as_list

from . import search

__all__ = [
    "humanize_entity_type",
    "tgn_reuse_dataset_names",
    "tgn_reuse_datasets_of",
    "tgn_reuse_type_label",
    "tgn_reuses_of",
]


# Whether any public, active reuse names the dataset, read in the database the search index
# follows. Most datasets have no reuse: one indexed query instead of a search (the search
# action, its plugins and Solr: a twentieth of a dataset page). When one names it, the search
# below decides what is shown, as before.
_NAMED = sa.text(
    """SELECT EXISTS (
        SELECT 1 FROM package p JOIN package_extra e ON e.package_id = p.id
        WHERE p.type = :type AND p.state = 'active' AND NOT coalesce(p.private, false)
            AND e.key = 'datasets' AND coalesce(e.state, 'active') = 'active'
            AND strpos(e.value, :id) > 0)"""
)


def _named_by_a_public_reuse(dataset_id: str) -> bool:
    return bool(model.Session.execute(_NAMED, {"type": search.REUSE, "id": dataset_id}).scalar())


def tgn_reuses_of(pkg: dict[str, Any]) -> dict[str, Any]:
    """The public reuses of a dataset, most recently changed first: ``count`` and ``results``.

    One search on the indexed ids; private, draft and deleted reuses are never in it.
    """
    if pkg.get("type") != "dataset" or not pkg.get("id") or not _named_by_a_public_reuse(pkg["id"]):
        return {"count": 0, "results": []}
    found = tk.get_action("package_search")(
        {"user": tk.current_user.name if tk.current_user else ""},
        {
            "fq": search.used_by_query(pkg["id"]),
            "rows": tk.config["ckanext.tgn.reuse.dataset_page_limit"],
            "sort": "metadata_modified desc",
            "include_private": False,
        },
    )
    return {"count": found["count"], "results": found["results"]}


def tgn_reuse_datasets_of(reuse: dict[str, Any]) -> list[dict[str, Any]]:
    """The datasets a reuse uses that are public today (one made private since is left out)."""
    return public_datasets(as_list(reuse.get("datasets")))


def tgn_reuse_dataset_names(value: Any) -> str:
    """The form's value of "Jeux de données utilisés": names, separated by commas.

    Stored ids of public datasets become their names; anything else (what the agent typed
    and the form sends back with an error) is shown as typed.
    """
    items = as_list(value, separator=",")
    names = {d["id"]: d["name"] for d in public_datasets(items)}
    return ", ".join(names.get(item, item) for item in items)


def tgn_reuse_type_label(value: str | None) -> str:
    """The French label of a kind of reuse (the choices of schemas/reuse.yaml)."""
    field = tk.h.scheming_field_by_name(
        tk.h.scheming_get_dataset_schema(search.REUSE)["dataset_fields"], "reuse_type"
    )
    return tk.h.scheming_choices_label(field["choices"], value) if value else ""


def _reuse_texts() -> dict[str, str]:
    return {
        "add link": tk._("Add a reuse"),
        "breadcrumb": tk._("Reuses"),
        "content tab": tk._("Reuses"),
        "create label": tk._("Record a reuse"),
        "create title": tk._("Record a reuse"),
        "delete confirmation": tk._("Are you sure you want to delete this reuse?"),
        "edit label": tk._("Edit the reuse"),
        "facet label": tk._("Reuses"),
        "form label": tk._("Reuse"),
        "main nav": tk._("Reuses"),
        "my label": tk._("My reuses"),
        "view label": tk._("View the reuse"),
        "name placeholder": tk._("my-reuse"),
        "no any objects": tk._("No reuse has been recorded yet."),
        "no description": tk._("This reuse has no description."),
        "page title": tk._("Reuses"),
        "save label": tk._("Save the reuse"),
        "search placeholder": tk._("Search reuses..."),
        "update label": tk._("Update the reuse"),
    }


@tk.chained_helper
def humanize_entity_type(
    next_helper: Callable[..., str | None], entity_type: str, object_type: str, purpose: str
) -> str | None:
    """CKAN's wording of a package type, in good French for reuses (CKAN would say "Reuses"
    untranslated, or "Reuse Form")."""
    if entity_type == "package" and object_type == search.REUSE:
        return _reuse_texts().get(purpose, tk._("Reuse"))
    return next_helper(entity_type, object_type, purpose)
