"""CKAN sources end to end: a partner's CKAN action API served on 127.0.0.1, synced from a
source file, harvested in this process on the real services."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ckan import model
from ckan.tests import helpers

from ckanext.tgn.harvest import runner
from ckanext.tgn.harvest.ckan import local_id
from tests.helpers import data
from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import FREQUENCY, INSEE, THEME, Partner

SEARCH = "/api/3/action/package_search"
FIRST_PAGE = f"GET {SEARCH}?rows=100&start=0&sort=id+asc"
SECOND_PAGE = f"GET {SEARCH}?rows=100&start=100&sort=id+asc"


def remote_id(number: int) -> str:
    """Remote ids sort as numbers (upstream pages with ``sort=id asc``)."""
    return f"{number:08d}-1111-4111-8111-111111111111"


def remote_dataset(number: int, base: str, **over: Any) -> dict[str, Any]:
    """One dataset as a remote CKAN's ``package_search`` gives it."""
    dataset = {
        "id": remote_id(number),
        "name": f"jeu-ckan-{number}",
        "title": f"Jeu CKAN {number}",
        "notes": f"<p>Description du <b>jeu</b> {number}.</p>",
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": "odc-odbl",
        "license_title": "Open Data Commons Open Database License (ODbL)",
        "license_url": "http://www.opendefinition.org/licenses/odc-odbl",
        "maintainer": "Service SIG",
        "maintainer_email": "sig@partenaire.test",
        "author": "Direction du numérique",
        "author_email": "numerique@partenaire.test",
        "owner_org": "0000aaaa-remote-org",
        "organization": {"id": "0000aaaa-remote-org", "name": "partenaire"},
        "metadata_created": "2025-01-10T08:00:00.000000",
        "metadata_modified": "2025-03-01T08:00:00.000000",
        "tags": [{"name": "environnement"}, {"name": "qualité de l'eau"}],
        "groups": [],
        "extras": [{"key": "frequency", "value": FREQUENCY + "MONTHLY"}],
        "spatial_uri": INSEE + "82121",
        "resources": [
            {
                "id": f"res-{number}",
                "url": f"{base}/files/jeu-{number}.csv",
                "name": f"Fichier {number}",
                "format": "CSV",
                "url_type": None,
            }
        ],
    }
    dataset.update(over)
    return dataset


def answer(results: list[dict[str, Any]], count: int | None = None) -> Answer:
    body = {
        "help": "package_search",
        "success": True,
        "result": {"count": len(results) if count is None else count, "results": results},
    }
    return Answer(json.dumps(body), "application/json;charset=utf-8")


def search(pages: dict[int, list[dict[str, Any]]]) -> Any:
    """The remote ``package_search``, answering by ``start`` as CKAN does."""
    total = sum(len(p) for p in pages.values())

    def route(handler: Any) -> Answer:
        query = parse_qs(urlsplit(handler.path).query)
        return answer(pages.get(int(query["start"][0]), []), total)

    return route


def add_source(partner: Partner, name: str = "portail", **fields: Any) -> None:
    content: dict[str, Any] = {
        "type": "ckan",
        "mapping": {"theme": {"default": ["REGI"]}},
        **fields,
    }
    partner.add(name, "", **content)


def source_id(name: str) -> str:
    return str(runner.find_source(name).id)


