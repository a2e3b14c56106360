"""CSS and JavaScript bundles: built (or found up to date) once when the app is made, then
served as built, without webassets checking their source files at every page
(ckanext.tgn.portal.assets_built_once, on in platform.ini)."""

from __future__ import annotations

import re

import pytest
from ckan.lib import webassets_tools

pytestmark = pytest.mark.usefixtures("with_plugins")


def _asset_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/webassets/[^"]+)"', page)


def test_bundles_are_built_when_the_app_is_made_and_pages_link_them(app):
    assert webassets_tools.env.auto_build is False
    urls = _asset_urls(app.get("/").get_data(as_text=True))
    assert any(url.endswith(".js") for url in urls) and any(url.endswith(".css") for url in urls)
    for url in urls:
        response = app.get(url)
        assert response.status_code == 200, url
        assert response.get_data(), url
    # A page that includes other bundles (the dataset search) links built files too.
    for url in _asset_urls(app.get("/dataset/").get_data(as_text=True)):
        assert app.get(url).status_code == 200, url


@pytest.mark.ckan_config("ckanext.tgn.portal.assets_built_once", False)
def test_without_the_option_webassets_checks_the_files_at_every_page(app):
    assert webassets_tools.env.auto_build is True
    urls = _asset_urls(app.get("/").get_data(as_text=True))
    assert urls and all(app.get(url).status_code == 200 for url in urls)
