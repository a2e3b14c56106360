"""The portal as a visitor reads it: home figures and map, facets, dataset Informations,
editorial pages and footer, sitemap and robots.txt. Private, draft and deleted datasets never
count nor show. Against the real services (PostgreSQL, Solr, Redis, the validation job)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from ckanext.tgn.lib import vocab

pytestmark = pytest.mark.usefixtures("portal")

HIDDEN_NAMES = ("prive-montauban", "brouillon-montauban", "supprime-confluences")
EDITORIAL = ("/a-propos", "/publier", "/mentions-legales", "/accessibilite", "/plan-du-site")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _get(app, url: str, status: int = 200) -> str:
    response = app.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def _counter(page: str, name: str) -> int:
    found = re.search(rf'data-counter="{name}">(\d+)<', page)
    assert found, f"no counter {name}"
    return int(found.group(1))


def _theme_label(code: str) -> str:
    themes = vocab.vocabulary("data-theme")
    concept = themes.by_uri(f"{themes.scheme}/{code}")
    assert concept
    return concept.fr


class TestHome:
    def test_counters_count_public_datasets_only(self, shared_app):
        page = _get(shared_app, "/")

        assert _counter(page, "datasets") == 4
        # The organisations that publish: Grand Montauban, Terres des Confluences, Département.
        assert _counter(page, "organizations") == 3
        # The table of the private dataset was checked too, but is not counted.
        assert _counter(page, "checked-tables") == 1

    def test_the_map_has_the_ten_epci_with_their_counts(self, shared_app, portal):
        page = _get(shared_app, "/")

        items = re.findall(
            r'<li data-epci="([^"]+)"><a href="([^"]+)">[^<]+</a> : '
            r'<span class="tgn-epci-count">(\d+) jeux? de données</span>',
            page,
        )
        counts = {name: int(count) for name, _, count in items}
        assert len(counts) == 10
        assert counts[portal["montauban"]] == 2  # not its private and draft ones
        assert counts[portal["confluences"]] == 1  # not its deleted one
        assert sum(counts.values()) == 3  # the Département is not an EPCI
        assert all(url == f"/organization/{name}" for name, url, _ in items)

        features = json.loads(
            html.unescape(re.search(r'data-module-features="([^"]+)"', page).group(1))
        )["features"]
        assert len(features) == 10
        by_url = {f["properties"]["url"]: f for f in features}
        montauban = by_url[f"/organization/{portal['montauban']}"]
        assert montauban["properties"]["count"] == 2
        assert montauban["geometry"]["type"] in ("Polygon", "MultiPolygon")

    def test_themes_in_french_with_counts(self, shared_app):
        page = _get(shared_app, "/")

        themes = dict(
            re.findall(
                r'<li data-theme="([A-Z_]+)"><a href="[^"]+"><span class="tgn-theme-label">'
                r'[^<]+</span> <span class="badge tgn-count">(\d+)</span>',
                page,
            )
        )
        # GOVE: the three datasets of the default theme and the budget; HEAL only hidden ones.
        assert themes == {"GOVE": "3", "ECON": "1", "TRAN": "1"}
        assert html.escape(_theme_label("GOVE"), quote=False) in page

    def test_latest_and_most_complete_lists(self, shared_app):
        page = _get(shared_app, "/")

        complete = page.split('id="tgn-complete-list"', 1)[1].split("</ul>", 1)[0]
        first = re.search(r'<a href="/dataset/([^"]+)">', complete).group(1)
        assert first == "deliberations-montauban"  # the one that fills the most fields
        assert "7 champs recommandés sur 7 remplis" in complete
        latest = page.split('id="tgn-latest-list"', 1)[1].split("</ul>", 1)[0]
        assert len(re.findall(r'<li class="tgn-dataset-card">', latest)) == 4

    def test_nothing_hidden_appears(self, shared_app):
        page = _get(shared_app, "/")

        for name in HIDDEN_NAMES:
            assert name not in page
        assert "HEAL" not in page

    def test_a_way_to_publish_and_no_stock_ckan(self, shared_app):
        page = _get(shared_app, "/")

        assert 'href="/publier"' in page
        assert "Bienvenue sur CKAN" not in page
        assert "<title>Accueil - Données ouvertes de Tarn-et-Garonne</title>" in page


class TestSearch:
    def test_facets_have_french_labels(self, shared_app):
        page = _get(shared_app, "/dataset/")

        for text in (
            "Thèmes",
            "Fréquence de mise à jour",
            "Catégorie de données de forte valeur",
            html.escape(_theme_label("TRAN"), quote=False),
            "Mensuelle",
            "Mobilité",
            "CA Grand Montauban",
            "Tarn-et-Garonne (département)",
            "Délibérations",
            "Open Data Commons Open Database License (ODbL)",
            "Service de cartes WMS",
        ):
            assert text in page, text
        assert "http://publications.europa.eu/resource/authority/data-theme/TRAN</span>" not in page

    def test_a_facet_filters(self, shared_app):
        url = (
            "/api/3/action/package_search?fq=vocab_tgn_theme:%22"
            + vocab.vocabulary("data-theme").scheme
            + "/ECON%22"
        )
        result = shared_app.get(url).json["result"]
        assert [d["name"] for d in result["results"]] == ["budget-montauban"]

        page = _get(
            shared_app, "/dataset/?vocab_tgn_hvd_category=http://data.europa.eu/bna/c_b79e35eb"
        )
        assert "comptages-routiers" in page
        assert "budget-montauban" not in page

    def test_schema_facet_groups_the_versions_by_name(self, shared_app):
        result = shared_app.get(
            "/api/3/action/package_search?fq=vocab_tgn_schema:%22scdl/deliberations%22"
        ).json["result"]
        assert [d["name"] for d in result["results"]] == ["deliberations-montauban"]


class TestDatasetPage:
    def test_informations_block(self, shared_app, portal):
        page = _get(shared_app, "/dataset/deliberations-montauban")

        block = page.split('id="informations"', 1)[1].split("</section>", 1)[0]
        assert "Licence Ouverte / Open Licence version 2.0" in block
        assert "Mensuelle" in block
        assert "1 janvier 2022" in block and "31 décembre 2024" in block
        assert "CA Grand Montauban" in block
        assert 'data-module="tgn-coverage-map"' in block
        assert "Délibérations (2.1.5)" in block
        assert 'data-status="valide"' in block
        resource_id = portal["checked_resource"]["id"]
        assert f"/dataset/deliberations-montauban/resource/{resource_id}#validation" in block
        assert "7 champs recommandés sur 7 remplis" in block

    def test_the_organisation_box_comes_from_the_dataset(self, shared_app, portal):
        page = _get(shared_app, "/dataset/deliberations-montauban")

        box = page.split('id="organization-info"', 1)[1].split("</section>", 1)[0]
        assert f'href="/organization/{portal["montauban"]}"' in box
        assert re.search(r'<h1 class="heading">\s*CA Grand Montauban', box)
        assert "placeholder-organization.png" in box  # no logo given

    def test_an_organisation_logo_follows_ckan_s_address_rule(self, shared_app):
        from ckan.plugins import toolkit as tk

        with shared_app.flask_app.test_request_context():
            uploaded = tk.h.tgn_portal_organization({"organization": {"image_url": "logo.png"}})
            linked = tk.h.tgn_portal_organization(
                {"organization": {"image_url": "https://example.org/logo.png"}}
            )
            none = tk.h.tgn_portal_organization({"organization": None})
        assert uploaded["image_display_url"] == "http://127.0.0.1:5000/uploads/group/logo.png"
        assert linked["image_display_url"] == "https://example.org/logo.png"
        assert none == {"image_display_url": ""}

    def test_description_extracts_are_ckan_s_remembered(self, shared_app):
        from ckan.lib import helpers as core
        from ckan.plugins import toolkit as tk

        from ckanext.tgn.portal import helpers

        text = "Les **délibérations** du <b>conseil</b>, [en ligne](https://example.org). " * 9
        with shared_app.flask_app.test_request_context():
            before = helpers._markdown_extract.cache_info().hits
            first = tk.h.markdown_extract(text, extract_length=180)
            again = tk.h.markdown_extract(text, extract_length=180)
            assert helpers._markdown_extract.cache_info().hits == before + 1
            assert first == again == core.markdown_extract(text, extract_length=180)
            assert "<b>" not in first and first.endswith("...")
            assert tk.h.markdown_extract("", 180) == "" and tk.h.markdown_extract(None) == ""

    def test_a_resource_page_names_its_format_in_french(self, shared_app, portal):
        routes = portal["public"]["routes"]
        page = _get(
            shared_app, f"/dataset/{routes['name']}/resource/{routes['resources'][0]['id']}"
        )

        assert re.search(r"<th[^>]*>Format</th>\s*<td>Service de cartes WMS</td>", page)

    def test_a_dataset_without_period_says_so(self, shared_app):
        page = _get(shared_app, "/dataset/budget-montauban")

        block = page.split('id="informations"', 1)[1].split("</section>", 1)[0]
        period = block.split('data-field="period"', 1)[1].split("</dd>", 1)[0]
        assert "Non renseignée" in period
        assert "Annuelle" in block
        assert "Open Data Commons Open Database License (ODbL)" in block
        assert 'data-field="schema"' not in block

    def test_no_social_links_by_default(self, shared_app):
        page = _get(shared_app, "/dataset/budget-montauban")

        assert "twitter.com" not in page and "facebook.com" not in page

    def test_social_links_when_asked(self, shared_app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.tgn.portal.social_links", True)
        page = _get(shared_app, "/dataset/budget-montauban")

        assert "https://twitter.com/share" in page

    def test_hidden_datasets_stay_missing(self, shared_app):
        for name in HIDDEN_NAMES:
            _get(shared_app, f"/dataset/{name}", status=404)


class TestEditorialPages:
    def test_each_page_has_a_unique_title(self, shared_app):
        titles = set()
        for url in ("/", "/dataset/", "/organization/", *EDITORIAL):
            page = _get(shared_app, url)
            titles.add(re.search(r"<title>([^<]+)</title>", page).group(1))
        assert len(titles) == 3 + len(EDITORIAL)

    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "/dataset/",
            "/dataset/deliberations-montauban",
            "/organization/",
            "/user/login",
            *EDITORIAL,
        ],
    )
    def test_every_page_has_the_footer_and_landmarks(self, shared_app, url):
        page = _get(shared_app, url)

        footer = page.split("<footer", 1)[1]
        assert '<a href="/accessibilite">Accessibilité : non conforme</a>' in footer
        for link in EDITORIAL:
            assert f'href="{link}"' in footer
        assert '<a href="/obligations">Obligations d\'ouverture des données</a>' in footer
        assert '<html lang="fr"' in page
        assert page.count("<main ") == 1 and 'role="main"' not in page
        assert 'href="#main-content"' in page
        assert "<header" in page and "<nav" in page

    def test_an_organisation_page_has_the_footer(self, shared_app, portal):
        page = _get(shared_app, f"/organization/{portal['montauban']}")
        assert "Accessibilité : non conforme" in page.split("<footer", 1)[1]

    def test_accessibility_declaration(self, shared_app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.tgn.portal.contact_email", "a11y@exemple.fr")
        page = _get(shared_app, "/accessibilite")

        for section in ("etat-de-conformite", "contenus-non-accessibles", "voies-de-recours"):
            assert f'id="{section}"' in page
        assert "<strong>non conforme</strong>" in page
        assert "axe-core" in page
        assert "Défenseur des droits" in page
        assert 'href="mailto:a11y@exemple.fr"' in page

    def test_without_contact_staff_see_a_placeholder(self, shared_app):
        page = _get(shared_app, "/mentions-legales")

        assert "ckanext.tgn.portal.contact_email" in page
        assert "Hébergement" in page and "Données personnelles" in page

    def test_the_guide_covers_form_schema_validation_and_datagouv(self, shared_app):
        page = _get(shared_app, "/publier")

        for anchor in ("formulaire", "schema", "validation", "datagouv"):
            assert f'id="{anchor}"' in page
        assert "schema.data.gouv.fr" in page


class TestSitemap:
    def test_lists_public_pages_and_datasets_only(self, shared_app, portal):
        response = shared_app.get("/sitemap.xml")
        assert response.status_code == 200
        assert response.content_type.startswith("application/xml")
        urls = {
            u.find("s:loc", SITEMAP_NS).text: u.find("s:lastmod", SITEMAP_NS)
            for u in ET.fromstring(response.get_data()).findall("s:url", SITEMAP_NS)
        }
        base = "http://127.0.0.1:5000"
        for name in portal["public"].values():
            lastmod = urls[f"{base}/dataset/{name['name']}"]
            assert lastmod is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text)
        for name in HIDDEN_NAMES:
            assert f"{base}/dataset/{name}" not in urls
        assert f"{base}/" in urls
        for path in EDITORIAL:
            assert f"{base}{path}" in urls
        pages = [u.removeprefix(base) for u in urls]
        assert len([p for p in pages if re.fullmatch(r"/organization/[^/]+", p)]) == 12
        assert len([p for p in pages if re.fullmatch(r"/dataset/[^/]+", p)]) == 4

    def test_robots_points_at_the_sitemap(self, shared_app):
        text = _get(shared_app, "/robots.txt")

        assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in text
        assert "Disallow: /api/" in text
        assert "Disallow: /user/" in text