class TestThreeDatasets:
    def three(self, partner: Partner) -> list[dict[str, Any]]:
        base = partner.base
        return [
            remote_dataset(1, base, theme=[THEME + "ENVI"]),
            remote_dataset(
                2,
                base,
                maintainer="",
                maintainer_email="",
                license_url="",
                license_title="",
                license_id="cc-by",
                tags=[{"name": "vélo"}],
            ),
            remote_dataset(3, base, spatial_uri="", extras=[]),
        ]

    def test_records_land_mapped_in_the_source_organisation(self, partner: Partner):
        partner.serve(SEARCH, search({0: self.three(partner)}))
        add_source(partner)
        status = partner.run("portail")
        datasets = partner.datasets("portail")
        assert [d["title"] for d in datasets] == ["Jeu CKAN 1", "Jeu CKAN 2", "Jeu CKAN 3"]
        first, second, third = datasets
        for number, dataset in enumerate(datasets, 1):
            assert dataset["owner_org"] == partner.org["id"]
            assert dataset["id"] != remote_id(number)
            assert dataset["guid"] == f"{source_id('portail')}:{remote_id(number)}"
            assert dataset["private"] is False
            assert [r["url"] for r in dataset["resources"]] == [
                f"{partner.base}/files/jeu-{number}.csv"
            ]
            assert dataset["resources"][0]["id"] != f"res-{number}"
            assert dataset["harvest_uri"] == f"{partner.base}/dataset/{remote_id(number)}"
        assert first["license_id"] == "odc-odbl"  # by its title: the URL is not ours
        assert first["theme"] == [THEME + "ENVI"]
        assert first["frequency"] == FREQUENCY + "MONTHLY"
        assert first["territories"] == ["82121"]
        assert first["contact_name"] == "Service SIG"
        assert first["contact_email"] == "sig@partenaire.test"
        assert first["notes"] == "Description du **jeu** 1."
        assert first["url"] == f"{partner.base}/dataset/jeu-ckan-1"
        assert sorted(t["name"] for t in first["tags"]) == ["environnement", "qualité de l eau"]
        assert second["license_id"] == "cc-by"
        assert second["theme"] == [THEME + "REGI"]  # the source's default
        assert second["contact_email"] == "numerique@partenaire.test"  # the author
        assert third["frequency"] == FREQUENCY + "UNKNOWN"
        assert third["theme"] == [THEME + "ENVI"]  # a tag naming a theme
        assert status["last_job"]["counts"] == {"added": 3}
        assert partner.requests() == [FIRST_PAGE]

    def test_a_second_run_changes_nothing_and_keeps_ids(self, partner: Partner):
        partner.serve(SEARCH, search({0: self.three(partner)}))
        add_source(partner)
        partner.run("portail")

        def state() -> dict[str, Any]:
            return {
                d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]])
                for d in partner.datasets("portail")
            }

        before = state()
        status = partner.run("portail")
        assert state() == before
        assert status["last_job"]["counts"] == {"not modified": 3}
        assert status["last_job"]["gather_errors"] == []
        assert partner.requests() == [FIRST_PAGE, FIRST_PAGE]


def test_pages_of_a_hundred_and_the_organisation_and_id_filters(partner: Partner):
    """Upstream's paging (100 rows, start += 100), our ``fq`` and id filters."""
    base = partner.base
    pages = {
        0: [remote_dataset(n, base) for n in range(1, 101)],
        100: [remote_dataset(n, base) for n in range(101, 151)],
    }
    partner.serve(SEARCH, search(pages))
    add_source(
        partner,
        filters={
            "organization": "partenaire",
            "include_ids": [remote_id(7), "jeu-ckan-99", remote_id(120)],
            "exclude_ids": ["jeu-ckan-99"],
        },
    )
    status = partner.run("portail")
    assert [d["title"] for d in partner.datasets("portail")] == ["Jeu CKAN 120", "Jeu CKAN 7"]
    assert status["last_job"]["counts"] == {"added": 2}
    fq = "&fq=organization%3Apartenaire"
    assert partner.requests() == [FIRST_PAGE + fq, SECOND_PAGE + fq]


def test_the_page_budget_stops_the_reading_and_withdraws_nothing(partner: Partner):
    pages = {0: [remote_dataset(n, partner.base) for n in range(1, 101)]}
    partner.serve(SEARCH, search({**pages, 100: [remote_dataset(101, partner.base)]}))
    add_source(partner, limits={"max_pages": 1}, filters={"include_ids": [remote_id(7)]})
    status = partner.run("portail")
    assert "plus de 1 pages" in status["last_job"]["gather_errors"][0]
    assert status["last_job"]["counts"] == {"added": 1}
    assert partner.requests() == [FIRST_PAGE]


def test_the_dataset_budget_stops_the_reading_and_withdraws_nothing(partner: Partner):
    three = [remote_dataset(n, partner.base) for n in (1, 2, 3)]
    partner.serve(SEARCH, search({0: three}))
    add_source(partner, limits={"max_datasets": 2}, deletion={"max_fraction": 1.0})
    status = partner.run("portail")
    assert "plus de 2 jeux" in status["last_job"]["gather_errors"][0]
    assert [d["title"] for d in partner.datasets("portail")] == ["Jeu CKAN 1", "Jeu CKAN 2"]
    assert status["last_job"]["counts"] == {"added": 2}
    assert partner.requests() == [FIRST_PAGE]


