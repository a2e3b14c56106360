"""The guarded proxy's pure rules: which WMS address is asked, which types are relayed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ckanext.tgn.preview import proxy


@pytest.mark.unit
class TestServiceUrl:
    def test_the_links_wms_parameters_give_way_and_the_rest_stays(self):
        link = (
            "https://geo.example.fr/cgi?map=/srv/a.map&Service=WMS&request=GetCapabilities#couche"
        )
        query = [("SERVICE", "WMS"), ("REQUEST", "GetMap"), ("LAYERS", "couche")]

        assert proxy.service_url(link, query) == (
            "https://geo.example.fr/cgi?map=%2Fsrv%2Fa.map&SERVICE=WMS&REQUEST=GetMap&LAYERS=couche"
        )

    def test_types_a_viewer_reads_are_kept_others_made_opaque(self):
        assert proxy.served_type("image/png") == "image/png"
        assert proxy.served_type("text/xml; charset=utf-8") == "text/xml; charset=utf-8"
        assert proxy.served_type("text/html; charset=utf-8") == "application/octet-stream"
        assert proxy.served_type("image/svg+xml") == "application/octet-stream"
        assert proxy.served_type("") == "application/octet-stream"


@pytest.mark.unit
class TestTakeOver:
    def test_upstream_views_give_way_to_ours(self):
        from ckanext.geoview import views as geoview
        from ckanext.resourceproxy import blueprint as resourceproxy

        app = SimpleNamespace(
            view_functions={
                proxy.RESOURCE_PROXY: resourceproxy.proxy_view,
                proxy.SERVICE_PROXY: geoview.proxy_service,
            }
        )

        proxy.take_over(app)

        assert app.view_functions == {
            proxy.RESOURCE_PROXY: proxy.resource_proxy,
            proxy.SERVICE_PROXY: proxy.service_proxy,
        }

    def test_an_upstream_view_left_under_another_name_stops_the_start(self):
        from ckanext.resourceproxy import blueprint as resourceproxy

        app = SimpleNamespace(view_functions={"autre.proxy": resourceproxy.proxy_view})

        with pytest.raises(RuntimeError, match=r"autre\.proxy"):
            proxy.take_over(app)

    def test_a_wrapped_app_stops_the_start(self):
        with pytest.raises(RuntimeError, match="Flask app"):
            proxy.take_over(object())
