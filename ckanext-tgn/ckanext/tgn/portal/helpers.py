"""Template helpers of the portal: home page figures, map, dataset "Informations", footer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import ckan.plugins.toolkit as tk
import shapely
import sqlalchemy as sa
from ckan import model
from shapely.geometry import mapping, shape
from sqlalchemy.orm import selectinload

from ckanext.tgn.lib import refdata, vocab
from ckanext.tgn.lib.jsonlist import as_list

from . import facets, indexing, pages

# Every count of the home page is over public, active datasets of this type only (never a
# reuse, a private dataset, a draft or a deleted one): package_search guarantees the rest.
DATASET_FQ = "+dataset_type:dataset"
# Outlines on the home map are simplified to this tolerance (degrees, about 200 m).
MAP_TOLERANCE = 0.002
# Datasets in each list of the home page (latest, most complete).
LATEST = 6


def _search(**params: Any) -> dict[str, Any]:
    data_dict = {"fq": DATASET_FQ, "include_private": False, "include_drafts": False, **params}
    return tk.get_action("package_search")({}, data_dict)


def tgn_portal_home() -> dict[str, Any]:
    """The home page's counters, themes, per-organisation counts and latest datasets, from
    one search."""
    result = _search(
        rows=LATEST,
        sort="metadata_created desc",
        **{
            "facet.field": json.dumps(["organization", indexing.THEME]),
            "facet.limit": -1,
            "facet.mincount": 1,
        },
    )
    search_facets = result.get("search_facets", {})
    org_items = search_facets.get("organization", {}).get("items", [])
    org_counts = {item["name"]: item["count"] for item in org_items}
    themes = sorted(
        (
            {
                "uri": item["name"],
                "label": item["display_name"],  # labelled by after_dataset_search
                "count": item["count"],
                "code": item["name"].rsplit("/", 1)[-1],
            }
            for item in search_facets.get(indexing.THEME, {}).get("items", [])
        ),
        key=lambda theme: (-theme["count"], theme["label"]),
    )
    return {
        "datasets": result["count"],
        "organizations": len(org_counts),
        "org_counts": org_counts,
        "themes": themes,
        "latest": result["results"],
        "checked_tables": _checked_tables(),
    }


def _checked_tables() -> int | None:
    """Tables checked against their schema, when the validation plugin is on."""
    try:
        action = tk.get_action("tgn_validation_checked_count")
    except KeyError:
        return None
    return action({}, {})["checked"]


def tgn_portal_most_complete(limit: int = LATEST) -> list[dict[str, Any]]:
    """The datasets that fill the most recommended fields (see indexing.CRITERIA)."""
    return _search(rows=limit, sort=f"{indexing.COMPLETENESS} desc, metadata_modified desc")[
        "results"
    ]


def tgn_portal_completeness(pkg: dict[str, Any]) -> dict[str, Any]:
    """Completeness of a dataset: how many recommended fields it fills, and which it lacks."""
    met = indexing.completeness(pkg)
    labels = {
        "keywords": tk._("keywords"),
        "territories": tk._("territorial coverage"),
        "period": tk._("period covered"),
        "modified": tk._("date of last modification"),
        "description": tk._("description of more than 100 characters"),
        "resources_described": tk._("a description for every file"),
        "schema": tk._("data schema"),
    }
    return {
        "score": len(met),
        "total": len(indexing.CRITERIA),
        "missing": [labels[name] for name in indexing.CRITERIA if name not in met],
    }


@lru_cache(maxsize=64)
def _simplified(geometry: str) -> dict[str, Any] | None:
    try:
        outline = shape(json.loads(geometry))
    except (ValueError, TypeError, AttributeError):
        return None
    simplified = shapely.set_precision(outline.simplify(MAP_TOLERANCE), 10**-4)
    return mapping(simplified)


def tgn_portal_epci(org_counts: dict[str, int]) -> list[dict[str, Any]]:
    """The intercommunalités (organisations of kind EPCI) with their public dataset counts,
    outline and page address, by name."""
    kind = model.GroupExtra
    groups = (
        model.Session.query(model.Group)
        .join(kind, kind.group_id == model.Group.id)
        .filter(kind.key == "territory_kind", kind.value == refdata.KIND_EPCI)
        .filter(kind.state == "active")
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .options(selectinload(model.Group._extras))
        .order_by(model.Group.title)
    )
    found = []
    for group in groups:
        geometry = group.extras.get("geometry")
        found.append(
            {
                "name": group.name,
                "title": group.title or group.name,
                "count": org_counts.get(group.name, 0),
                "url": tk.h.url_for("organization.read", id=group.name),
                "geometry": _simplified(geometry) if geometry else None,
            }
        )
    return found


def tgn_portal_map_features(epci: list[dict[str, Any]]) -> str:
    """The EPCI as a GeoJSON FeatureCollection for the home map (outlines only)."""
    features = [
        {
            "type": "Feature",
            "geometry": e["geometry"],
            "properties": {"title": e["title"], "count": e["count"], "url": e["url"]},
        }
        for e in epci
        if e["geometry"]
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def tgn_portal_map_tiles() -> dict[str, str]:
    """The base map of the territories plugin's option, if any (none: outlines only)."""
    return {
        "url": tk.config.get("ckanext.tgn.territories.map_tiles_url") or "",
        "attribution": tk.config.get("ckanext.tgn.territories.map_attribution") or "",
    }


