"""DCAT sources end to end: a partner's catalog served on 127.0.0.1, synced from a source
file, harvested in this process on the real services."""

from __future__ import annotations

from ckan.plugins import toolkit as tk

from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import FREQUENCY, THEME, as_format, catalog_ttl, dataset_ttl


def two_pages(partner, first_format="turtle", second_format="xml", count=(3, 2)):
    base = partner.base
    page1 = catalog_ttl(
        [dataset_ttl(n, base) for n in range(1, count[0] + 1)],
        page=f"{base}/catalog.ttl",
        next_page=f"{base}/catalog.ttl?page=2",
    )
    page2 = catalog_ttl(
        [dataset_ttl(n, base) for n in range(count[0] + 1, sum(count) + 1)],
        page=f"{base}/catalog.ttl?page=2",
    )
    types = {"turtle": "text/turtle", "xml": "application/rdf+xml", "json-ld": "application/ld+json"}
    for path, page, fmt in (("/catalog.ttl", page1, first_format), ("/catalog.ttl?page=2", page2, second_format)):
        body = page if fmt == "turtle" else as_format(page, fmt)
        partner.serve(path, Answer(body, types[fmt]))


class TestTwoPages:
    def test_every_record_lands_mapped_in_the_source_organisation(self, partner):
        two_pages(partner)
        partner.add("partenaire")
        status = partner.run("partenaire")
        datasets = partner.datasets("partenaire")
        assert [d["title"] for d in datasets] == [f"Jeu numéro {n}" for n in range(1, 6)]
        first = datasets[0]
        assert first["owner_org"] == partner.org["id"]
        assert first["license_id"] == "lov2"
        assert first["theme"] == [THEME + "ENVI"]
        assert first["frequency"] == FREQUENCY + "MONTHLY"
        assert first["territories"] == ["82121"]
        assert first["contact_email"] == "sig@partenaire.test"
        assert first["harvest_uri"] == f"{partner.base}/datasets/jeu-1"
        assert [r["url"] for r in first["resources"]] == [f"{partner.base}/files/jeu-1.csv"]
        assert status["last_job"]["counts"] == {"added": 5}
        assert partner.requests() == ["GET /catalog.ttl", "GET /catalog.ttl?page=2"]

    def test_a_second_run_changes_nothing_and_keeps_ids(self, partner):
        two_pages(partner)
        partner.add("partenaire")
        partner.run("partenaire")
        before = {d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]]) for d in partner.datasets()}
        status = partner.run("partenaire")
        after = {d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]]) for d in partner.datasets()}
        assert after == before
        assert status["last_job"]["counts"] == {"not modified": 5}
