"""Catalog endpoints for national harvesters: the site, each organisation, each dataset.

data.gouv.fr maps one harvest source to one of its organisations, guesses the format from the
URL suffix and fails the whole job on a redirect. So: paths without query strings, 200 with
absolute Hydra links built from ``ckan.site_url``, a page order that an edit cannot shuffle,
and only public, active datasets whatever the parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError
from flask import Blueprint, Response
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, Namespace

from ckanext.dcat.processors import RDFSerializer

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

# URL suffix -> (rdflib format, media type)
FORMATS = {
    "xml": ("xml", "application/rdf+xml"),
    "rdf": ("xml", "application/rdf+xml"),
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
}
# Search syntax that could reach beyond public, active datasets or run other query parsers
# (defence in depth: CKAN keeps its own filters in a separate fq): local parameters, nested
# queries and the fields that hold visibility.
_FORBIDDEN = re.compile(
    r"\{!|_query_|\b(capacity|state|private|permission_labels|site_id)\s*:", re.IGNORECASE
)
PAGE_ORDER = "metadata_created asc, id asc"
MAX_PAGE = 100_000

tgn_dcat = Blueprint("tgn_dcat", __name__)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


class CatalogSerializer(RDFSerializer):
    """ckanext-dcat's serializer with a catalog node of our choosing and absolute Hydra links.

    A per-organisation catalog is a catalog of its own, at its own URL.
    """

    def __init__(self, catalog_url: str) -> None:
        super().__init__()
        self.catalog_url = catalog_url

    def graph_from_catalog(self, catalog_dict: dict | None = None) -> URIRef:
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


def _rdf_format(suffix: str) -> tuple[str, str]:
    if suffix not in FORMATS:
        raise _Refused(404, f"Format inconnu « {suffix} » : utilisez .xml, .ttl ou .jsonld.")
    return FORMATS[suffix]


def _page() -> int:
    raw = tk.request.args.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        page = 0
    if page < 1:
        raise _Refused(400, "Le paramètre page doit être un entier supérieur ou égal à 1.")
    if page > MAX_PAGE:  # Solr's start is an int: never send it an absurd offset
        raise _Refused(404, f"Page {page} inexistante.")
    return page


def _search_filters() -> dict[str, Any]:
    """The harvester's own q / fq / modified_since, checked so they can only narrow."""
    args = tk.request.args
    q, fq = args.get("q", "").strip(), args.get("fq", "").strip()
    for name, value in (("q", q), ("fq", fq)):
        if _FORBIDDEN.search(value):
            raise _Refused(400, f"Paramètre {name} refusé : cette syntaxe n'est pas permise ici.")
    fq_list = [fq] if fq else []
    since = args.get("modified_since", "").strip()
    if since:
        try:
            day = dt.datetime.fromisoformat(since).date().isoformat()
        except ValueError:
            raise _Refused(
                400, "Le paramètre modified_since doit être une date ISO, ex. 2025-01-31."
            ) from None
        fq_list.append(f"metadata_modified:[{day}T00:00:00Z TO *]")
    return {"q": q or "*:*", "fq_list": fq_list}


def _public_search(extra_fq: list[str], page: int) -> dict[str, Any]:
    """Public, active datasets only; the user's filters go in their own fq (an AND)."""
    # package_search caps rows at ckan.search.rows_max: page with the rows it will return.
    rows = min(
        int(tk.config.get("ckanext.dcat.datasets_per_page") or 100),
        int(tk.config.get("ckan.search.rows_max") or 1000),
    )
    filters = _search_filters()
    data_dict = {
        "q": filters["q"],
        "fq_list": ["-dataset_type:harvest", *extra_fq, *filters["fq_list"]],
        "include_private": False,
        "include_drafts": False,
        "include_deleted": False,
        "sort": PAGE_ORDER,
        "rows": rows,
        "start": (page - 1) * rows,
    }
    # Anonymous on purpose: a logged-in sysadmin harvests exactly what the public sees.
    try:
        result = tk.get_action("package_search")({"ignore_auth": True, "user": ""}, data_dict)
    except (tk.ValidationError, SearchError):
        raise _Refused(400, "Paramètres q ou fq invalides : la recherche a échoué.") from None
    result["rows"] = rows
    return result


