"""The DCAT feed follows the changes agents make: edits during a crawl, renamed
organisations, links with characters Turtle cannot write.

Each test builds its own platform (``platform``), since it changes it.
"""

from __future__ import annotations

import pytest
import rdflib
from ckan.tests import factories, helpers
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from tests.helpers.crawl import PER_PAGE, dataset_uri, datasets
from tests.helpers.harvest import registered_source

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE),
]


class TestCatalogs:
    def test_pages_are_in_creation_order_so_an_edit_during_a_crawl_changes_nothing(
        self, app, platform
    ):
        first = app.get("/catalog.ttl?page=1").get_data(as_text=True)
        page_one = datasets(rdflib.Graph().parse(data=first, format="turtle"))
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

        assert dataset_uri(oldest) in page_one
        assert not (page_one & datasets(rest))
        assert page_one | datasets(rest) == {dataset_uri(d) for d in platform["public"].values()}


class TestWhatDataGouvNeeds:
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


class TestPeriods:
    @pytest.mark.parametrize(
        "dates",
        [{"temporal_end": "2024-12-31"}, {"temporal_start": "2024-01-01"}],
        ids=["end-only", "start-only"],
    )
    def test_a_period_with_one_date_is_one_dct_period(self, app, make_org, make_dataset, dates):
        """ckanext-dcat alone leaves a second period (schema:endDate) when only the end is
        given; udata would read either, SHACL and re-users see two periods."""
        org = make_org()
        dataset = make_dataset(owner_org=org["id"], **dates)
        body = app.get(f"/dataset/{dataset['name']}.ttl").get_data(as_text=True)
        graph = rdflib.Graph().parse(data=body, format="turtle")

        (period,) = graph.objects(dataset_uri(dataset), DCTERMS.temporal)
        assert set(graph.predicates(period, None)) == {
            RDF.type,
            DCAT.endDate if "temporal_end" in dates else DCAT.startDate,
        }
        (value,) = graph.objects(
            period, DCAT.endDate if "temporal_end" in dates else DCAT.startDate
        )
        assert (str(value), value.datatype) == (next(iter(dates.values())), XSD.date)


class TestOtherTypes:
    def test_a_harvest_source_is_no_dataset_document(self, app):
        """A harvest source is a public CKAN package of another type: not in the catalogs,
        and its RDF URL answers as for a name that never existed."""
        org = factories.Organization(territory_kind="epci", epci_nature="CC", siren="200066629")
        source = registered_source(
            org, "source-publique", "http://127.0.0.1:9/catalog.ttl", factories.Sysadmin()["name"]
        )
        for suffix in ("ttl", "xml", "jsonld"):
            response = app.get(f"/dataset/{source['id']}.{suffix}")
            assert response.status_code == 404, suffix
            never = app.get(f"/dataset/00000000-0000-4000-8000-000000000000.{suffix}")
            assert response.get_data(as_text=True) == never.get_data(as_text=True)
        catalog = app.get("/catalog.ttl").get_data(as_text=True)
        assert source["id"] not in catalog and "source-publique" not in catalog
