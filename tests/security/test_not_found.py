"""A dataset someone may not read does not exist for them: the same 404 as a name that never
existed, on every API action and page about a dataset or its resources. Whoever may read it
still reads it, and is still told 403 for what they may not do.

Every request here is a read or is refused, so the datasets are built once for the module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("shared_app")

UNREADABLE = ["private", "draft", "deleted"]
NEVER = "jeu-qui-n-a-jamais-existe"
NEVER_ID = "00000000-0000-4000-8000-000000000000"

# What CKAN answers, for a dataset that never existed, where it is not 404: a validation error
# (its schema checks the id), or a refusal before any lookup (which is then the same for all).
NOT_FOUND: dict[str, tuple[int, ...]] = {
    "dataset_follower_count": (409,),
    "am_following_dataset": (409,),
    "dataset_follower_list": (403,),
    "follow_dataset": (403, 404),
    "unfollow_dataset": (403, 409),
    "package_owner_org_update": (403,),
}

Params = Callable[[dict[str, Any]], dict[str, Any]]


def _dataset(ds: dict[str, Any]) -> dict[str, Any]:
    return {"id": ds["name"]}


def _resource(ds: dict[str, Any]) -> dict[str, Any]:
    return {"id": ds["resources"][0]["id"]}


# (action, POST?, data dict about the dataset, the same about nothing that ever existed)
API: list[tuple[str, bool, Params, dict[str, Any]]] = [
    ("package_show", False, _dataset, {"id": NEVER}),
    ("package_show", False, lambda ds: {"id": ds["id"]}, {"id": NEVER_ID}),
    ("package_activity_list", False, _dataset, {"id": NEVER}),
    ("package_relationships_list", False, _dataset, {"id": NEVER}),
    ("package_collaborator_list", False, _dataset, {"id": NEVER}),
    ("dataset_follower_count", False, _dataset, {"id": NEVER}),
    ("dataset_follower_list", False, _dataset, {"id": NEVER}),
    ("am_following_dataset", False, _dataset, {"id": NEVER}),
    ("resource_show", False, _resource, {"id": NEVER_ID}),
    ("resource_view_list", False, _resource, {"id": NEVER_ID}),
    ("tgn_validation_show", False, _resource, {"id": NEVER_ID}),
    ("package_patch", True, lambda ds: {"id": ds["name"], "title": "Pirate"}, {"id": NEVER}),
    ("package_delete", True, _dataset, {"id": NEVER}),
    ("dataset_purge", True, _dataset, {"id": NEVER}),
    ("follow_dataset", True, _dataset, {"id": NEVER}),
    ("unfollow_dataset", True, _dataset, {"id": NEVER}),
    ("package_update", True, _dataset, {"id": NEVER}),
    (
        "package_collaborator_create",
        True,
        lambda ds: {"id": ds["name"], "user_id": "quelquun", "capacity": "editor"},
        {"id": NEVER, "user_id": "quelquun", "capacity": "editor"},
    ),
    (
        "package_collaborator_delete",
        True,
        lambda ds: {"id": ds["name"], "user_id": "quelquun"},
        {"id": NEVER, "user_id": "quelquun"},
    ),
    (
        "package_resource_reorder",
        True,
        lambda ds: {"id": ds["name"], "order": [ds["resources"][0]["id"]]},
        {"id": NEVER, "order": [NEVER_ID]},
    ),
    (
        "package_owner_org_update",
        True,
        lambda ds: {"id": ds["name"], "organization_id": ds["owner_org"]},
        {"id": NEVER, "organization_id": NEVER},
    ),
    (
        "resource_create",
        True,
        lambda ds: {"package_id": ds["id"], "url": "https://pirate.example/x.csv"},
        {"package_id": NEVER, "url": "https://pirate.example/x.csv"},
    ),
    (
        "resource_patch",
        True,
        lambda ds: {**_resource(ds), "url": "https://pirate.example/x.csv"},
        {"id": NEVER_ID, "url": "https://pirate.example/x.csv"},
    ),
    ("resource_delete", True, _resource, {"id": NEVER_ID}),
    (
        "resource_update",
        True,
        lambda ds: {**_resource(ds), "url": "https://pirate.example/x.csv"},
        {"id": NEVER_ID, "url": "https://pirate.example/x.csv"},
    ),
    (
        "resource_view_reorder",
        True,
        lambda ds: {**_resource(ds), "order": []},
        {"id": NEVER_ID, "order": []},
    ),
    ("tgn_validation_run", True, _resource, {"id": NEVER_ID}),
]


def _call(app: Any, action: str, post: bool, params: dict[str, Any], headers: dict) -> Any:
    url = f"/api/3/action/{action}"
    if post:
        return app.post(url, json=params, headers=headers)
    return app.get(url, query_string=params, headers=headers)


def _visitor(hidden: dict[str, Any], who: str) -> dict[str, str]:
    return {} if who == "anonymous" else hidden[who]["headers"]


def _visits() -> list[tuple[str, str]]:
    return [(who, state) for who in ("anonymous", "stranger") for state in UNREADABLE]


@pytest.mark.parametrize(("action", "post", "params", "never"), API, ids=[a[0] for a in API])
def test_api_says_not_found(hidden, shared_app, action, post, params, never):
    for who, state in _visits():
        headers = _visitor(hidden, who)
        dataset = hidden["datasets"][state]
        answer = _call(shared_app, action, post, params(dataset), headers)
        nothing = _call(shared_app, action, post, never, headers)
        assert (answer.status_code, answer.json["error"]) == (
            nothing.status_code,
            nothing.json["error"],
        ), (who, state)
        assert nothing.status_code in NOT_FOUND.get(action, (404,)), nothing.body
        assert dataset["id"] not in answer.body


def _page(body: str, *refs: str) -> str:
    """A page without what differs between two requests for different names: the names
    themselves and the session's CSRF token."""
    for ref in refs:
        body = body.replace(ref, "REF")
    return re.sub(r'(name="_csrf_token" (?:value|content))="[^"]*"', r"\1", body)