def _absolute(endpoint: str, **values: Any) -> str:
    """ckan.site_url (with any path it has) followed by the route (with any root path)."""
    return tk.config["ckan.site_url"].rstrip("/") + tk.h.url_for(endpoint, **values)


def _paging(endpoint: str, page: int, result: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Absolute page URLs from ckan.site_url (root path included), parameters encoded."""
    kept = [(k, v) for k, v in tk.request.args.items() if k in ("q", "fq", "modified_since")]

    def url(number: int) -> str:
        return f"{_absolute(endpoint, **values)}?{urlencode([*kept, ('page', number)])}"

    last = max(1, math.ceil(result["count"] / result["rows"]))
    if page > last:
        raise _Refused(404, f"Page {page} inexistante : ce catalogue a {last} page(s).")
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


def _catalog(
    endpoint: str, suffix: str, catalog_dict: dict, extra_fq: list[str], **values: Any
) -> Response:
    rdf_format, media_type = _rdf_format(suffix)
    page = _page()
    result = _public_search(extra_fq, page)
    paging = _paging(endpoint, page, result, _format=suffix, **values)
    catalog_url = _absolute(endpoint, _format=suffix, **values)
    serializer = CatalogSerializer(catalog_url.rsplit(".", 1)[0])
    body = serializer.serialize_catalog(
        catalog_dict, result["results"], _format=rdf_format, pagination_info=paging
    )
    return Response(body, mimetype=media_type)


def site_catalog(_format: str) -> Response:
    try:
        return _catalog("tgn_dcat.site_catalog", _format, {}, [])
    except _Refused as e:
        return _error(e.status, e.message)


def organization_catalog(id: str, _format: str) -> Response:
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": id, "include_datasets": False}
        )
    except tk.ObjectNotFound:
        return _error(404, f"Organisation inconnue « {id} ».")
    if org.get("state") != "active":
        return _error(404, f"Organisation inconnue « {id} ».")
    catalog_dict = {
        "title": tk._("Open data of {name}").format(name=org["title"]),
        "description": org.get("description")
        or tk._("Datasets published by {name} on the Tarn-et-Garonne platform.").format(
            name=org["title"]
        ),
        "homepage": tk.h.url_for("organization.read", id=org["name"], qualified=True),
        "organization": org,
    }
    try:
        return _catalog(
            "tgn_dcat.organization_catalog",
            _format,
            catalog_dict,
            [f'owner_org:"{org["id"]}"'],
            id=org["name"],
        )
    except _Refused as e:
        return _error(e.status, e.message)


def dataset(_id: str, _format: str) -> Response:
    """One dataset in RDF; 404 unless it is public and active, whoever asks."""
    try:
        rdf_format, media_type = _rdf_format(_format)
    except _Refused as e:
        return _error(e.status, e.message)
    try:
        dataset_dict = tk.get_action("package_show")({"ignore_auth": True}, {"id": _id})
    except tk.ObjectNotFound:
        dataset_dict = None
    if not dataset_dict or dataset_dict.get("private") or dataset_dict.get("state") != "active":
        return _error(404, "Jeu de données introuvable.")
    body = RDFSerializer().serialize_dataset(dataset_dict, _format=rdf_format)
    return Response(body, mimetype=media_type)


tgn_dcat.add_url_rule("/catalog.<_format>", view_func=site_catalog)
tgn_dcat.add_url_rule("/organization/<id>/catalog.<_format>", view_func=organization_catalog)
tgn_dcat.add_url_rule("/dataset/<_id>.<_format>", view_func=dataset)
