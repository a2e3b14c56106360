"""Catalog pages: which datasets, in what order, with what paging, serialised how.

Only public, active datasets of the ``dataset`` type, whatever the harvester's parameters;
a page order that an edit cannot shuffle; absolute Hydra links built from ``ckan.site_url``.
The views turn a ``CatalogRefused`` into its HTTP answer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search import SearchError
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF
from sqlalchemy.exc import SQLAlchemyError

from ckanext.dcat.processors import HYDRA

from . import fragments, store
from .fragments import Unrenderable
from .serializer import Serializer

log = logging.getLogger(__name__)

# URL suffix -> (rdflib format, media type, column of the fragment cache)
FORMATS = {
    "xml": ("xml", "application/rdf+xml", "rdfxml"),
    "rdf": ("xml", "application/rdf+xml", "rdfxml"),
    "ttl": ("turtle", "text/turtle", "ttl"),
    "jsonld": ("json-ld", "application/ld+json", "jsonld"),
}
# Search syntax that could reach beyond public, active datasets or run other query parsers
# (defence in depth: CKAN keeps its own filters in a separate fq): local parameters, nested
# queries and the fields that hold visibility.
_FORBIDDEN = re.compile(
    r"\{!|_query_|\b(capacity|state|private|permission_labels|site_id)\s*:", re.IGNORECASE
)
PAGE_ORDER = "metadata_created asc, id asc"
MAX_PAGE = 100_000
# The one package type the catalogs list and describe (harvest sources are packages too).
CATALOG_TYPE = "dataset"

# The harvester's parameters that narrow a catalog, kept in its paging links.
FILTER_PARAMETERS = ("q", "fq", "modified_since")


class CatalogRefused(Exception):
    """A request the catalog cannot answer: its HTTP status and a message for the harvester."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class CatalogSerializer(Serializer):
    """ckanext-dcat's serializer with a catalog node of our choosing and absolute Hydra links.

    A per-organisation catalog is a catalog of its own, at its own URL.
    """

    def __init__(self, catalog_url: str) -> None:
        super().__init__()
        self.catalog_url = catalog_url

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None = None) -> URIRef:
        # Upstream names the catalog after ckan.site_url; ours is the page's own catalog URL.
        ref = URIRef(self.catalog_url)
        for profile_class in self._profiles:
            profile = profile_class(self.g, compatibility_mode=self.compatibility_mode)
            profile.graph_from_catalog(catalog_dict, ref)
        return ref

    def _add_pagination_triples(self, paging_info: dict[str, Any]) -> URIRef:
        """A hydra:PartialCollectionView whose links are IRIs, not string literals."""
        self.g.bind("hydra", HYDRA)
        ref = URIRef(paging_info["current"])
        self.g.add((ref, RDF.type, HYDRA.PartialCollectionView))
        self.g.add((ref, RDF.type, HYDRA.PagedCollection))  # older harvesters read this
        for key, predicates in (
            ("next", (HYDRA.next, HYDRA.nextPage)),
            ("previous", (HYDRA.previous, HYDRA.previousPage)),
            ("first", (HYDRA.first, HYDRA.firstPage)),
            ("last", (HYDRA.last, HYDRA.lastPage)),
        ):
            if paging_info.get(key):
                for predicate in predicates:
                    self.g.add((ref, predicate, URIRef(paging_info[key])))
        self.g.add((ref, HYDRA.totalItems, Literal(paging_info["count"])))
        self.g.add((ref, HYDRA.itemsPerPage, Literal(paging_info["items_per_page"])))
        return ref


def rdf_format(suffix: str) -> tuple[str, str]:
    """The rdflib format and media type of a URL suffix."""
    if suffix not in FORMATS:
        raise CatalogRefused(
            404, tk._('Unknown format "{suffix}": use .xml, .ttl or .jsonld.').format(suffix=suffix)
        )
    rdf, media_type, _ = FORMATS[suffix]
    return rdf, media_type


def page_number(raw: str) -> int:
    """The ``page`` parameter, 1 or more and small enough for Solr."""
    try:
        page = int(raw)
    except ValueError:
        page = 0
    if page < 1:
        raise CatalogRefused(400, tk._("The page parameter must be an integer of 1 or more."))
    if page > MAX_PAGE:  # Solr's start is an int: never send it an absurd offset
        raise CatalogRefused(404, tk._("Page {page} does not exist.").format(page=page))
    return page


