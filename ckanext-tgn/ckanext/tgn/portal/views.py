"""Editorial pages, /sitemap.xml (streamed, public active datasets only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, stream_with_context

from .pages import PAGES, Page

portal = Blueprint("tgn_portal", __name__)

# Both kinds of pages a visitor may land on (datasets and the reuses beside them).
SITEMAP_TYPES = ("dataset", "reuse")


def _page_view(page: Page):
    def view() -> str:
        return tk.render(page.template, {"page": page})

    return view


for _page in PAGES:
    portal.add_url_rule(_page.path, endpoint=_page.endpoint, view_func=_page_view(_page))


def _url(location: str, lastmod: str | None = None) -> str:
    modified = f"<lastmod>{escape(lastmod[:10])}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(location)}</loc>{modified}</url>\n"


def _dataset_url(dataset: dict[str, Any]) -> str:
    try:
        return tk.h.url_for(f"{dataset['dataset_type']}.read", id=dataset["name"], qualified=True)
    except Exception:  # a type whose plugin is off: its page is still /dataset/<name>
        return tk.h.url_for("dataset.read", id=dataset["name"], qualified=True)


def _datasets() -> Iterator[dict[str, Any]]:
    """Every public, active dataset or reuse, a search page at a time, in a stable order."""
    size = tk.config["ckanext.tgn.portal.sitemap_page_size"]
    search = tk.get_action("package_search")
    types = " OR ".join(SITEMAP_TYPES)
    start = 0
    while True:
        page = search(
            {},
            {
                "fq": f"+dataset_type:({types})",
                "include_private": False,
                "include_drafts": False,
                "sort": "metadata_created asc, id asc",
                "rows": size,
                "start": start,
                "fl": "name,dataset_type,metadata_modified",
            },
        )
        yield from page["results"]
        start += len(page["results"])  # search answers at most ckan.search.rows_max rows
        if start >= page["count"] or not page["results"]:
            return


def _organizations() -> Iterator[str]:
    """Every active organisation's name, a list page at a time."""
    action = tk.get_action("organization_list")
    limit = tk.config["ckan.group_and_organization_list_max"]
    offset = 0
    while names := action({}, {"limit": limit, "offset": offset}):
        yield from names
        offset += len(names)


def _sitemap() -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    yield _url(tk.h.url_for("home.index", qualified=True))
    yield _url(tk.h.url_for("dataset.search", qualified=True))
    yield _url(tk.h.url_for("organization.index", qualified=True))
    for page in PAGES:
        yield _url(tk.h.url_for(f"tgn_portal.{page.endpoint}", qualified=True))
    for name in _organizations():
        yield _url(tk.h.url_for("organization.read", id=name, qualified=True))
    for dataset in _datasets():
        yield _url(_dataset_url(dataset), dataset.get("metadata_modified"))
    yield "</urlset>\n"


@portal.route("/sitemap.xml")
def sitemap() -> Response:
    return Response(stream_with_context(_sitemap()), mimetype="application/xml")
