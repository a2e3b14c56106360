"""Catalog endpoints for national harvesters: the site, each organisation, each dataset.

HTTP only: what to answer is decided in ``catalog``. data.gouv.fr maps one harvest source
to one of its organisations, guesses the format from the URL suffix and fails the whole job
on a redirect, so every catalog lives at a path without a query string and answers 200.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from . import catalog
from .catalog import CatalogRefused

tgn_dcat = Blueprint("tgn_dcat", __name__)


@tgn_dcat.errorhandler(CatalogRefused)
def refused(error: CatalogRefused) -> Response:
    """Every refusal as a short plain-text answer a harvester's log can show."""
    return Response(error.message + "\n", status=error.status, mimetype="text/plain")


def site_catalog(_format: str) -> Response:
    body, media_type = catalog.catalog_page(
        tk.request.args, "tgn_dcat.site_catalog", _format, {}, None
    )
    return Response(body, mimetype=media_type)


def _organization(id: str) -> dict[str, Any]:
    unknown = CatalogRefused(404, tk._('Unknown organization "{id}".').format(id=id))
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": id, "include_datasets": False}
        )
    except tk.ObjectNotFound:
        raise unknown from None
    if org.get("state") != "active":
        raise unknown
    return org


def organization_catalog(id: str, _format: str) -> Response:
    org = _organization(id)
    catalog_dict = {
        "title": tk._("Open data of {name}").format(name=org["title"]),
        "description": org.get("description")
        or tk._("Datasets published by {name} on the Tarn-et-Garonne platform.").format(
            name=org["title"]
        ),
        "homepage": tk.h.url_for("organization.read", id=org["name"], qualified=True),
        "organization": org,
    }
    body, media_type = catalog.catalog_page(
        tk.request.args,
        "tgn_dcat.organization_catalog",
        _format,
        catalog_dict,
        org["id"],
        id=org["name"],
    )
    return Response(body, mimetype=media_type)


def dataset(_id: str, _format: str) -> Response:
    """One dataset in RDF; 404 unless it is public and active, whoever asks."""
    body, media_type = catalog.dataset_document(_id, _format)
    return Response(body, mimetype=media_type)


tgn_dcat.add_url_rule("/catalog.<_format>", view_func=site_catalog)
tgn_dcat.add_url_rule("/organization/<id>/catalog.<_format>", view_func=organization_catalog)
tgn_dcat.add_url_rule("/dataset/<_id>.<_format>", view_func=dataset)