PAGES: list[tuple[str, Callable[[dict[str, Any]], str], str]] = [
    ("dataset", lambda ds: f"/dataset/{ds['name']}", f"/dataset/{NEVER}"),
    ("activity", lambda ds: f"/dataset/activity/{ds['name']}", f"/dataset/activity/{NEVER}"),
    ("edit", lambda ds: f"/dataset/edit/{ds['name']}", f"/dataset/edit/{NEVER}"),
    ("resources", lambda ds: f"/dataset/resources/{ds['name']}", f"/dataset/resources/{NEVER}"),
    ("groups", lambda ds: f"/dataset/groups/{ds['name']}", f"/dataset/groups/{NEVER}"),
    ("followers", lambda ds: f"/dataset/followers/{ds['name']}", f"/dataset/followers/{NEVER}"),
    (
        "resource",
        lambda ds: f"/dataset/{ds['name']}/resource/{ds['resources'][0]['id']}",
        f"/dataset/{NEVER}/resource/{NEVER_ID}",
    ),
    (
        "download",
        lambda ds: f"/dataset/{ds['name']}/resource/{ds['resources'][0]['id']}/download",
        f"/dataset/{NEVER}/resource/{NEVER_ID}/download",
    ),
    (
        "resource-by-dataset-id",
        lambda ds: f"/dataset/{ds['id']}/resource/{ds['resources'][0]['id']}",
        f"/dataset/{NEVER_ID}/resource/{NEVER_ID}",
    ),
    ("turtle", lambda ds: f"/dataset/{ds['name']}.ttl", f"/dataset/{NEVER}.ttl"),
    ("json-ld", lambda ds: f"/dataset/{ds['id']}.jsonld", f"/dataset/{NEVER_ID}.jsonld"),
]