def search_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The harvester's own q / fq / modified_since, checked so they can only narrow."""
    q, fq = args.get("q", "").strip(), args.get("fq", "").strip()
    for name, value in (("q", q), ("fq", fq)):
        if _FORBIDDEN.search(value):
            raise CatalogRefused(
                400,
                tk._("Parameter {name} refused: this syntax is not allowed here.").format(
                    name=name
                ),
            )
    fq_list = [fq] if fq else []
    since = args.get("modified_since", "").strip()
    if since:
        try:
            day = dt.datetime.fromisoformat(since).date().isoformat()
        except ValueError:
            raise CatalogRefused(
                400,
                tk._("The modified_since parameter must be an ISO date, e.g. 2025-01-31."),
            ) from None
        fq_list.append(f"metadata_modified:[{day}T00:00:00Z TO *]")
    return {"q": q or "*:*", "fq_list": fq_list}


# Harvested from a catalog data.gouv.fr already harvests (the source file's datagouv.expose):
# served again, they would come back to data.gouv.fr as duplicates.
NOT_EXPOSED = "-datagouv_expose:false"


def rows_per_page() -> int:
    # package_search caps rows at ckan.search.rows_max: page with the rows it will return.
    return min(
        int(tk.config.get("ckanext.dcat.datasets_per_page") or 100),
        int(tk.config.get("ckan.search.rows_max") or 1000),
    )


def _public_query(fq_list: list[str], **data: Any) -> dict[str, Any]:
    """package_search over what the catalogs may list: public, active datasets of the
    catalog type, not exposed elsewhere; ``fq_list`` can only narrow it."""
    # Anonymous on purpose: a logged-in sysadmin harvests exactly what the public sees.
    return tk.get_action("package_search")(
        {"ignore_auth": True, "user": ""},
        {
            "fq_list": [f"+dataset_type:{CATALOG_TYPE}", NOT_EXPOSED, *fq_list],
            "include_private": False,
            "include_drafts": False,
            "include_deleted": False,
            **data,
        },
    )


def public_search(
    args: Mapping[str, str], extra_fq: list[str], page: int, **extra: Any
) -> dict[str, Any]:
    """Public, active datasets only; the harvester's filters go in their own fq (an AND)."""
    rows = rows_per_page()
    filters = search_filters(args)
    try:
        result = _public_query(
            [*extra_fq, *filters["fq_list"]],
            q=filters["q"],
            sort=PAGE_ORDER,
            rows=rows,
            start=(page - 1) * rows,
            **extra,
        )
    except (tk.ValidationError, SearchError):
        raise CatalogRefused(400, tk._("Invalid q or fq parameters: the search failed.")) from None
    result["rows"] = rows
    return result


def absolute_url(endpoint: str, **values: Any) -> str:
    """ckan.site_url (with any path it has) followed by the route (with any root path)."""
    return tk.config["ckan.site_url"].rstrip("/") + tk.h.url_for(endpoint, **values)


def paging(
    args: Mapping[str, str], endpoint: str, page: int, result: dict[str, Any], **values: Any
) -> dict[str, Any]:
    """Absolute page URLs from ckan.site_url (root path included), parameters encoded."""
    kept = [(k, v) for k, v in args.items() if k in FILTER_PARAMETERS]

    def url(number: int) -> str:
        return f"{absolute_url(endpoint, **values)}?{urlencode([*kept, ('page', number)])}"

    last = max(1, math.ceil(result["count"] / result["rows"]))
    if page > last:
        raise CatalogRefused(
            404,
            tk._("Page {page} does not exist: this catalog has {last} page(s).").format(
                page=page, last=last
            ),
        )
    info = {
        "count": result["count"],
        "items_per_page": result["rows"],
        "current": url(page),
        "first": url(1),
        "last": url(last),
    }
    if page < last:
        info["next"] = url(page + 1)
    if page > 1:
        info["previous"] = url(page - 1)
    return info


def _org_filter(owner_org: str | None) -> list[str]:
    return [f'owner_org:"{owner_org}"'] if owner_org else []


