"""Activity streams show nothing of a dataset to whoever may not read it now: deleted,
made private, purged. Who may read it (its organisation, staff) still sees its history, and a
dataset made public again shows its public history again."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


@pytest.fixture
def published() -> dict[str, Any]:
    """A public dataset created then edited by its organisation's editor, followed by an
    agent of another organisation; a sysadmin."""
    org = data.organisation(title="EPCI du jeu retiré")
    editor = data.member(org, "editor")
    follower = factories.User()
    data.organisation(users=[{"name": follower["name"], "capacity": "editor"}])
    dataset = data.dataset(
        owner_org=org["id"],
        user=editor["user"],
        title="Liste nominative des bénéficiaires",
        notes="Noms et adresses des bénéficiaires (publiés par erreur).",
        resources=[{"url": "https://example.org/noms.csv", "name": "Noms"}],
    )
    helpers.call_action(
        "package_patch",
        {"user": editor["user"]["name"]},
        id=dataset["id"],
        notes="Version 2, noms.",
    )
    helpers.call_action("follow_dataset", {"user": follower["name"]}, id=dataset["id"])
    sysadmin = factories.Sysadmin()
    return {
        "org": org,
        "dataset": dataset,
        "editor": editor,
        "follower": {"user": follower, "headers": data.api_headers(follower)},
        "sysadmin": {"user": sysadmin, "headers": data.api_headers(sysadmin)},
    }


def _traces(dataset: dict[str, Any]) -> list[str]:
    """What of the dataset's content must not appear: name, title, description, ids."""
    return [
        dataset["name"],
        dataset["title"],
        "bénéficiaires (publiés",
        dataset["id"],
        dataset["resources"][0]["id"],
    ]


def _surfaces(app: Any, p: dict[str, Any], headers: dict[str, str]) -> dict[str, str]:
    """Every activity surface a visitor can reach, as text."""
    org, editor = p["org"]["name"], p["editor"]["user"]["name"]
    api = {
        "organization_activity_list": {"id": org},
        "recently_changed_packages_activity_list": {},
        "user_activity_list": {"id": editor},
    }
    seen = {
        action: app.get(f"/api/3/action/{action}", query_string=q, headers=headers).body
        for action, q in api.items()
    }
    seen["organization page"] = app.get(f"/organization/activity/{org}", headers=headers).body
    seen["user page"] = app.get(f"/user/activity/{editor}", headers=headers).body
    seen["site feed"] = app.get("/feeds/dataset.atom", headers=headers).body
    seen["organization feed"] = app.get(f"/feeds/organization/{org}.atom", headers=headers).body
    if headers:
        seen["dashboard_activity_list"] = app.get(
            "/api/3/action/dashboard_activity_list", headers=headers
        ).body
        seen["dashboard page"] = app.get("/dashboard/", headers=headers).body
    return seen


def _shown(app: Any, p: dict[str, Any], headers: dict[str, str]) -> dict[str, list[str]]:
    """For each surface, which traces of the dataset it shows."""
    traces = _traces(p["dataset"])
    return {
        surface: [t for t in traces if t in body]
        for surface, body in _surfaces(app, p, headers).items()
        if any(t in body for t in traces)
    }


def _visitors(p: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {"anonymous": {}, "follower": p["follower"]["headers"]}


def _api(app: Any, action: str, headers: dict[str, str], **params: Any) -> Any:
    response = app.post(f"/api/3/action/{action}", json=params, headers=headers)
    assert response.status_code == 200, response.body
    return response.json["result"]


class TestActivityFollowsWhoMayRead:
    def test_a_deleted_dataset_leaves_no_trace(self, app, published):
        p = published
        for who, headers in _visitors(p).items():
            assert _shown(app, p, headers).get("organization_activity_list"), who
        _api(app, "package_delete", p["editor"]["headers"], id=p["dataset"]["id"])
        for who, headers in _visitors(p).items():
            assert _shown(app, p, headers) == {}, who
        org_stream = _api(
            app, "organization_activity_list", p["editor"]["headers"], id=p["org"]["name"]
        )
        assert {a["object_id"] for a in org_stream} >= {p["dataset"]["id"]}
        assert _shown(app, p, p["sysadmin"]["headers"]).get("user_activity_list")

    def test_private_hides_and_public_shows_again(self, app, published):
        p = published
        bulk = {"datasets": [p["dataset"]["id"]], "org_id": p["org"]["id"]}
        # CKAN's bulk actions are for organisation admins and staff (and our publication policy).
        _api(app, "bulk_update_private", p["sysadmin"]["headers"], **bulk)
        for who, headers in _visitors(p).items():
            assert _shown(app, p, headers) == {}, who
        # CKAN leaves private datasets out of organisation streams, even for members.
        editor_sees = _shown(app, p, p["editor"]["headers"])
        assert editor_sees.get("user_activity_list") and editor_sees.get("user page")
        _api(app, "bulk_update_public", p["sysadmin"]["headers"], **bulk)
        for who, headers in _visitors(p).items():
            assert _shown(app, p, headers).get("organization_activity_list"), who

    def test_made_private_by_an_edit(self, app, published):
        p = published
        _api(app, "package_patch", p["editor"]["headers"], id=p["dataset"]["id"], private=True)
        for who, headers in _visitors(p).items():
            assert _shown(app, p, headers) == {}, who
        assert _shown(app, p, p["editor"]["headers"]).get("user_activity_list")

    def test_a_purged_dataset_leaves_no_trace(self, app, published):
        p = published
        _api(app, "dataset_purge", p["sysadmin"]["headers"], id=p["dataset"]["name"])
        for who, headers in {**_visitors(p), "editor": p["editor"]["headers"]}.items():
            assert _shown(app, p, headers) == {}, who
        assert _shown(app, p, p["sysadmin"]["headers"]).get("user_activity_list")


class TestSyncCommand:
    def test_older_activity_is_aligned_once(self, app, cli, published):
        from ckan.cli.cli import ckan

        p = published
        _api(app, "package_delete", p["editor"]["headers"], id=p["dataset"]["id"])
        # As recorded before the plugin was installed: public, whatever happened since.
        model.Session.execute(
            sa.text("UPDATE activity SET permission_labels = '{public}' WHERE object_id = :id"),
            {"id": p["dataset"]["id"]},
        )
        model.Session.commit()
        assert _shown(app, p, {}).get("organization_activity_list")

        first = cli.invoke(ckan, ["tgn", "security", "sync-activity"])
        assert first.exit_code == 0, first.output
        assert "activité(s) mise(s) à jour" in first.output
        assert _shown(app, p, {}) == {}
        again = cli.invoke(ckan, ["tgn", "security", "sync-activity"])
        assert again.exit_code == 0 and "Aucun changement." in again.output
