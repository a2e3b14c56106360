"""The DCAT feed toward data.gouv.fr: endpoints, paging, privacy, SHACL, round trip.

A realistic set of datasets in several organisations is published on the real stack; the
catalogs are fetched through the web app exactly as a harvester does, page after page. The
platform is built once for the module (``shared_platform``): every test here only reads it;
the tests that change it are in test_feed_changes.py.
"""

from __future__ import annotations

import pytest
import rdflib
from ckan.tests import helpers
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace

from tests.helpers import shacl
from tests.helpers.crawl import (
    FORMATS,
    GSP,
    HYDRA,
    LOCN,
    PER_PAGE,
    RDFLIB,
    crawl,
    dataset_uri,
    datasets,
)

pytestmark = pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)


class TestCatalogs:
    @pytest.mark.parametrize("suffix", ["ttl", "xml", "jsonld"])
    def test_site_catalog_holds_every_public_dataset_across_pages(
        self, shared_app, shared_platform, suffix
    ):
        graph, pages = crawl(shared_app, f"http://127.0.0.1:5000/catalog.{suffix}", suffix)

        assert datasets(graph) == {dataset_uri(d) for d in shared_platform["public"].values()}
        assert len(pages) == 3  # 8 datasets, 3 a page
        assert all(p.startswith("http://127.0.0.1:5000/catalog.") for p in pages)

    def test_each_organisation_has_its_own_catalog(self, shared_app, shared_platform):
        orgs, public = shared_platform["orgs"], shared_platform["public"]
        graph, pages = crawl(
            shared_app, "http://127.0.0.1:5000/organization/ca-grand-montauban/catalog.ttl"
        )

        montauban = {
            dataset_uri(d) for d in public.values() if d["owner_org"] == orgs["montauban"]["id"]
        }
        assert datasets(graph) == montauban
        assert len(pages) == 2
        catalog = rdflib.URIRef("http://127.0.0.1:5000/organization/ca-grand-montauban/catalog")
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        publisher = graph.value(catalog, DCTERMS.publisher)
        assert str(graph.value(publisher, DCTERMS.identifier)) == "248200099"

    @pytest.mark.ckan_config("ckan.site_url", "https://data.tarnetgaronne.fr/portail")
    def test_paging_links_are_absolute_from_the_site_url_with_its_path(
        self, shared_app, shared_platform
    ):
        body = shared_app.get("/catalog.ttl?q=Délibérations&page=1").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")

        (next_page,) = graph.objects(None, HYDRA.next)
        assert isinstance(next_page, rdflib.URIRef)
        assert str(next_page) == (
            "https://data.tarnetgaronne.fr/portail/catalog.ttl?q=D%C3%A9lib%C3%A9rations&page=2"
        )

    def test_single_dataset_in_each_format(self, shared_app, shared_platform):
        dataset = shared_platform["public"]["routes"]
        for suffix, media_type in FORMATS.items():
            response = shared_app.get(f"/dataset/{dataset['name']}.{suffix}")
            assert response.status_code == 200
            assert response.headers["Content-Type"].startswith(media_type)
            graph = rdflib.Graph().parse(
                data=response.get_data(as_text=True), format=RDFLIB[suffix]
            )
            assert datasets(graph) == {dataset_uri(dataset)}

    def test_html_pages_announce_their_rdf(self, shared_app, shared_platform):
        org_page = shared_app.get("/organization/ca-grand-montauban").get_data(as_text=True)
        assert (
            'href="http://127.0.0.1:5000/organization/ca-grand-montauban/catalog.ttl"' in org_page
        )
        dataset_page = shared_app.get("/dataset/routes-departementales").get_data(as_text=True)
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
    def test_no_catalog_page_shows_private_draft_or_deleted_datasets(
        self, shared_app, shared_platform, query
    ):
        hidden = {dataset_uri(d) for d in shared_platform["hidden"].values()}
        for path in ("/catalog.ttl", "/organization/ca-grand-montauban/catalog.ttl"):
            response = shared_app.get(path + query)
            assert response.status_code in (200, 400), (path, query, response.status_code)
            if response.status_code == 200:
                graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
                assert not (datasets(graph) & hidden), (path, query)
                body = response.get_data(as_text=True)
                assert not any(d["id"] in body for d in shared_platform["hidden"].values())

    def test_words_that_merely_contain_a_field_name_are_searchable(
        self, shared_app, shared_platform
    ):
        response = shared_app.get("/catalog.ttl?q=estate")  # contains "state", is not state:
        assert response.status_code == 200

    def test_a_narrowing_filter_is_allowed(self, shared_app, shared_platform):
        response = shared_app.get("/catalog.ttl?fq=organization:cc-terres-des-confluences")
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert datasets(graph) == {
            dataset_uri(shared_platform["public"][k]) for k in ("moissac-0", "moissac-1")
        }

    @pytest.mark.parametrize("which", ["private", "draft", "deleted"])
    def test_hidden_dataset_rdf_answers_404_even_to_a_sysadmin(
        self, shared_app, shared_platform, which
    ):
        dataset = shared_platform["hidden"][which]
        token = shared_platform["sysadmin_token"]
        for headers in ({}, {"Authorization": token}):
            response = shared_app.get(f"/dataset/{dataset['id']}.ttl", headers=headers)
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
    def test_bad_parameters_get_a_short_4xx(
        self, shared_app, shared_platform, path, status, message
    ):
        response = shared_app.get(path)
        assert response.status_code == status
        assert message in response.get_data(as_text=True)

    @pytest.mark.parametrize("since", ["2999-01-01", "29990101", "2999-01-01T10:30"])
    def test_modified_since_narrows(self, shared_app, shared_platform, since):
        response = shared_app.get(f"/catalog.ttl?modified_since={since}")
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert datasets(graph) == set()


