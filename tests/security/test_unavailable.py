"""Solr out of reach: pages and the API answer a French 503, and a refused save leaves
nothing written. Solr is really unreachable here: the app is built on a closed port after the
test's data was stored through the real one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers

from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

CLOSED_PORT = "http://127.0.0.1:9/solr/ckan_test"
MESSAGE = "Le service de recherche de la plateforme est momentanément indisponible"


@pytest.fixture
def solr_down(ckan_config, make_app) -> Iterator[Any]:
    """The web app, its search server unreachable; the real one again afterwards."""
    real = ckan_config["solr_url"]
    ckan_config["solr_url"] = CLOSED_PORT
    try:
        yield make_app()
    finally:
        ckan_config["solr_url"] = real
        make_app()  # loads the environment again: CKAN's search connection on the real Solr


@pytest.fixture
def stored(agent) -> dict[str, Any]:
    dataset = data.dataset(
        owner_org=agent["org"]["id"], resources=[{"url": "https://example.org/a.csv"}]
    )
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    return {"dataset": dataset, "agent": agent, "staff": {"Authorization": token}}


def _api(app: Any, action: str, headers: dict[str, str], **params: Any) -> Any:
    return app.post(f"/api/3/action/{action}", json=params, headers=headers)


class TestSolrDown:
    def test_pages_and_api_answer_a_french_503(self, stored, solr_down):
        org = stored["agent"]["org"]["name"]
        dataset = stored["dataset"]["name"]
        # The home page searches too (counts of the organisation, themes).
        for path in ("/dataset/", f"/organization/{org}", "/catalog.ttl", "/"):
            page = solr_down.get(path)
            assert page.status_code == 503, path
            assert MESSAGE in page.body and page.headers["Retry-After"] == "60", path
        api = solr_down.get("/api/3/action/package_search", query_string={"q": "deliberations"})
        assert api.status_code == 503
        assert api.json["success"] is False and MESSAGE in api.json["error"]["message"]
        # What needs no search still works: the dataset read from the database, by the API
        # and on its page (no reuse names it, so the page has nothing to search).
        shown = solr_down.post("/api/3/action/package_show", json={"id": dataset})
        assert shown.status_code == 200 and shown.json["result"]["name"] == dataset
        page = solr_down.get(f"/dataset/{dataset}")
        assert page.status_code == 200 and stored["dataset"]["title"] in page.body
        assert MESSAGE not in page.body

    def test_a_save_is_refused_and_nothing_is_written(self, stored, solr_down):
        dataset, headers = stored["dataset"], stored["agent"]["headers"]
        created = _api(
            solr_down,
            "package_create",
            headers,
            **{**data.COMPLETE_DATASET, "name": "jeu-sans-recherche"},
            owner_org=stored["agent"]["org"]["id"],
        )
        assert created.status_code == 503 and MESSAGE in created.json["error"]["message"]
        edited = _api(solr_down, "package_patch", headers, id=dataset["id"], title="Nouveau")
        added = _api(
            solr_down,
            "resource_create",
            headers,
            package_id=dataset["id"],
            url="https://example.org/b.csv",
        )
        deleted = _api(solr_down, "package_delete", headers, id=dataset["id"])
        assert [r.status_code for r in (edited, added, deleted)] == [503, 503, 503]
        model.Session.remove()
        assert model.Package.get("jeu-sans-recherche") is None
        stored_now = helpers.call_action("package_show", id=dataset["id"])
        assert stored_now["title"] == dataset["title"] and stored_now["state"] == "active"
        assert len(stored_now["resources"]) == 1

    def test_a_bulk_change_is_undone(self, stored, solr_down):
        dataset = stored["dataset"]
        bulk = {"datasets": [dataset["id"]], "org_id": dataset["owner_org"]}
        for action in ("bulk_update_private", "bulk_update_delete"):
            refused = _api(solr_down, action, stored["staff"], **bulk)
            assert refused.status_code == 503, action
            model.Session.remove()
            package = model.Package.get(dataset["id"])
            assert (package.private, package.state) == (False, "active"), action

    def test_search_works_again_with_solr_back(self, stored, app):
        found = helpers.call_action("package_search", q=f"name:{stored['dataset']['name']}")
        assert found["count"] == 1