@pytest.mark.parametrize(("page", "path", "never"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_say_not_found(hidden, shared_app, page, path, never):
    for who, state in _visits():
        headers = _visitor(hidden, who)
        dataset = hidden["datasets"][state]
        answer = shared_app.get(path(dataset), headers=headers)
        nothing = shared_app.get(never, headers=headers)
        assert (answer.status_code, nothing.status_code) == (404, 404), (who, state)
        refs = [dataset["name"], dataset["id"], dataset["resources"][0]["id"], NEVER, NEVER_ID]
        assert _page(answer.body, *refs) == _page(nothing.body, *refs), (who, state)
        assert dataset["title"] not in answer.body


class TestWhoMayReadStillReads:
    @pytest.mark.parametrize("state", UNREADABLE)
    def test_the_organisations_editor_and_a_sysadmin(self, hidden, shared_app, state):
        dataset = hidden["datasets"][state]
        for who in ("editor", "sysadmin"):
            headers = hidden[who]["headers"]
            shown = _call(shared_app, "package_show", False, {"id": dataset["name"]}, headers)
            assert shown.status_code == 200 and shown.json["result"]["id"] == dataset["id"]
            resource = _call(shared_app, "resource_show", False, _resource(dataset), headers)
            assert resource.status_code == 200
            activity = _call(shared_app, "package_activity_list", False, _dataset(dataset), headers)
            assert activity.status_code == 200 and activity.json["result"]
        page = shared_app.get(
            f"/dataset/activity/{dataset['name']}", headers=hidden["editor"]["headers"]
        )
        assert page.status_code == 200 and dataset["title"] in page.body

    def test_a_member_reads_a_private_dataset(self, hidden, shared_app):
        dataset = hidden["datasets"]["private"]
        page = shared_app.get(f"/dataset/{dataset['name']}", headers=hidden["member"]["headers"])
        assert page.status_code == 200 and dataset["title"] in page.body

    def test_everyone_reads_a_public_dataset(self, hidden, shared_app):
        dataset = hidden["datasets"]["public"]
        for who in ("anonymous", "stranger"):
            shown = _call(
                shared_app, "package_show", False, _dataset(dataset), _visitor(hidden, who)
            )
            assert shown.status_code == 200


class TestForbiddenStaysForbidden:
    """403 for who may read the dataset but not do what they ask."""

    def test_a_member_may_not_edit_a_private_dataset(self, hidden, shared_app):
        dataset = hidden["datasets"]["private"]
        params = {"id": dataset["name"], "title": "Pirate"}
        answer = _call(shared_app, "package_patch", True, params, hidden["member"]["headers"])
        assert answer.status_code == 403

    @pytest.mark.parametrize("who", ["anonymous", "stranger"])
    def test_others_may_not_edit_a_public_dataset(self, hidden, shared_app, who):
        dataset = hidden["datasets"]["public"]
        for action, params in [
            ("package_patch", {"id": dataset["name"], "title": "Pirate"}),
            ("package_delete", {"id": dataset["name"]}),
            ("resource_delete", _resource(dataset)),
        ]:
            answer = _call(shared_app, action, True, params, _visitor(hidden, who))
            assert answer.status_code == 403, (action, answer.body)


def test_templates_check_access_says_no(hidden, shared_app):
    """``h.check_access`` (CKAN's helper, which knows only "not authorized") says no for a
    dataset the visitor may not read, instead of failing the page."""
    import ckan.plugins.toolkit as tk

    with shared_app.flask_app.test_request_context():
        for state in UNREADABLE:
            dataset_id = hidden["datasets"][state]["id"]
            assert tk.h.check_access("package_update", {"id": dataset_id}) is False
            assert tk.h.check_access("package_show", {"id": dataset_id}) is False
        assert tk.h.check_access("package_show", {"id": hidden["datasets"]["public"]["id"]})
