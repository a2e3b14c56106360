"""The DCAT feed toward data.gouv.fr: endpoints, paging, privacy, SHACL, round trip.

A realistic set of datasets in several organisations is published on the real stack; the
catalogs are fetched through the web app exactly as a harvester does, page after page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from ckan.tests import factories, helpers
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace

ROOT = Path(__file__).resolve().parents[1]
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
PER_PAGE = 3
FORMATS = {"xml": "application/rdf+xml", "ttl": "text/turtle", "jsonld": "application/ld+json"}
RDFLIB = {"xml": "xml", "ttl": "turtle", "jsonld": "json-ld"}

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE),
]


def _uri(dataset: dict) -> rdflib.URIRef:
    return rdflib.URIRef(f"http://127.0.0.1:5000/dataset/{dataset['id']}")


def crawl(app, url: str, suffix: str = "ttl") -> tuple[rdflib.Graph, list[str]]:
    """Follow hydra:next from the first page, as data.gouv.fr does; every page must be 200."""
    graph, pages, seen = rdflib.Graph(), [], set()
    while url:
        assert url not in seen, f"paging loops on {url}"
        seen.add(url)
        path = url.removeprefix("http://127.0.0.1:5000")
        response = app.get(path, follow_redirects=False)
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers["Content-Type"].startswith(FORMATS[suffix])
        page = rdflib.Graph().parse(data=response.get_data(as_text=True), format=RDFLIB[suffix])
        graph += page
        pages.append(url)
        nexts = list(page.objects(None, HYDRA.next))
        assert len(nexts) <= 1
        url = str(nexts[0]) if nexts else None
    return graph, pages


def _datasets(graph: rdflib.Graph) -> set:
    return set(graph.subjects(RDF.type, DCAT.Dataset))


class TestCatalogs:
    @pytest.mark.parametrize("suffix", ["ttl", "xml", "jsonld"])
    def test_site_catalog_holds_every_public_dataset_across_pages(self, app, platform, suffix):
        graph, pages = crawl(app, f"http://127.0.0.1:5000/catalog.{suffix}", suffix)

        assert _datasets(graph) == {_uri(d) for d in platform["public"].values()}
        assert len(pages) == 3  # 8 datasets, 3 a page
        assert all(p.startswith("http://127.0.0.1:5000/catalog.") for p in pages)

    def test_each_organisation_has_its_own_catalog(self, app, platform):
        orgs, public = platform["orgs"], platform["public"]
        graph, pages = crawl(
            app, "http://127.0.0.1:5000/organization/ca-grand-montauban/catalog.ttl"
        )

        montauban = {_uri(d) for d in public.values() if d["owner_org"] == orgs["montauban"]["id"]}
        assert _datasets(graph) == montauban
        assert len(pages) == 2
        catalog = rdflib.URIRef("http://127.0.0.1:5000/organization/ca-grand-montauban/catalog")
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        publisher = graph.value(catalog, DCTERMS.publisher)
        assert str(graph.value(publisher, DCTERMS.identifier)) == "248200099"

    def test_pages_are_in_creation_order_so_an_edit_during_a_crawl_changes_nothing(
        self, app, platform
    ):
        first = app.get("/catalog.ttl?page=1").get_data(as_text=True)
        page_one = _datasets(rdflib.Graph().parse(data=first, format="turtle"))
        # An agent edits the first dataset between two page requests of the harvester.
        oldest = platform["public"]["montauban-0"]
        helpers.call_action(
            "package_patch",
            {"user": factories.Sysadmin()["name"]},
            id=oldest["id"],
            title="Délibérations 2022 (corrigé)",
        )
        rest = rdflib.Graph()
        for page in (2, 3):
            rest.parse(
                data=app.get(f"/catalog.ttl?page={page}").get_data(as_text=True), format="turtle"
            )

        assert _uri(oldest) in page_one
        assert not (page_one & _datasets(rest))
        assert page_one | _datasets(rest) == {_uri(d) for d in platform["public"].values()}

    @pytest.mark.ckan_config("ckan.site_url", "https://data.tarnetgaronne.fr/portail")
    def test_paging_links_are_absolute_from_the_site_url_with_its_path(self, app, platform):
        body = app.get("/catalog.ttl?q=Délibérations&page=1").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")

        (next_page,) = graph.objects(None, HYDRA.next)
        assert isinstance(next_page, rdflib.URIRef)
        assert str(next_page) == (
            "https://data.tarnetgaronne.fr/portail/catalog.ttl?q=D%C3%A9lib%C3%A9rations&page=2"
        )

    def test_single_dataset_in_each_format(self, app, platform):
        dataset = platform["public"]["routes"]
        for suffix, media_type in FORMATS.items():
            response = app.get(f"/dataset/{dataset['name']}.{suffix}")
            assert response.status_code == 200
            assert response.headers["Content-Type"].startswith(media_type)
            graph = rdflib.Graph().parse(
                data=response.get_data(as_text=True), format=RDFLIB[suffix]
            )
            assert _datasets(graph) == {_uri(dataset)}

    def test_html_pages_announce_their_rdf(self, app, platform):
        org_page = app.get("/organization/ca-grand-montauban").get_data(as_text=True)
        assert (
            'href="http://127.0.0.1:5000/organization/ca-grand-montauban/catalog.ttl"' in org_page
        )
        dataset_page = app.get("/dataset/routes-departementales").get_data(as_text=True)
        assert 'rel="alternate"' in dataset_page
        assert "/dataset/" in dataset_page and ".ttl" in dataset_page


class TestNothingPrivateLeaks:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            "?q=*:*",
            "?fq=*:*",
            "?q=prive",
            "?q=brouillon",
            "?fq=name:prive",
            "?fq=-private:true",
            "?fq=capacity:private",
            "?q={!lucene}*:*",
            "?q=*:* OR capacity:private",
            "?fq=state:draft",
            "?q=_query_:%22{!lucene}*:*%22",
        ],
    )
    def test_no_catalog_page_shows_private_draft_or_deleted_datasets(self, app, platform, query):
        hidden = {_uri(d) for d in platform["hidden"].values()}
        for path in ("/catalog.ttl", "/organization/ca-grand-montauban/catalog.ttl"):
            response = app.get(path + query)
            assert response.status_code in (200, 400), (path, query, response.status_code)
            if response.status_code == 200:
                graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
                assert not (_datasets(graph) & hidden), (path, query)
                body = response.get_data(as_text=True)
                assert not any(d["id"] in body for d in platform["hidden"].values())

    def test_words_that_merely_contain_a_field_name_are_searchable(self, app, platform):
        response = app.get("/catalog.ttl?q=estate")  # contains "state", is not state:
        assert response.status_code == 200

    def test_a_narrowing_filter_is_allowed(self, app, platform):
        response = app.get("/catalog.ttl?fq=organization:cc-terres-des-confluences")
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert _datasets(graph) == {_uri(platform["public"][k]) for k in ("moissac-0", "moissac-1")}

    @pytest.mark.parametrize("which", ["private", "draft", "deleted"])
    def test_hidden_dataset_rdf_answers_404_even_to_a_sysadmin(self, app, platform, which):
        dataset = platform["hidden"][which]
        token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
        for headers in ({}, {"Authorization": token}):
            response = app.get(f"/dataset/{dataset['id']}.ttl", headers=headers)
            assert response.status_code == 404


class TestBadParameters:
    @pytest.mark.parametrize(
        ("path", "status", "message"),
        [
            ("/catalog.ttl?page=0", 400, "page doit être un entier"),
            ("/catalog.ttl?page=abc", 400, "page doit être un entier"),
            ("/catalog.ttl?page=99", 404, "Page 99 inexistante : ce catalogue a 3 page(s)."),
            ("/catalog.csv", 404, "Format inconnu « csv »"),
            ("/organization/inconnue/catalog.ttl", 404, "Organisation inconnue « inconnue »."),
            ("/catalog.ttl?modified_since=hier", 400, "modified_since doit être une date ISO"),
            ("/catalog.ttl?page=99999999999", 404, "Page 99999999999 inexistante."),
            ("/catalog.ttl?fq=title:%22unbalanced", 400, "Paramètres q ou fq invalides"),
            ("/catalog.ttl?q=title:(a", 400, "Paramètres q ou fq invalides"),
            ("/dataset/inexistant.ttl", 404, "Jeu de données introuvable."),
            ("/dataset/routes-departementales.pdf", 404, "Format inconnu « pdf »"),
        ],
    )
    def test_bad_parameters_get_a_short_4xx(self, app, platform, path, status, message):
        response = app.get(path)
        assert response.status_code == status
        assert message in response.get_data(as_text=True)

    @pytest.mark.parametrize("since", ["2999-01-01", "29990101", "2999-01-01T10:30"])
    def test_modified_since_narrows(self, app, platform, since):
        response = app.get(f"/catalog.ttl?modified_since={since}")
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert _datasets(graph) == set()


class TestWhatDataGouvNeeds:
    def test_every_dataset_has_identifier_title_licence_and_distributions_with_both_urls(
        self, app, platform
    ):
        graph, _ = crawl(app, "http://127.0.0.1:5000/catalog.ttl")
        for dataset in _datasets(graph):
            assert graph.value(dataset, DCTERMS.identifier)
            assert graph.value(dataset, DCTERMS.title)
            licence = graph.value(dataset, DCTERMS.license)
            assert licence is not None
            for dist in graph.objects(dataset, DCAT.distribution):
                assert graph.value(dist, DCAT.accessURL) == graph.value(dist, DCAT.downloadURL)
                assert graph.value(dist, DCTERMS.license) == licence
                assert len(list(graph.objects(dist, DCTERMS.conformsTo))) <= 1
                assert not list(
                    graph.objects(dist, Namespace("http://spdx.org/rdf/terms#").checksum)
                )

    def test_territories_carry_their_geometry_under_locn_geometry(self, app, platform):
        graph, _ = crawl(app, "http://127.0.0.1:5000/catalog.ttl")
        montauban = rdflib.URIRef("http://id.insee.fr/geo/commune/82121")
        geometry = graph.value(montauban, LOCN.geometry)
        assert str(geometry).startswith("POLYGON")
        assert geometry.datatype == GSP.wktLiteral
        assert not list(graph.triples((None, LOCN.Geometry, None)))

    def test_licences_use_the_urls_datagouv_matches(self, app, platform):
        graph, _ = crawl(app, "http://127.0.0.1:5000/catalog.ttl")
        licences = {str(o) for o in graph.objects(None, DCTERMS.license)}
        assert licences == {
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            "http://opendatacommons.org/licenses/odbl/summary/",
            "http://www.opendefinition.org/licenses/cc-by",
        }

    def test_a_renamed_organisation_is_renamed_in_the_feed_at_once(self, app, platform):
        org = platform["orgs"]["moissac"]
        catalog = "/organization/cc-terres-des-confluences/catalog.ttl"
        assert "CC Terres des Confluences" in app.get(catalog).get_data(as_text=True)
        helpers.call_action(
            "organization_patch",
            {"user": factories.Sysadmin()["name"]},
            id=org["id"],
            title="CC Nouveau Nom",
        )

        body = app.get(catalog).get_data(as_text=True)
        assert "CC Nouveau Nom" in body
        assert "CC Terres des Confluences" not in body

    def test_links_with_characters_turtle_cannot_write_do_not_break_the_page(
        self, app, platform, make_dataset
    ):
        odd = make_dataset(
            owner_org=platform["orgs"]["moissac"]["id"],
            resources=[
                {"url": "https://sig.moissac.fr/wfs?layers={a|b}&f=<json>", "format": "JSON"}
            ],
        )
        for suffix in ("ttl", "xml", "jsonld"):
            response = app.get(f"/organization/cc-terres-des-confluences/catalog.{suffix}")
            assert response.status_code == 200, suffix
        graph = rdflib.Graph().parse(
            data=app.get(f"/dataset/{odd['name']}.ttl").get_data(as_text=True), format="turtle"
        )
        (url,) = graph.objects(None, DCAT.downloadURL)
        assert str(url) == "https://sig.moissac.fr/wfs?layers=%7Ba%7Cb%7D&f=%3Cjson%3E"

    def test_no_remote_jsonld_context(self, app, platform):
        body = app.get("/catalog.jsonld").get_data(as_text=True)
        assert '"@context": "http' not in body and "'@context': 'http" not in body


class TestConformance:
    def test_every_page_of_every_catalog_has_zero_shacl_violations(self, app, platform):
        from tests import shacl

        graph, _ = crawl(app, "http://127.0.0.1:5000/catalog.ttl")
        for org in platform["orgs"].values():
            org_graph, _ = crawl(
                app, f"http://127.0.0.1:5000/organization/{org['name']}/catalog.ttl"
            )
            graph += org_graph

        assert shacl.violations(graph) == []

    def test_hvd_datasets_conform_to_the_hvd_shapes(self, app, platform):
        from tests import shacl

        body = app.get("/dataset/routes-departementales.ttl").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")

        assert shacl.violations(graph, hvd=True) == []

    def test_the_shapes_do_catch_a_broken_dataset(self, app, platform):
        """The harness itself is honest: a dataset without a description fails."""
        from tests import shacl

        body = app.get("/dataset/routes-departementales.ttl").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")
        graph.remove((None, DCTERMS.description, None))

        assert any("description" in v for v in shacl.violations(graph))


ROUND_TRIP_FIELDS = (
    "title",
    "notes",
    "license_id",
    "theme",
    "frequency",
    "language",
    "access_rights",
    "hvd_category",
    "temporal_start",
    "temporal_end",
    "contact_name",
    "contact_email",
    "territories",
    "conforms_to",
)
RESOURCE_FIELDS = ("url", "name", "format", "mimetype", "size", "conforms_to")


class TestRoundTrip:
    @pytest.mark.parametrize("name", ["montauban-0", "moissac-1", "routes", "budget"])
    @pytest.mark.parametrize("suffix", ["ttl", "xml", "jsonld"])
    def test_ckanext_dcat_reads_our_output_back_to_the_same_values(
        self, app, platform, name, suffix
    ):
        from ckanext.dcat.processors import RDFParser

        original = helpers.call_action("package_show", id=platform["public"][name]["id"])
        body = app.get(f"/dataset/{original['name']}.{suffix}").get_data(as_text=True)
        parser = RDFParser(profiles=["tgn_dcat_ap"])
        parser.parse(body, _format=RDFLIB[suffix])
        (parsed,) = list(parser.datasets())

        for field in ROUND_TRIP_FIELDS:
            read, stored = parsed.get(field) or None, original.get(field) or None
            if isinstance(stored, list):  # RDF has no order: compare as sets
                read, stored = sorted(read or []), sorted(stored)
            assert read == stored, field
        tags = {t["name"] for t in parsed["tags"]}
        assert tags == {t["name"] for t in original["tags"]}
        by_url = {r["url"]: r for r in parsed["resources"]}
        for resource in original["resources"]:
            read = by_url[resource["url"]]
            for field in RESOURCE_FIELDS:
                assert (read.get(field) or None) == (resource.get(field) or None), field