def test_a_remote_record_never_reaches_a_local_dataset_or_organisation(partner: Partner):
    """Case 7 (the remote id is a hand-made dataset's) and case 9 (it names another local
    organisation): the local dataset is untouched, the record lands in the source's
    organisation under its own id and name."""
    other = data.organisation(name="autre-epci", title="Autre EPCI")
    local = data.dataset(owner_org=other["id"], name="jeu-fait-main", title="Jeu fait main")
    remote = remote_dataset(
        1,
        partner.base,
        id=local["id"],
        name="jeu-fait-main",
        title="Jeu venu d'ailleurs",
        owner_org=other["id"],
        organization={"id": other["id"], "name": "autre-epci"},
        groups=[{"id": "g", "name": "un-groupe", "title": "Un groupe"}],
    )
    partner.serve(SEARCH, search({0: [remote]}))
    add_source(partner, mapping={"theme": {"default": ["REGI"]}, "licence": {"default": "lov2"}})
    status = partner.run("portail")
    model.Session.remove()
    kept = helpers.call_action("package_show", id=local["id"])
    assert (kept["title"], kept["owner_org"], kept["name"]) == (
        "Jeu fait main",
        other["id"],
        "jeu-fait-main",
    )
    assert kept["metadata_modified"] == local["metadata_modified"]
    [harvested] = partner.datasets("portail")
    assert harvested["title"] == "Jeu venu d'ailleurs"
    assert harvested["id"] != local["id"]
    assert harvested["name"] != "jeu-fait-main"
    assert harvested["owner_org"] == partner.org["id"]
    assert harvested["groups"] == []
    assert status["last_job"]["counts"] == {"added": 1}
    assert partner.requests() == [FIRST_PAGE]


class TestDeletion:
    def test_withdrawn_when_removed_restored_when_back_kept_on_an_empty_answer(
        self, partner: Partner
    ):
        base = partner.base
        three = [remote_dataset(n, base) for n in (1, 2, 3)]
        partner.serve(SEARCH, search({0: three}))
        add_source(partner, deletion={"max_fraction": 0.5})
        partner.run("portail")
        ids = {d["title"]: d["id"] for d in partner.datasets("portail")}

        partner.serve(SEARCH, search({0: [three[0], three[2]]}))
        status = partner.run("portail")
        assert status["last_job"]["counts"] == {"not modified": 2, "deleted": 1}
        gone = {d["title"]: d for d in partner.datasets("portail")}["Jeu CKAN 2"]
        assert gone["private"] is True
        assert gone["harvest_withdrawn_at"]

        partner.serve(SEARCH, search({0: three}))
        status = partner.run("portail")
        assert status["last_job"]["counts"] == {"not modified": 2, "updated": 1}
        back = {d["title"]: d for d in partner.datasets("portail")}
        assert {t: d["id"] for t, d in back.items()} == ids
        assert back["Jeu CKAN 2"]["private"] is False
        assert not back["Jeu CKAN 2"]["harvest_withdrawn_at"]

        partner.serve(SEARCH, search({}))
        status = partner.run("portail")
        assert status["last_job"]["gather_errors"]
        assert "aucun jeu" in status["last_job"]["gather_errors"][0]
        assert all(d["private"] is False for d in partner.datasets("portail"))
        assert len(partner.datasets("portail")) == 3
        assert partner.requests() == [FIRST_PAGE] * 4

    def test_a_dataset_gone_beyond_the_fraction_is_kept(self, partner: Partner):
        three = [remote_dataset(n, partner.base) for n in (1, 2, 3)]
        partner.serve(SEARCH, search({0: three}))
        add_source(partner)  # max_fraction 0.2 by default
        partner.run("portail")
        partner.serve(SEARCH, search({0: three[:2]}))
        status = partner.run("portail")
        assert "1 jeux sur 3" in status["last_job"]["gather_errors"][0]
        assert all(d["private"] is False for d in partner.datasets("portail"))
        assert partner.requests() == [FIRST_PAGE] * 2


