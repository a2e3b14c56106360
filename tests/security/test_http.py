"""Hardened HTTP: security headers on every response, CSRF tokens checked on the
extensions' forms too, no state change through a GET."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

from tests.helpers import data
from tests.helpers.harvest import registered_source
from tests.helpers.session import PASSWORD, csrf_token, log_in

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def _pages(dataset: dict[str, Any], org: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/dataset/",
        f"/dataset/{dataset['name']}",
        f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}",
        f"/organization/{org['name']}",
        "/api/3/action/package_search",
        "/catalog.ttl",
        f"/dataset/{dataset['name']}.jsonld",
        "/user/login",
        "/dataset/jamais-existe",
    ]


class TestSecurityHeaders:
    def test_every_response_carries_them_and_pages_render(self, app, agent):
        dataset = data.dataset(
            owner_org=agent["org"]["id"], resources=[{"url": "https://example.org/a.csv"}]
        )
        for path in _pages(dataset, agent["org"]):
            response = app.get(path)
            assert response.status_code == (404 if "jamais" in path else 200), path
            for name, value in HEADERS.items():
                assert response.headers.get(name) == value, (path, name)
            policy = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        form = app.get("/dataset/new", headers=agent["headers"])
        assert form.status_code == 200 and "Content-Security-Policy" in form.headers
        assert 'name="title"' in form.body

    @pytest.mark.ckan_config("ckanext.tgn.security.referrer_policy", "no-referrer")
    @pytest.mark.ckan_config("ckanext.tgn.security.frame_options", "")
    def test_configurable(self, app):
        response = app.get("/")
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "X-Frame-Options" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def harvest_staff(app) -> dict[str, Any]:
    """A sysadmin logged in through the login form, and a DCAT harvest source."""
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = data.organisation()
    source = registered_source(
        org, "source-essai", "http://127.0.0.1:9/catalog.ttl", sysadmin["name"]
    )
    return {"sysadmin": sysadmin, "source": source, "browser": log_in(app, sysadmin)}


def _jobs(source: dict[str, Any]) -> list[dict[str, Any]]:
    return helpers.call_action("harvest_job_list", {"ignore_auth": True}, source_id=source["id"])


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
class TestCsrf:
    def test_an_extensions_form_checks_the_token(self, app, harvest_staff):
        """ckanext-harvest's blueprint: exempt from CSRF checks unless
        ckan.csrf_protection.ignore_extensions is false."""
        source, browser = harvest_staff["source"], harvest_staff["browser"]
        refused = browser.post(f"/harvest/refresh/{source['id']}", data={}, follow_redirects=False)
        assert refused.status_code == 400 and "CSRF" in refused.body
        assert _jobs(source) == []
        page = browser.get(f"/harvest/admin/{source['name']}")
        accepted = browser.post(
            f"/harvest/refresh/{source['id']}",
            data={"_csrf_token": csrf_token(page.body)},
            follow_redirects=False,
        )
        assert accepted.status_code == 302
        assert len(_jobs(source)) == 1

    def test_cores_forms_check_the_token(self, app, agent):
        dataset = data.dataset(owner_org=agent["org"]["id"])
        user = factories.User(password=PASSWORD)
        browser = log_in(app, user)
        following = {"id": dataset["id"]}
        refused = browser.post(f"/dataset/follow/{dataset['name']}", data={})
        assert refused.status_code == 400 and "CSRF" in refused.body
        assert not helpers.call_action("am_following_dataset", {"user": user["name"]}, **following)
        page = browser.get(f"/dataset/{dataset['name']}")
        browser.post(
            f"/dataset/follow/{dataset['name']}", data={"_csrf_token": csrf_token(page.body)}
        )
        assert helpers.call_action("am_following_dataset", {"user": user["name"]}, **following)


class TestNoStateChangeThroughGet:
    def test_harvest_links_need_a_post(self, app, harvest_staff):
        source, browser = harvest_staff["source"], harvest_staff["browser"]
        for path in (
            f"/harvest/refresh/{source['id']}",
            f"/harvest/clear/{source['id']}",
            f"/harvest/delete/{source['name']}",
        ):
            response = browser.get(path, follow_redirects=False)
            assert response.status_code == 405, path
            assert "confirmation" in response.body
        assert _jobs(source) == []
        shown = helpers.call_action("harvest_source_show", {"ignore_auth": True}, id=source["id"])
        assert shown["state"] == "active"