def catalog_page(
    args: Mapping[str, str],
    endpoint: str,
    suffix: str,
    catalog_dict: dict[str, Any],
    owner_org: str | None,
    **values: Any,
) -> tuple[str, str]:
    """One page of a catalog (the site's, or one organisation's): its body and media type."""
    _, media_type = rdf_format(suffix)
    page = page_number(args.get("page", "1"))
    if tk.config["ckanext.tgn.dcat.cache"] and not tk.asbool(
        tk.config.get("ckanext.dcat.expose_subcatalogs")
    ):
        try:
            body = cached_page(args, endpoint, suffix, catalog_dict, owner_org, page, **values)
            return body, media_type
        except Unrenderable as error:
            log.warning("DCAT page built without its cache: %s", error)
        except SQLAlchemyError:  # the cache tables missing (db upgrade not run), a lost link…
            log.exception("DCAT page built without its cache: database error")
            model.Session.rollback()
    body = uncached_page(args, endpoint, suffix, catalog_dict, owner_org, page, **values)
    return body, media_type


def _catalog_url(endpoint: str, suffix: str, **values: Any) -> str:
    return absolute_url(endpoint, _format=suffix, **values).rsplit(".", 1)[0]


def uncached_page(
    args: Mapping[str, str],
    endpoint: str,
    suffix: str,
    catalog_dict: dict[str, Any],
    owner_org: str | None,
    page: int,
    **values: Any,
) -> str:
    """The page as ckanext-dcat builds one: the profile runs on every dataset, rdflib writes."""
    rdf, _ = rdf_format(suffix)
    result = public_search(args, _org_filter(owner_org), page)
    info = paging(args, endpoint, page, result, _format=suffix, **values)
    serializer = CatalogSerializer(_catalog_url(endpoint, suffix, **values))
    return serializer.serialize_catalog(
        catalog_dict, result["results"], _format=rdf, pagination_info=info
    )


def _filtered(args: Mapping[str, str]) -> bool:
    return any(args.get(name, "").strip() for name in FILTER_PARAMETERS)


def cached_page(
    args: Mapping[str, str],
    endpoint: str,
    suffix: str,
    catalog_dict: dict[str, Any],
    owner_org: str | None,
    page: int,
    **values: Any,
) -> str:
    """The page joined from stored fragments, membership and order read from ``package``.

    With q / fq / modified_since, Solr finds the candidates (in its order) and the database
    still decides which of them are public.
    """
    column = FORMATS[suffix][2]
    rows = rows_per_page()
    indexed: dict[str, str | None] | None = None
    if _filtered(args):
        result = public_search(args, _org_filter(owner_org), page, fl=["id", "indexed_ts"])
        total, ids = result["count"], [r["id"] for r in result["results"]]
        indexed = {r["id"]: r.get("indexed_ts") for r in result["results"]}
    else:
        total, ids = store.count(CATALOG_TYPE, owner_org), []
    # Before the page's ids: a page past the end is refused without reading them.
    info = paging(args, endpoint, page, {"count": total, "rows": rows}, _format=suffix, **values)
    if indexed is None:
        ids = store.page_ids(CATALOG_TYPE, owner_org, rows, (page - 1) * rows)
    generation = fragments.generation()
    entries = store.entries(ids, CATALOG_TYPE, column, generation, dt.date.today())
    fresh_entries(entries, indexed)
    shared = store.blocks(_keys(e for e in entries if e.fresh), column)
    for entry in entries:
        if entry.fresh and _lacks(entry, shared):
            entry.body = None  # a block gone from the table: render the fragment again
    stale = [e for e in entries if not e.fresh]
    if stale:
        render_stale(stale, column, shared, generation)
    entries = [e for e in entries if e.fresh]
    return fragments.join(
        column,
        [
            _catalog_block(endpoint, suffix, catalog_dict, entries, info, column, **values),
            *(e.body or "" for e in entries),
            *(shared[k] for k in _keys(entries)),
        ],
    )


def _keys(entries: Iterable[store.Entry]) -> list[str]:
    """The shared blocks the entries' fragments point at, each once, in order."""
    return list(dict.fromkeys(k for e in entries for k in e.shared or []))


def _lacks(entry: store.Entry, shared: dict[str, str]) -> bool:
    return any(k not in shared for k in entry.shared or [])


