"""The search page's facets: five values each (search.facets.default in platform.ini), the
others one link away, the most frequent first."""

from __future__ import annotations

import re

import pytest

from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _tag_facet(page: str) -> str:
    """The side column's section of the tags facet (the one whose links set tags=)."""
    sections = re.findall(r'<section class="module module-narrow module-shallow">.*?</section>',
                          page, re.S)  # fmt: skip
    found = [section for section in sections if "tags=" in section]
    assert len(found) == 1, sections
    return found[0]


def test_a_facet_shows_five_values_and_the_others_on_demand(app):
    org = data.organisation()["id"]
    for number in range(7):
        # tag "commun" on every dataset: the most frequent, listed first
        data.dataset(owner_org=org, tags=[{"name": "commun"}, {"name": f"mot-{number}"}])
    facet = _tag_facet(app.get("/dataset/").get_data(as_text=True))
    values = re.findall(r'href="[^"]*tags=([^"&]+)[^"]*"', facet)
    assert len(values) == 5 and values[0] == "commun"
    more = re.search(r'href="([^"]*_tags_limit=0[^"]*)"[^>]*>\s*Montrer plus', facet)
    assert more, facet
    everything = _tag_facet(app.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True))
    assert len(re.findall(r'href="[^"]*tags=([^"&]+)[^"]*"', everything)) == 8
