"""Map previews: a WMS link gets an OpenLayers map and a linked GeoJSON a Leaflet map
(ckanext-geoview); what they fetch from other servers goes through our guarded proxy behind
CKAN's and geoview's proxy endpoints. Against a stub WMS on 127.0.0.1, the real database,
Solr and Redis."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.tgn.preview import proxy
from tests.helpers import data, wms_server
from tests.helpers.wms_server import CAPABILITIES, LAYER, TILE, asked

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

PRIVATE_ALLOWED = pytest.mark.ckan_config("ckanext.tgn.preview.allow_private_addresses", True)
GEOJSON = b'{"type": "FeatureCollection", "features": []}'
PAGE = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(scope="module")
def wms_url():
    with wms_server.serving() as url:
        yield url


@pytest.fixture
def wms(wms_url) -> dict[str, Any]:
    """The stub's base URL and its state for this test (no request seen yet)."""
    return {"url": wms_url, "state": wms_server.fresh_state()}


def _publish(app, wms: dict[str, Any], private: bool = False) -> dict[str, Any]:
    """An organisation's dataset with a WMS link (a GetCapabilities URL, as agents paste it),
    a GeoJSON link, an HTML link and a CSV link, all on the stub.

    Created by its agent through the action API over HTTP, as the form and the harvesters
    do: default views are made in the request's language (French).
    """
    who = data.agent()
    base = wms["url"]
    response = app.post(
        "/api/3/action/package_create",
        headers=who["headers"],
        json={
            **data.COMPLETE_DATASET,
            "name": f"zonage-{who['org']['name']}",
            "title": "Zonage du PLUi",
            "owner_org": who["org"]["id"],
            "private": private,
            "resources": [
                {"name": "Zonage", "format": "WMS_SRVC",
                 "url": f"{base}/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1"
                        f"&map=/srv/plui.map#{LAYER}"},
                {"name": "Périmètres", "format": "GEOJSON",
                 "url": f"{base}/files/perimetres.geojson"},
                {"name": "Page", "format": "GEOJSON", "url": f"{base}/files/page.geojson"},
                {"name": "Table", "format": "CSV", "url": f"{base}/files/table.csv"},
            ],
        },
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    dataset = response.json["result"]
    wms["state"]["files"] = {
        "perimetres.geojson": ("application/geo+json", GEOJSON),
        "page.geojson": ("text/html", PAGE),
    }
    wms["state"]["requests"].clear()  # only what the tests ask counts
    wms["state"]["raw"].clear()
    by_name = {r["name"]: r for r in dataset["resources"]}
    return {"dataset": dataset, "resources": by_name, "agent": who}


def _service(dataset: dict[str, Any], resource: dict[str, Any], query: str) -> str:
    return f"/dataset/{dataset['name']}/resource/{resource['id']}/service_proxy?{query}"


def _file(dataset: dict[str, Any], resource: dict[str, Any]) -> str:
    return f"/dataset/{dataset['name']}/resource/{resource['id']}/proxy"


class TestViews:
    def test_a_wms_link_gets_a_map_that_asks_through_the_platform(self, app, wms):
        published = _publish(app, wms)
        dataset, wms_link = published["dataset"], published["resources"]["Zonage"]

        views = helpers.call_action("resource_view_list", id=wms_link["id"])
        assert [(v["view_type"], v["title"]) for v in views] == [("geo_view", "Carte")]

        page = app.get(
            f"/dataset/{dataset['name']}/resource/{wms_link['id']}/view/{views[0]['id']}"
        ).get_data(as_text=True)
        assert f'data-module-proxy_service_url="{_service(dataset, wms_link, "")[:-1]}"' in page
        # The viewer reads the EU code as its "wms" reader (our template's one line).
        assert 'preload_resource.format = "wms"' in page
        # No external tile server: the base map is our neutral tile.
        assert "/tgn_preview/blank-tile.png" in html.unescape(page)
        assert app.get("/tgn_preview/blank-tile.png").status_code == 200

    def test_a_geojson_link_gets_a_leaflet_map_through_the_proxy(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Périmètres"]

        views = helpers.call_action("resource_view_list", id=link["id"])
        assert [v["view_type"] for v in views] == ["geojson_view"]
        page = app.get(
            f"/dataset/{dataset['name']}/resource/{link['id']}/view/{views[0]['id']}"
        ).get_data(as_text=True)
        assert _file(dataset, link) in page

    def test_an_uploaded_geojson_is_read_from_the_platform_itself(self, app, wms):
        published = _publish(app, wms)
        dataset = published["dataset"]
        response = app.post(
            "/api/3/action/resource_create",
            headers=published["agent"]["headers"],
            data={
                "package_id": dataset["id"], "name": "Périmètres déposés", "format": "GEOJSON",
                "upload": (io.BytesIO(GEOJSON), "perimetres.geojson"),
            },
        )  # fmt: skip
        assert response.status_code == 200, response.get_data(as_text=True)
        upload = response.json["result"]

        views = helpers.call_action("resource_view_list", id=upload["id"])
        assert [v["view_type"] for v in views] == ["geojson_view"]
        page = app.get(
            f"/dataset/{dataset['name']}/resource/{upload['id']}/view/{views[0]['id']}"
        ).get_data(as_text=True)
        assert f"/resource/{upload['id']}/download/perimetres.geojson" in page
        assert _file(dataset, upload) not in page
        assert wms["state"]["requests"] == []

    def test_a_csv_link_gets_no_map(self, app, wms):
        table = _publish(app, wms)["resources"]["Table"]

        assert helpers.call_action("resource_view_list", id=table["id"]) == []


@PRIVATE_ALLOWED
class TestThroughTheProxy:
    """The stub listens on 127.0.0.1, which the tests allow (never in production)."""

    def test_capabilities_are_asked_with_the_viewers_parameters(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Zonage"]

        response = app.get(
            _service(dataset, link, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        )

        assert response.status_code == 200
        assert response.data == CAPABILITIES
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert response.headers["Content-Security-Policy"] == proxy.SANDBOX
        assert "no-store" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
        # The link's own GetCapabilities parameters gave way to the viewer's; its map= stayed.
        assert wms["state"]["raw"] == [
            ("/wms", [("map", "/srv/plui.map"), ("SERVICE", "WMS"),
                      ("REQUEST", "GetCapabilities"), ("VERSION", "1.3.0")])
        ]  # fmt: skip

    def test_the_viewer_cannot_change_the_links_other_parameters(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Zonage"]
        query = (
            "SERVICE=WMS&REQUEST=GetCapabilities&map=/etc/autre.map"
            "&SLD=http://10.0.0.1/style.sld&key=vole"
        )

        response = app.get(_service(dataset, link, query))

        assert response.status_code == 200
        assert wms["state"]["raw"] == [
            ("/wms", [("map", "/srv/plui.map"), ("SERVICE", "WMS"),
                      ("REQUEST", "GetCapabilities")])
        ]  # fmt: skip

    def test_a_map_image_is_relayed(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Zonage"]
        query = (
            f"SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={LAYER}&CRS=EPSG:3857"
            "&BBOX=0,5400000,200000,5600000&WIDTH=256&HEIGHT=256&FORMAT=image/png"
        )

        response = app.get(_service(dataset, link, query))

        assert response.status_code == 200
        assert response.data == TILE
        assert response.headers["Content-Type"] == "image/png"

    @pytest.mark.parametrize(
        ("query", "reason"),
        [
            ("REQUEST=GetCapabilities", "doit être une requête WMS"),  # no SERVICE
            ("SERVICE=WFS&REQUEST=GetFeature&TYPENAME=parcelles", "doit être une requête WMS"),
            ("SERVICE=WMS&REQUEST=Transaction", "Seules ces requêtes WMS sont relayées"),
            ("SERVICE=WMS", "Seules ces requêtes WMS sont relayées"),
            # A second copy the WMS might read instead of ours, in another case.
            ("SERVICE=WMS&REQUEST=GetMap&request=Transaction", "une seule fois"),
            ("service=WFS&SERVICE=WMS&REQUEST=GetMap", "une seule fois"),
        ],
    )
    def test_anything_but_one_wms_read_request_is_refused_unsent(self, app, wms, query, reason):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Zonage"]

        response = app.get(_service(dataset, link, query))

        assert response.status_code == 400
        assert reason in response.get_data(as_text=True)
        assert wms["state"]["requests"] == []

    def test_the_service_proxy_is_for_wms_links_only(self, app, wms):
        published = _publish(app, wms)
        dataset, table = published["dataset"], published["resources"]["Table"]

        response = app.get(_service(dataset, table, "SERVICE=WMS&REQUEST=GetCapabilities"))

        assert response.status_code == 400
        assert "Seul le lien d&#39;un service WMS" in response.get_data(as_text=True)
        assert wms["state"]["requests"] == []

    def test_the_file_proxy_is_for_linked_geojson_only(self, app, wms):
        published = _publish(app, wms)
        dataset = published["dataset"]

        for name in ("Table", "Zonage"):
            response = app.get(_file(dataset, published["resources"][name]))
            assert response.status_code == 400
            assert "Seul un fichier GeoJSON en lien" in response.get_data(as_text=True)
        assert wms["state"]["requests"] == []

    def test_a_geojson_file_is_relayed_as_data(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Périmètres"]

        response = app.get(_file(dataset, link))

        assert response.status_code == 200
        assert response.data == GEOJSON
        assert response.headers["Content-Type"] == "application/geo+json"

    def test_a_page_never_runs_in_our_origin(self, app, wms):
        published = _publish(app, wms)
        dataset, page = published["dataset"], published["resources"]["Page"]

        response = app.get(_file(dataset, page))

        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"] == "attachment"
        assert response.headers["Content-Security-Policy"] == proxy.SANDBOX
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    @pytest.mark.ckan_config("ckanext.tgn.preview.proxy_max_bytes", 20)
    def test_a_file_too_large_is_not_relayed(self, app, wms):
        published = _publish(app, wms)
        dataset, link = published["dataset"], published["resources"]["Périmètres"]

        response = app.get(_file(dataset, link))

        assert response.status_code == 502
        assert "trop volumineuse pour être prévisualisée" in response.get_data(as_text=True)

    def test_a_private_datasets_links_are_relayed_to_its_organisation_only(self, app, wms):
        published = _publish(app, wms, private=True)
        dataset, link = published["dataset"], published["resources"]["Zonage"]
        url = _service(dataset, link, "SERVICE=WMS&REQUEST=GetCapabilities")
        outsider = data.agent()

        assert app.get(url).status_code == 404
        assert app.get(url, headers=outsider["headers"]).status_code == 404
        assert app.get(_file(dataset, published["resources"]["Périmètres"])).status_code == 404
        assert wms["state"]["requests"] == []

        assert app.get(url, headers=published["agent"]["headers"]).status_code == 200
        assert len(asked(wms["state"])) == 1


class TestGuards:
    """Production settings: private addresses are refused."""

    def test_a_private_address_is_never_fetched(self, app, wms):
        published = _publish(app, wms)
        dataset = published["dataset"]

        wms_link = published["resources"]["Zonage"]
        capabilities = app.get(_service(dataset, wms_link, "SERVICE=WMS&REQUEST=GetCapabilities"))
        geojson = app.get(_file(dataset, published["resources"]["Périmètres"]))

        for response in (capabilities, geojson):
            assert response.status_code == 502
            assert "ne peut pas être joint" in response.get_data(as_text=True)
        assert wms["state"]["requests"] == []

    def test_the_proxy_endpoints_are_ours(self, app):
        views = app.flask_app.view_functions

        assert views[proxy.RESOURCE_PROXY] is proxy.resource_proxy
        assert views[proxy.SERVICE_PROXY] is proxy.service_proxy
        # No rule of the app, under any name, leads to an upstream view that fetches.
        upstream = [
            rule.rule
            for rule in app.flask_app.url_map.iter_rules()
            if views[rule.endpoint].__module__ in proxy.UPSTREAM_PROXY_MODULES
        ]
        assert upstream == []