def _index_search(ids: list[str], fl: list[str]) -> list[dict[str, Any]]:
    """These datasets as the search index holds them, if public and of the catalog type."""
    if not ids:
        return []
    wanted = "id:(" + " OR ".join(f'"{i}"' for i in ids) + ")"
    return _public_query([wanted], q="*:*", rows=len(ids), fl=fl)["results"]


def fresh_entries(entries: list[store.Entry], indexed: dict[str, str | None] | None = None) -> None:
    """Keep a stored fragment only if it was rendered from the version of the dataset the
    search index holds now (Solr's ``indexed_ts`` of its document): any reindexing (a save, a
    bulk update, ``search-index rebuild``) makes it stale, a save that changed nothing (CKAN
    then moves ``metadata_modified`` but does not reindex) does not."""
    stored = [e.package_id for e in entries if e.fresh]
    if indexed is None:
        indexed = {
            r["id"]: r.get("indexed_ts") for r in _index_search(stored, ["id", "indexed_ts"])
        }
    for entry in entries:
        if entry.fresh and entry.indexed != indexed.get(entry.package_id):
            entry.body = None


def render_stale(
    stale: list[store.Entry], column: str, shared: dict[str, str], generation: str
) -> int:
    """Render the stale fragments of a page from the search index (as an uncached page
    would), store them, and fill in the entries and the page's shared blocks; the number
    rendered."""
    found = _index_search(
        [e.package_id for e in stale], ["id", "indexed_ts", "validated_data_dict"]
    )
    documents = {d["id"]: d for d in found}
    # Organisations are read again from the database: at least as new as the signatures
    # the entries hold, never older (a renamed organisation loaded earlier in the request).
    model.Session.expire_all()
    renderer = fragments.Renderer(known_blocks=shared)
    rendered = []
    for entry in stale:
        document = documents.get(entry.package_id)
        if document is None or not document.get("validated_data_dict"):
            log.warning("DCAT: %s listed in the database, not in the index", entry.package_id)
            continue
        dataset_dict = json.loads(document["validated_data_dict"])
        fragment = renderer.render(dataset_dict, document.get("indexed_ts") or "")
        rendered.append(fragment)
        entry.uri, entry.shared, entry.body = fragment.uri, fragment.shared, fragment.bodies[column]
        for block in fragment.blocks:
            shared.setdefault(block.key, block.bodies[column])
    try:
        store.save(rendered, {e.package_id: e.org_sig for e in stale}, generation)
    except SQLAlchemyError:
        log.exception("DCAT: fragments not stored (the page is served all the same)")
    return len(rendered)


def _catalog_block(
    endpoint: str,
    suffix: str,
    catalog_dict: dict[str, Any],
    entries: list[store.Entry],
    info: dict[str, Any],
    column: str,
    **values: Any,
) -> str:
    """The catalog node, its dcat:dataset links and the Hydra paging, built live."""
    serializer = CatalogSerializer(_catalog_url(endpoint, suffix, **values))
    catalog_ref = serializer.graph_from_catalog(catalog_dict)
    for entry in entries:
        serializer.g.add((catalog_ref, DCAT.dataset, URIRef(entry.uri or "")))
    serializer._add_pagination_triples(info)
    return fragments.serialise(serializer.g, [column])[column]


def _public_dataset(id_or_name: str) -> dict[str, Any]:
    """A public, active dataset of the catalogs' type, or ``CatalogRefused`` 404 whoever asks."""
    try:
        dataset_dict = tk.get_action("package_show")({"ignore_auth": True}, {"id": id_or_name})
    except tk.ObjectNotFound:
        dataset_dict = None
    if (
        not dataset_dict
        or dataset_dict.get("private")
        or dataset_dict.get("state") != "active"
        or dataset_dict.get("type") != CATALOG_TYPE  # a harvest source is not in the catalogs
    ):
        raise CatalogRefused(404, tk._("No public dataset has this name or id."))
    return dataset_dict


def dataset_document(id_or_name: str, suffix: str) -> tuple[str, str]:
    """One public dataset in RDF: its body and media type (an unknown suffix is refused
    before any lookup)."""
    rdf, media_type = rdf_format(suffix)
    dataset_dict = _public_dataset(id_or_name)
    return Serializer().serialize_dataset(dataset_dict, _format=rdf), media_type