class TestWhatDataGouvNeeds:
    def test_every_dataset_has_identifier_title_licence_and_distributions_with_both_urls(
        self, shared_app, shared_platform
    ):
        graph, _ = crawl(shared_app, "http://127.0.0.1:5000/catalog.ttl")
        for dataset in datasets(graph):
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

    def test_territories_carry_their_geometry_under_locn_geometry(
        self, shared_app, shared_platform
    ):
        graph, _ = crawl(shared_app, "http://127.0.0.1:5000/catalog.ttl")
        montauban = rdflib.URIRef("http://id.insee.fr/geo/commune/82121")
        geometry = graph.value(montauban, LOCN.geometry)
        assert str(geometry).startswith("POLYGON")
        assert geometry.datatype == GSP.wktLiteral
        assert not list(graph.triples((None, LOCN.Geometry, None)))

    def test_licences_use_the_urls_datagouv_matches(self, shared_app, shared_platform):
        graph, _ = crawl(shared_app, "http://127.0.0.1:5000/catalog.ttl")
        licences = {str(o) for o in graph.objects(None, DCTERMS.license)}
        assert licences == {
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            "http://opendatacommons.org/licenses/odbl/summary/",
            "http://www.opendefinition.org/licenses/cc-by",
        }

    def test_no_remote_jsonld_context(self, shared_app, shared_platform):
        body = shared_app.get("/catalog.jsonld").get_data(as_text=True)
        assert '"@context": "http' not in body and "'@context': 'http" not in body


class TestConformance:
    def test_every_page_of_every_catalog_has_zero_shacl_violations(
        self, shared_app, shared_platform
    ):
        graph, _ = crawl(shared_app, "http://127.0.0.1:5000/catalog.ttl")
        for org in shared_platform["orgs"].values():
            org_graph, _ = crawl(
                shared_app, f"http://127.0.0.1:5000/organization/{org['name']}/catalog.ttl"
            )
            graph += org_graph

        assert shacl.violations(graph) == []

    def test_hvd_datasets_conform_to_the_hvd_shapes(self, shared_app, shared_platform):
        body = shared_app.get("/dataset/routes-departementales.ttl").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")

        assert shacl.violations(graph, hvd=True) == []

    def test_the_shapes_do_catch_a_broken_dataset(self, shared_app, shared_platform):
        """The harness itself is honest: a dataset without a description fails."""
        body = shared_app.get("/dataset/routes-departementales.ttl").get_data(as_text=True)
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
        self, shared_app, shared_platform, name, suffix
    ):
        from ckanext.dcat.processors import RDFParser

        original = helpers.call_action("package_show", id=shared_platform["public"][name]["id"])
        body = shared_app.get(f"/dataset/{original['name']}.{suffix}").get_data(as_text=True)
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