def tgn_portal_dataset_info(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the "Informations" block of a dataset page shows, labelled in French."""
    frequency = as_list(pkg.get("frequency"))
    schemas = [
        {
            "resource_id": resource["id"],
            "resource_name": tk.h.resource_display_name(resource),
            "schema_url": resource["conforms_to"],
            "schema_title": vocab.table_schema_urls().get(
                resource["conforms_to"], resource["conforms_to"]
            ),
        }
        for resource in pkg.get("resources") or []
        if resource.get("conforms_to")  # the form's "other schema" is stored as its URL
    ]
    licence_id = pkg.get("license_id")
    licence = None
    if licence_id:
        title = facets.label("license_id", licence_id)
        licence = {
            "title": pkg.get("license_title") or title if title == licence_id else title,
            "url": pkg.get("license_url"),
        }
    return {
        "licence": licence,
        "frequency": facets.label(indexing.FREQUENCY, frequency[0]) if frequency else None,
        "start": pkg.get("temporal_start"),
        "end": pkg.get("temporal_end"),
        "territories": [
            facets.label(indexing.TERRITORIES, code) for code in as_list(pkg.get("territories"))
        ],
        "spatial": pkg.get("spatial") or None,
        "schemas": schemas,
    }


def tgn_portal_organization(pkg: dict[str, Any]) -> dict[str, Any]:
    """The dataset's organisation for the side column of its pages, from the dataset itself.

    CKAN's block asks organization_show for it: members, counts and two searches, about a
    third of a dataset page's time, for a name, a logo and a description the dataset already
    carries. The logo's address follows CKAN's rule (an upload is served under uploads/group/).
    """
    org = dict(pkg.get("organization") or {})
    image = org.get("image_url") or ""
    org["image_display_url"] = (
        tk.h.url_for_static(f"uploads/group/{image}", qualified=True)
        if image and not image.startswith("http")
        else image
    )
    return org


_FOLLOWERS = sa.text(
    """SELECT count(*) FROM user_following_dataset f JOIN "user" u ON u.id = f.follower_id
    WHERE f.object_id = :id AND u.state != 'deleted'"""
)


def tgn_portal_follower_count(pkg: dict[str, Any]) -> int:
    """How many active users follow the dataset, in one query: the page has already shown
    the dataset to the visitor; CKAN's follow_count helper authorises, validates and looks
    the dataset up again (10 ms, twice a page, for a number)."""
    return int(model.Session.execute(_FOLLOWERS, {"id": pkg["id"]}).scalar() or 0)


def tgn_portal_social_links() -> bool:
    """Whether pages offer share links to social networks (off by default: they are
    third-party requests and trackers the visitor did not ask for)."""
    return tk.config["ckanext.tgn.portal.social_links"]


def tgn_portal_contact_email() -> str:
    return tk.config["ckanext.tgn.portal.contact_email"]


def tgn_portal_format_label(code: str) -> str:
    """A resource's format as visitors read it ("Service de cartes WMS", not WMS_SRVC)."""
    return facets.label("res_format", code)


def tgn_portal_pages() -> list[dict[str, str]]:
    """The editorial pages, for the footer and the site map."""
    return [
        {"endpoint": f"tgn_portal.{page.endpoint}", "title": page.title} for page in pages.PAGES
    ]


@tk.chained_helper
def markdown_extract(next_helper: Callable[..., str], text: str, extract_length: int = 190) -> str:
    """CKAN's plain-text extract of a description, remembered by text: markdown then bleach
    take 1 to 2 ms per dataset, twenty times on each search page, always for the same few
    hundred descriptions. The extract depends on the text and length only."""
    return _markdown_extract(next_helper, text or "", extract_length)


@lru_cache(maxsize=4096)
def _markdown_extract(next_helper: Callable[..., str], text: str, extract_length: int) -> str:
    return next_helper(text, extract_length)
