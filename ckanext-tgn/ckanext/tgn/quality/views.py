"""The organisation dashboard's page and its CSV export."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, Response

from . import dashboard, obligations, scdl

quality = Blueprint("tgn_quality", __name__)


def _dashboard(id: str) -> dict[str, Any]:
    context: Context = {"user": tk.current_user.name}
    try:
        return tk.get_action("tgn_quality_dashboard")(context, {"id": id})
    except tk.NotAuthorized:
        tk.abort(403, tk._("Only the editors of this organisation may see its dashboard."))
    except tk.ObjectNotFound:
        tk.abort(404, tk._("Organization not found"))


@quality.route("/organization/<id>/qualite")
def page(id: str) -> str:
    found = _dashboard(id)
    org = tk.get_action("organization_show")(
        {"user": tk.current_user.name}, {"id": id, "include_datasets": False}
    )
    return tk.render("tgn_quality/dashboard.html", {"dashboard": found, "organization": org})


@quality.route("/organization/<id>/qualite.csv")
def export(id: str) -> Response:
    found = _dashboard(id)
    return Response(
        "\ufeff" + dashboard.as_csv(found["rows"]),  # a BOM: spreadsheets read it as UTF-8
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="qualite-{found["organization"]}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@quality.route("/organization/<id>/catalogue-scdl.csv")
def catalogue(id: str) -> Response:
    """The SCDL catalogue of the organisation's public datasets (anyone: public data)."""
    context: Context = {"user": tk.current_user.name}
    try:
        found = scdl.catalogue(context, id)
    except (tk.ObjectNotFound, tk.NotAuthorized):  # a deleted organisation answers NotAuthorized
        tk.abort(404, tk._("Organization not found"))
    except scdl.MissingSiret:
        tk.abort(
            409,
            tk._(
                "This organisation has no SIRET yet: an administrator of the organisation "
                "fills it in on its page (Modifier), then the catalogue can be exported."
            ),
        )
    return Response(
        scdl.as_csv(found["rows"]),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="catalogue-{found["organization"]}.csv"'
        },
    )


def _obligations() -> dict[str, Any]:
    return tk.get_action("tgn_quality_obligations")({"user": tk.current_user.name}, {})


@quality.route("/obligations")
def obligations_page() -> str:
    """The département's overview: who must publish, and what each has published."""
    found = _obligations()
    titles = {s["name"]: s["title"] for s in tk.h.tgn_quality_schema_titles()}
    return tk.render(
        "tgn_quality/obligations.html",
        {"rows": found["rows"], "expected": found["expected"], "titles": titles},
    )


@quality.route("/obligations.csv")
def obligations_export() -> Response:
    return Response(
        "\ufeff" + obligations.as_csv(_obligations()["rows"]),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="obligations-open-data-82.csv"'},
    )
