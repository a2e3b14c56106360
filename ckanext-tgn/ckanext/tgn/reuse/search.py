"""How reuses meet CKAN's search: what they use is indexed, and a search of datasets (one
that names no type) never returns them, so no count, list or feed of datasets includes them."""

from __future__ import annotations

import re
from typing import Any

from ckanext.tgn.lib.jsonlist import as_list

REUSE = "reuse"
# The Solr field of the ids a reuse uses: CKAN's schema indexes vocab_* as multivalued strings.
USED_FIELD = "vocab_reuse_datasets"
_NAMES_A_TYPE = re.compile(r"(?:^|[\s(+-])(?:dataset_)?type:")


def index_used_datasets(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A reuse's document carries the ids of the datasets it uses (one search finds them)."""
    if pkg_dict.get("type") == REUSE:
        pkg_dict[USED_FIELD] = as_list(pkg_dict.get("datasets"))
    return pkg_dict


def names_a_type(search_params: dict[str, Any]) -> bool:
    """Whether the search's filters choose a type (words of a query never do)."""
    texts = [search_params.get("fq"), *search_params.get("fq_list", [])]
    return any(_NAMES_A_TYPE.search(text) for text in texts if isinstance(text, str))


def datasets_unless_asked(search_params: dict[str, Any]) -> dict[str, Any]:
    """A search that names no type (the API, organisation pages and counts) leaves reuses out;
    CKAN's /dataset and /reuse pages name theirs."""
    if not names_a_type(search_params):
        search_params["fq_list"] = [*search_params.get("fq_list", []), f"-dataset_type:{REUSE}"]
    return search_params


def used_by_query(dataset_id: str) -> str:
    """The filter of the public reuses that use this dataset."""
    return f'+dataset_type:{REUSE} +{USED_FIELD}:"{dataset_id}"'