class TestBrokenPortal:
    def test_an_html_page_and_a_server_error_are_job_errors_and_withdraw_nothing(
        self, partner: Partner
    ):
        three = [remote_dataset(n, partner.base) for n in (1, 2, 3)]
        partner.serve(SEARCH, search({0: three}))
        add_source(partner, deletion={"max_fraction": 1.0})
        partner.run("portail")

        partner.serve(SEARCH, Answer("<html><body>Maintenance</body></html>", "text/html"))
        status = partner.run("portail")
        [error] = status["last_job"]["gather_errors"]
        assert "pas répondu en JSON" in error and "Maintenance" in error
        assert status["last_job"]["counts"] == {}

        partner.serve(SEARCH, Answer('{"success": false}', "application/json", status=500))
        status = partner.run("portail")
        [error] = status["last_job"]["gather_errors"]
        assert "erreur HTTP 500" in error
        datasets = partner.datasets("portail")
        assert len(datasets) == 3
        assert all(d["private"] is False and not d["harvest_withdrawn_at"] for d in datasets)
        assert partner.requests() == [FIRST_PAGE] * 3

    def test_a_silent_portal_is_a_job_error(self, partner: Partner):
        partner.serve(SEARCH, Answer(answer([]).body, "application/json", delay=2))
        add_source(partner, limits={"read_timeout_s": 0.3, "deadline_s": 1})
        status = partner.run("portail")
        [error] = status["last_job"]["gather_errors"]
        assert "pas répondu à temps" in error or "trop long" in error
        assert partner.requests() == [FIRST_PAGE]

    def test_a_repeated_page_imports_the_pages_read_and_withdraws_nothing(self, partner: Partner):
        base = partner.base
        first = [remote_dataset(n, base) for n in range(1, 101)]
        partner.serve(SEARCH, search({0: first[:3]}))
        kept = {"include_ids": [remote_id(1), remote_id(2), remote_id(3)]}
        add_source(partner, deletion={"max_fraction": 1.0}, filters=kept)
        partner.run("portail")

        # Every start answers the same full page: upstream's "paging doesn't seem to work".
        again = [remote_dataset(n, base) for n in (1, 2, *range(4, 102))]
        partner.serve(SEARCH, lambda handler: answer(again, 150))
        status = partner.run("portail")
        [error] = status["last_job"]["gather_errors"]
        assert "boucle de pagination" in error
        assert status["last_job"]["counts"] == {"not modified": 2}
        datasets = partner.datasets("portail")
        assert len(datasets) == 3 and all(d["private"] is False for d in datasets)
        assert partner.requests() == [FIRST_PAGE, FIRST_PAGE, SECOND_PAGE]

    def test_a_portal_capping_its_rows_is_an_error(self, partner: Partner):
        """A portal answering 2 rows of 3 (``ckan.search.rows_max``): upstream's next start
        (100) would skip the third, which would then look vanished."""
        three = [remote_dataset(n, partner.base) for n in (1, 2, 3)]
        partner.serve(SEARCH, search({0: three}))
        add_source(partner, deletion={"max_fraction": 1.0})
        partner.run("portail")
        partner.serve(SEARCH, lambda handler: answer(three[:2], 3))
        status = partner.run("portail")
        assert "2 jeux par page" in status["last_job"]["gather_errors"][0]
        assert all(d["private"] is False for d in partner.datasets("portail"))
        assert partner.requests() == [FIRST_PAGE, FIRST_PAGE]


def test_check_previews_without_writing(partner: Partner):
    three = [remote_dataset(n, partner.base) for n in (1, 2, 3)]
    partner.serve(SEARCH, search({0: three}))
    add_source(partner)
    found = list(runner.check("portail", 2))
    assert [(kind, key) for kind, key, _ in found] == [("ok", "jeu-ckan-1"), ("ok", "jeu-ckan-2")]
    assert found[0][2].package["owner_org"] == partner.org["id"]
    assert partner.datasets("portail") == []
    assert partner.requests() == [FIRST_PAGE]


def test_a_dataset_named_like_the_local_id_is_never_reached(partner: Partner):
    """Local ids are predictable (uuid5 of source and remote id): a dataset *named* so by
    an editor is neither updated nor blocking; the harvest uses its own id."""
    partner.serve(SEARCH, search({0: [remote_dataset(1, partner.base)]}))
    add_source(partner)
    squatted = local_id(f"{source_id('portail')}:{remote_id(1)}")
    local = data.dataset(owner_org=partner.org["id"], name=squatted, title="Nom piégé")
    partner.run("portail")
    model.Session.remove()
    kept = helpers.call_action("package_show", id=local["id"])
    assert (kept["title"], kept["metadata_modified"]) == ("Nom piégé", local["metadata_modified"])
    [harvested] = partner.datasets("portail")
    assert harvested["id"] == squatted and harvested["name"] != squatted
