"""The search page's facets and the French label of each facet value.

Values are stored as URIs, codes or schema names; visitors read the vocabulary's French
label, the territory's name or the schema's title.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import refdata, vocab

from . import indexing

_VOCABULARIES = {
    indexing.THEME: "data-theme",
    indexing.FREQUENCY: "frequency",
    indexing.HVD_CATEGORY: "hvd-category",
}


def facet_titles() -> OrderedDict[str, str]:
    """Every facet of a dataset search, in the order the page shows them."""
    return OrderedDict(
        [
            ("organization", tk._("Organizations")),
            (indexing.THEME, tk._("Themes")),
            (indexing.TERRITORIES, tk._("Territories")),
            (indexing.FREQUENCY, tk._("Update frequency")),
            (indexing.HVD_CATEGORY, tk._("High-value dataset category")),
            (indexing.SCHEMA, tk._("Data schema")),
            ("res_format", tk._("Formats")),
            ("license_id", tk._("Licenses")),
            ("tags", tk._("Tags")),
        ]
    )


def dataset_facets(facets_dict: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """Ours first, in our order, then any another plugin added before us."""
    ours = facet_titles()
    for name, title in facets_dict.items():
        if name not in ours and name != "groups":
            ours[name] = title
    facets_dict.clear()
    facets_dict.update(ours)
    return facets_dict


def label(field: str, value: str) -> str:
    """The French label of one facet value (the value itself when it is unknown)."""
    if field in _VOCABULARIES:
        concept = vocab.vocabulary(_VOCABULARIES[field]).by_uri(value)
        return _capitalised(_translated(concept.fr, concept.en)) if concept else value
    if field == indexing.TERRITORIES:
        territory = refdata.territory(value)
        return refdata.territory_label(territory) if territory else value
    if field == indexing.SCHEMA:
        return indexing.schema_titles().get(value, value)
    if field == "res_format":
        concept = vocab.vocabulary("file-type").lookup(value)
        return _translated(concept.fr, concept.en) if concept else value
    if field == "license_id":
        for licence in vocab.licences():
            if licence["id"] == value:
                return _translated(licence["title"], licence.get("title_en") or licence["title"])
    return value


def _capitalised(text: str) -> str:
    """Frequencies are worded in lower case in the vocabulary: a list item starts with a capital."""
    return text[:1].upper() + text[1:]


def _translated(fr: str, en: str) -> str:
    try:
        language = tk.h.lang()
    except (AttributeError, RuntimeError, TypeError):  # outside a request
        language = "fr"
    return en if language == "en" else fr


def label_search_facets(search_facets: dict[str, Any]) -> None:
    """Give each facet item of a search result its label, in place (after_dataset_search)."""
    for field, facet in search_facets.items():
        if field in _VOCABULARIES or field in (indexing.TERRITORIES, indexing.SCHEMA, "res_format"):
            for item in facet.get("items", []):
                item["display_name"] = label(field, item["name"])
