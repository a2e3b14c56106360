"""Solr down: a French 503 instead of CKAN's 500, and a refused save leaves nothing written.

CKAN answers 500 ("Internal server error", or an English sentence) when its search server
cannot be reached, and its bulk privacy actions commit the database before Solr fails, so
the index and the database then disagree (a dataset made private still found by search).

The actions that search or index are chained here. When one fails because Solr is out of
reach, the request is marked (``g``), what the action wrote is undone, and the error goes on
as CKAN raised it: callers that live without search (the organisation box of a dataset page,
the home page's counts) keep working. A response that still ends in a 5xx is then answered
as a 503, on pages and in the action API alike.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
from ckan import model
from ckan.lib import search
from flask import Response, g, has_request_context, request

RETRY_AFTER = "60"
# What CKAN raises when Solr fails: searching, indexing, or pysolr itself.
SEARCH_FAILURES = (
    search.SearchError,
    search.SolrConnectionError,
    search.SearchIndexError,
    pysolr.SolrError,
)


def _out_of_reach(error: Exception) -> bool:
    """Whether a search failure is Solr being out of reach (not a bad query); if so, the
    request is marked so that its failure is answered as a 503."""
    down = isinstance(error, search.SolrConnectionError) or not search.is_available()
    if down and has_request_context():
        g.tgn_search_unavailable = True
    return down


def _searching(name: str) -> Any:
    """A search, or a write that indexes before its commit (Solr's failure aborts the
    commit; the session is rolled back so that nothing later in the request commits it)."""

    @tk.chained_action
    def guarded(up: Any, context: Any, data_dict: Any) -> Any:
        try:
            return up(context, data_dict)
        except SEARCH_FAILURES as e:
            if _out_of_reach(e) and name != "package_search":
                model.Session.rollback()
            raise

    guarded.__name__ = name
    if name == "package_search":
        # The API accepts a GET only for an action marked so; a chained one must say it again.
        guarded = tk.side_effect_free(guarded)
    return guarded


def _bulk(name: str) -> Any:
    """CKAN's bulk actions commit the database, then update Solr: put the rows back."""

    @tk.chained_action
    def guarded(up: Any, context: Any, data_dict: Any) -> Any:
        ids = [i for i in (data_dict or {}).get("datasets") or [] if isinstance(i, str)]
        before = (
            model.Session.query(model.Package.id, model.Package.private, model.Package.state)
            .filter(model.Package.id.in_(ids))
            .all()
        )
        try:
            return up(context, data_dict)
        except SEARCH_FAILURES as e:
            if _out_of_reach(e):
                model.Session.rollback()
                for package_id, private, state in before:
                    model.Session.query(model.Package).filter(
                        model.Package.id == package_id
                    ).update({"private": private, "state": state}, synchronize_session=False)
                model.Session.commit()
            raise

    guarded.__name__ = name
    return guarded


def actions() -> dict[str, Any]:
    searching = (
        "package_search",
        "package_create",
        "package_update",
        "package_delete",
        "package_owner_org_update",
    )
    bulk = ("bulk_update_private", "bulk_update_public", "bulk_update_delete")
    return {
        **{name: _searching(name) for name in searching},
        **{name: _bulk(name) for name in bulk},
    }


def answer(response: Response) -> Response:
    """``after_request``: a failure of a request that found Solr out of reach is a 503."""
    if not g.get("tgn_search_unavailable") or response.status_code < 500:
        return response
    message = tk._(
        "The search service of the platform is unavailable for the moment. A change you "
        "were saving was not made. Please try again in a few minutes."
    )
    headers = {"Retry-After": RETRY_AFTER}
    if request.path.startswith("/api/"):
        body = {"success": False, "error": {"__type": "Service Unavailable", "message": message}}
        return Response(json.dumps(body), 503, headers, mimetype="application/json")
    page = tk.render(
        "error_document_template.html",
        {"code": 503, "content": message, "name": tk._("Service unavailable")},
    )
    return Response(page, 503, headers, mimetype="text/html")
