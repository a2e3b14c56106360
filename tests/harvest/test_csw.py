"""CSW (ISO 19139) sources end to end: a GeoNetwork-shaped catalog served on 127.0.0.1,
synced from a source file, harvested in this process on the real services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ckan import model
from ckanext.harvest.model import HarvestObject, HarvestObjectError

from ckanext.tgn.harvest import runner
from tests.harvest.iso_records import (
    Catalog,
    capabilities,
    exception_report,
    get_records,
    iso_record,
    xml,
)
from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import FREQUENCY, OTHER, THEME, Partner

CQL = "OrganisationName like '%Partenaire%'"
GMD = "http://www.isotc211.org/2005/gmd"


def geonetwork(partner: Partner, count: int = 3, **source: Any) -> Catalog:
    """``count`` records served two by two at /csw, and a csw source file reading them."""
    catalog = Catalog({f"fiche-{n}": iso_record(f"fiche-{n}") for n in range(1, count + 1)})
    partner.serve("/csw", catalog)
    partner.add(
        "geo",
        path="/csw",
        type="csw",
        filters={"cql": CQL},
        **source,
    )
    return catalog


def asked(catalog: Catalog) -> list[tuple[str, str]]:
    """What the harvester asked: (request, startPosition or id)."""
    return [(q["request"], q.get("startposition") or q.get("id", "")) for q in catalog.asked]


def listing(*starts: int) -> list[tuple[str, str]]:
    return [("GetRecords", str(s)) for s in starts]


def by_id(*ids: str) -> list[tuple[str, str]]:
    return [("GetRecordById", i) for i in ids]


def only_csw(partner: Partner) -> None:
    """Every request went to the declared path, and nothing else."""
    assert all(r.startswith("GET /csw?") for r in partner.requests()), partner.requests()


class TestGeoNetwork:
    def test_records_are_paged_fetched_and_mapped_in_the_source_organisation(
        self, partner: Partner
    ):
        catalog = geonetwork(partner)
        catalog.records["fiche-3"] = iso_record("fiche-3", places=[], keywords=["divers"])
        status = partner.run("geo")

        datasets = partner.datasets("geo")
        assert [d["title"] for d in datasets] == ["Fiche fiche-1", "Fiche fiche-2", "Fiche fiche-3"]
        first = datasets[0]
        assert first["owner_org"] == partner.org["id"]
        assert first["license_id"] == "lov2"
        assert first["theme"] == [THEME + "ENVI"]
        assert first["frequency"] == FREQUENCY + "MONTHLY"
        assert first["territories"] == ["82121"]
        assert first["contact_email"] == "sig@partenaire.test"
        assert first["contact_name"] == "Service SIG du partenaire"
        assert first["notes"] == "Résumé de la fiche fiche-1."
        assert first["issued"] == "2024-01-15"
        assert first["guid"].endswith(":fiche-1")
        assert "request=GetRecordById" in first["harvest_uri"]
        assert first["harvest_uri"].endswith("id=fiche-1")
        assert [r["url"] for r in first["resources"]] == [
            "https://geo.partenaire.test/files/fiche-1.zip"
        ]
        assert {t["name"] for t in first["tags"]} >= {"eau potable", "Montauban", "Hydrographie"}
        # Upstream writes the bbox as a `spatial` extra, which our schema (a `spatial`
        # field) refuses for the whole record: no object error means it did not.
        assert status["last_job"]["object_errors"] == []
        # Without a territory, the bounding box is the coverage, in the schema's field.
        third = datasets[2]
        assert third["territories"] == []
        assert json.loads(third["spatial"])["type"] == "Polygon"

        assert status["last_job"]["counts"] == {"added": 3}
        assert status["last_job"]["gather_errors"] == []
        assert status["last_job"]["object_errors"] == []
        assert asked(catalog) == listing(1, 3) + by_id("fiche-1", "fiche-2", "fiche-3")
        listed, fetched = catalog.asked[0], catalog.asked[2]
        assert listed["constraint"] == CQL
        assert listed["constraintlanguage"] == "CQL_TEXT"
        assert listed["typenames"] == "csw:Record"
        assert fetched["outputschema"] == GMD
        assert fetched["elementsetname"] == "full"
        only_csw(partner)

    def test_a_second_run_changes_nothing(self, partner: Partner):
        catalog = geonetwork(partner)
        catalog.records["fiche-3"] = iso_record("fiche-3", places=[])
        partner.run("geo")
        before = {
            d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]])
            for d in partner.datasets("geo")
        }
        status = partner.run("geo")
        after = {
            d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]])
            for d in partner.datasets("geo")
        }
        assert after == before
        assert status["last_job"]["counts"] == {"not modified": 3}
        assert asked(catalog) == 2 * (listing(1, 3) + by_id("fiche-1", "fiche-2", "fiche-3"))
        only_csw(partner)

    def test_a_changed_record_updates_its_dataset_in_place(self, partner: Partner):
        catalog = geonetwork(partner)
        partner.run("geo")
        ids = {
            d["title"]: (d["id"], [r["id"] for r in d["resources"]])
            for d in partner.datasets("geo")
        }
        # Same dateStamp: our comparison, not the date, decides.
        catalog.records["fiche-2"] = iso_record("fiche-2", abstract="Résumé corrigé.")
        status = partner.run("geo")
        assert status["last_job"]["counts"] == {"not modified": 2, "updated": 1}
        second = partner.datasets("geo")[1]
        assert second["notes"] == "Résumé corrigé."
        assert (second["id"], [r["id"] for r in second["resources"]]) == ids["Fiche fiche-2"]
        only_csw(partner)


class TestOnlyTheDeclaredUrl:
    def test_capabilities_and_records_pointing_elsewhere_are_never_followed(self, partner: Partner):
        elsewhere = f"http://{OTHER}:{partner.state['port']}/autre"
        catalog = geonetwork(partner, count=2)
        catalog.capabilities = capabilities(elsewhere)
        catalog.records["fiche-2"] = iso_record("fiche-2", resource=f"{elsewhere}/fichier.zip")
        partner.serve("/autre/csw", catalog)

        status = partner.run("geo")

        assert status["last_job"]["counts"] == {"added": 2}
        assert asked(catalog) == listing(1) + by_id("fiche-1", "fiche-2")
        assert not [q for q in catalog.asked if q.get("request", "").lower() == "getcapabilities"]
        assert not [r for r in partner.requests() if "/autre" in r]
        only_csw(partner)


class TestHostileRecords:
    def test_an_external_entity_is_refused_before_parsing(self, partner: Partner):
        secret = Path("/etc/hostname").read_text().strip()
        catalog = geonetwork(partner)
        xxe = (
            '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n'
            + iso_record("fiche-2", title="Fiche &xxe;")
        )
        catalog.records["fiche-2"] = xml(xxe)

        status = partner.run("geo")

        assert [d["title"] for d in partner.datasets("geo")] == ["Fiche fiche-1", "Fiche fiche-3"]
        assert status["last_job"]["counts"] == {"added": 2, "errored": 1}
        [error] = status["last_job"]["object_errors"]
        assert error.startswith("fiche-2 : fiche fiche-2 : document XML refusé")
        assert "DTD" in error
        if len(secret) >= 4:
            stored = [o.content or "" for o in model.Session.query(HarvestObject)]
            stored += [e.message for e in model.Session.query(HarvestObjectError)]
            stored.append(json.dumps(partner.datasets(all_states=True)))
            assert not [text for text in stored if secret in text]
        only_csw(partner)

    def test_malformed_and_exception_answers_are_object_errors_in_french(self, partner: Partner):
        catalog = geonetwork(partner)
        catalog.records["fiche-1"] = xml("<csw:GetRecordByIdResponse><gmd:MD_Metadata>")
        catalog.records["fiche-2"] = xml(exception_report("Enregistrement introuvable"))

        status = partner.run("geo")

        assert [d["title"] for d in partner.datasets("geo")] == ["Fiche fiche-3"]
        errors = sorted(status["last_job"]["object_errors"])
        assert errors[0].startswith("fiche-1 : fiche fiche-1 : réponse XML illisible")
        assert errors[1] == (
            "fiche-2 : fiche fiche-2 : le catalogue a répondu par une erreur CSW "
            "(ows:ExceptionReport) : NoApplicableCode Enregistrement introuvable"
        )
        assert status["last_job"]["counts"] == {"added": 1, "errored": 2}
        only_csw(partner)

    def test_broken_listings_are_job_errors_and_withdraw_nothing(self, partner: Partner):
        catalog = geonetwork(partner, deletion={"max_fraction": 1.0})
        partner.run("geo")
        answers = {
            "réponse XML illisible": xml("<csw:GetRecordsResponse><csw:SearchResults"),
            "ows:ExceptionReport": xml(
                exception_report("Filtre CQL invalide", "InvalidParameterValue")
            ),
            "page HTML": Answer(
                "<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html"
            ),
        }
        for expected, answer in answers.items():
            catalog.pages[3] = answer  # page 2 fails: fiche-3 is not seen
            status = partner.run("geo")
            job = status["last_job"]
            assert len(job["gather_errors"]) == 1, job
            assert job["gather_errors"][0].startswith("page 2 (GetRecords, startPosition=3) : ")
            assert expected in job["gather_errors"][0]
            assert job["counts"] == {"not modified": 2}
            assert [(d["private"], d["harvest_withdrawn_at"]) for d in partner.datasets("geo")] == [
                (False, "")
            ] * 3
        only_csw(partner)

    def test_a_repeated_next_record_is_a_pagination_loop(self, partner: Partner):
        catalog = geonetwork(partner, count=5, deletion={"max_fraction": 1.0})
        partner.run("geo")
        catalog.pages[3] = xml(
            get_records(["fiche-3", "fiche-4"], matched=5, next_record=3)  # the same page again
        )
        status = partner.run("geo")
        [error] = status["last_job"]["gather_errors"]
        assert error.startswith("boucle de pagination")
        assert status["last_job"]["counts"] == {"not modified": 4}
        assert not [d for d in partner.datasets("geo") if d["private"]]
        assert asked(catalog)[-6:] == listing(1, 3) + by_id(
            "fiche-1", "fiche-2", "fiche-3", "fiche-4"
        )
        only_csw(partner)

    def test_the_page_budget_stops_the_listing_and_withdraws_nothing(self, partner: Partner):
        catalog = geonetwork(partner, count=5, deletion={"max_fraction": 1.0})
        partner.run("geo")
        partner.add(
            "geo",
            path="/csw",
            type="csw",
            filters={"cql": CQL},
            deletion={"max_fraction": 1.0},
            limits={"max_pages": 2},
        )
        status = partner.run("geo")
        assert status["last_job"]["gather_errors"] == ["plus de 2 pages (limits.max_pages) : arrêt"]
        assert status["last_job"]["counts"] == {"not modified": 4}
        assert not [d for d in partner.datasets("geo") if d["private"]]
        assert asked(catalog)[-6:] == listing(1, 3) + by_id(
            "fiche-1", "fiche-2", "fiche-3", "fiche-4"
        )
        only_csw(partner)


class TestRemovedRecords:
    def test_a_record_gone_is_withdrawn_then_restored_when_it_returns(self, partner: Partner):
        catalog = geonetwork(partner, deletion={"max_fraction": 0.5})
        partner.run("geo")
        ids = {d["title"]: d["id"] for d in partner.datasets("geo")}
        kept = catalog.records.pop("fiche-3")

        status = partner.run("geo")

        assert status["last_job"]["counts"] == {"not modified": 2, "deleted": 1}
        third = partner.datasets("geo")[2]
        assert third["private"] is True
        assert third["harvest_withdrawn_at"]
        assert third["state"] == "active"

        catalog.records["fiche-3"] = kept
        status = partner.run("geo")
        assert status["last_job"]["counts"] == {"not modified": 2, "updated": 1}
        third = partner.datasets("geo")[2]
        assert (third["id"], third["private"], third["harvest_withdrawn_at"]) == (
            ids["Fiche fiche-3"],
            False,
            "",
        )
        only_csw(partner)

    def test_an_empty_answer_withdraws_nothing(self, partner: Partner):
        catalog = geonetwork(partner, deletion={"max_fraction": 1.0})
        partner.run("geo")
        catalog.records.clear()

        status = partner.run("geo")

        [error] = status["last_job"]["gather_errors"]
        assert error.startswith("le catalogue n'a renvoyé aucune fiche")
        assert status["last_job"]["counts"] == {}
        assert [(d["private"], d["harvest_withdrawn_at"]) for d in partner.datasets("geo")] == [
            (False, "")
        ] * 3
        assert [q["request"] for q in catalog.asked[-1:]] == ["GetRecords"]
        only_csw(partner)


class TestPreview:
    def test_check_maps_the_first_records_and_writes_nothing(self, partner: Partner):
        catalog = geonetwork(partner, count=5)
        catalog.records["fiche-2"] = iso_record("fiche-2", licence="Licence propriétaire")

        results = list(runner.check("geo", 3))

        assert [(kind, key) for kind, key, _ in results] == [
            ("ok", "fiche-1"),
            ("refusé", "fiche-2"),
            ("ok", "fiche-3"),
        ]
        assert results[0][2].package["license_id"] == "lov2"
        assert results[1][2].startswith("licence inconnue")
        # Pages are read as the records are: no more than the limit needs.
        assert asked(catalog) == (
            listing(1) + by_id("fiche-1", "fiche-2") + listing(3) + by_id("fiche-3")
        )
        assert catalog.asked[0]["maxrecords"] == "3"
        assert partner.datasets("geo") == []
        assert model.Session.query(HarvestObject).count() == 0
        only_csw(partner)
