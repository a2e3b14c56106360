"""A WMS link's map preview in Chromium: geoview's OpenLayers viewer reads the capabilities
through our guarded proxy and draws their layer from the WMS, where they say it lies; nothing
is asked of any other server (no external tile server)."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import shoot
from tests.helpers import data, wms_server
from tests.helpers.wms_server import LAYER, asked

# Montauban (1.355° E, 44.017° N) in Web Mercator (EPSG:3857), the viewer's projection.
MONTAUBAN = (
    1.355 * math.pi / 180 * 6378137,
    math.log(math.tan(math.pi / 4 + 44.017 * math.pi / 360)) * 6378137,
)


def _covers(bbox: str, point: tuple[float, float]) -> bool:
    west, south, east, north = (float(v) for v in bbox.split(","))
    return west <= point[0] <= east and south <= point[1] <= north


@pytest.fixture(scope="module")
def wms_url():
    with wms_server.serving() as url:
        yield url


@pytest.fixture(scope="module")
def wms_page(live_site, wms_url) -> dict[str, Any]:
    """A public dataset with a WMS link, made by its agent through the site's API."""
    who = data.agent()
    created = requests.post(
        f"{live_site.url}/api/3/action/package_create",
        json={
            **data.COMPLETE_DATASET,
            "name": "zonage-plui-carte",
            "title": "Zonage du PLUi (carte)",
            "owner_org": who["org"]["id"],
            "resources": [
                {"name": "Zonage", "format": "WMS_SRVC",
                 "url": f"{wms_url}/wms?SERVICE=WMS&REQUEST=GetCapabilities"},
            ],
        },
        headers=who["headers"],
        timeout=60,
    )  # fmt: skip
    assert created.status_code == 200, created.text[:2000]
    dataset = created.json()["result"]
    return {"dataset": dataset, "resource": dataset["resources"][0]}


def test_a_wms_link_is_drawn_on_its_resource_page(page: Page, live_site, wms_page):
    state = wms_server.fresh_state()
    seen: list[str] = []

    def note(request: Request) -> None:
        seen.append(request.url)

    page.on("request", note)
    dataset, resource = wms_page["dataset"], wms_page["resource"]
    page.goto(f"/dataset/{dataset['name']}/resource/{resource['id']}")

    # The frame is named by its view, in French (CKAN's template says "Data viewer").
    expect(page.locator(".resource-view iframe")).to_have_attribute("title", "Aperçu : Carte")
    frame = page.frame_locator(".resource-view iframe")
    expect(frame.locator(".ol-viewport canvas").first).to_be_attached(timeout=30_000)
    deadline = time.monotonic() + 30
    while not any(p.get("request") == "GetMap" for p in asked(state)):
        assert time.monotonic() < deadline, f"the map asked no image: {state['requests']}"
        page.wait_for_timeout(250)
    shoot(page, "maps", "wms")

    # The browser asked the capabilities of the platform's proxy, never of the WMS itself;
    # the proxy asked the WMS. The images come from the WMS (as upstream's viewer does).
    wms_url = resource["url"].split("/wms", 1)[0]
    proxied = [u for u in seen if "/service_proxy?" in u and "GetCapabilities" in u]
    assert proxied and all(u.startswith(live_site.url) for u in proxied)
    assert not [u for u in seen if u.startswith(wms_url) and "GetCapabilities" in u]
    assert any(p.get("request") == "GetCapabilities" for p in asked(state))
    # The layer the capabilities name (the link names none), drawn where they say it is:
    # the map zoomed to Tarn-et-Garonne, so a tile covers Montauban.
    maps = [p for p in asked(state) if p.get("request") == "GetMap"]
    assert {p["layers"] for p in maps} == {LAYER}
    assert any(_covers(p["bbox"], MONTAUBAN) for p in maps)
    # Nothing else: no tile server, no font or script from elsewhere.
    others = [u for u in seen if not u.startswith((live_site.url, wms_url, "data:", "blob:"))]
    assert others == []
