"""Territory organisations: sync by SIREN, communes, dataset coverage, map search, rights.

All against the real services: the action API on PostgreSQL, spatial search on Solr.
"""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

from tests.helpers.data import COMPLETE_DATASET

DEPARTEMENT = "228200010"
SYNDICAT = "200061257"
EPCI_SIRENS = {
    "200040418",
    "200066322",
    "200066652",
    "200066884",
    "200067122",
    "248200016",
    "248200057",
    "248200065",
    "248200099",
    "248200107",
}
GRAND_MONTAUBAN = "248200099"
MONTAUBAN = "82121"
MOISSAC = "82112"
# Small boxes (lon/lat) around each town centre: Montauban's does not reach Moissac.
BBOX_MONTAUBAN = "1.33,44.00,1.38,44.03"
BBOX_MOISSAC = "1.07,44.09,1.10,44.12"

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


def _sync(user: dict, **params) -> dict:
    context = {"user": user["name"], "ignore_auth": False}
    return helpers.call_action("tgn_territories_sync", context, **params)


def _orgs() -> list[dict]:
    return helpers.call_action("organization_list", all_fields=True, include_extras=True)


def _full_orgs() -> list[dict]:
    return [helpers.call_action("organization_show", id=o["id"]) for o in _orgs()]


def _org_by_siren(siren: str) -> dict:
    for org in _orgs():
        full = helpers.call_action("organization_show", id=org["id"])
        if full.get("siren") == siren:
            return full
    raise AssertionError(f"no organisation with SIREN {siren}")


class TestSync:
    def test_from_empty_creates_the_12_organisations(self, sysadmin):
        report = _sync(sysadmin)

        assert len(report["created"]) == 12
        assert report["updated"] == report["errors"] == []
        sirens = {helpers.call_action("organization_show", id=o["id"])["siren"] for o in _orgs()}
        assert sirens == EPCI_SIRENS | {DEPARTEMENT, SYNDICAT}
        montauban = _org_by_siren(GRAND_MONTAUBAN)
        assert montauban["title"] == "CA Grand Montauban"
        assert montauban["territory_kind"] == "epci"
        assert montauban["epci_nature"] == "CA"
        assert MONTAUBAN in montauban["member_communes"]
        assert json.loads(montauban["geometry"])["type"] in ("Polygon", "MultiPolygon")

    def test_second_run_changes_nothing(self, sysadmin):
        _sync(sysadmin)
        before = _full_orgs()

        report = _sync(sysadmin)

        assert report["created"] == report["updated"] == report["errors"] == []
        assert len(report["unchanged"]) == 12
        assert _full_orgs() == before

    def test_dry_run_reports_without_writing(self, sysadmin):
        report = _sync(sysadmin, dry_run=True)

        assert report["dry_run"] is True
        assert len(report["created"]) == 12
        assert _orgs() == []

    def test_matches_by_siren_so_a_renamed_epci_is_updated_not_duplicated(self, sysadmin, make_org):
        old = make_org(
            name="ancienne-agglo", title="Ancien nom", siren=GRAND_MONTAUBAN, epci_nature="CA"
        )

        report = _sync(sysadmin)

        assert [e["name"] for e in report["updated"]] == ["ancienne-agglo"]
        assert "title" in report["updated"][0]["fields"]
        assert len(report["created"]) == 11
        renamed = _org_by_siren(GRAND_MONTAUBAN)
        assert renamed["id"] == old["id"]
        assert renamed["name"] == "ancienne-agglo"  # its URL, and so its links, stay
        assert renamed["title"] == "CA Grand Montauban"
        assert len(_orgs()) == 12

    def test_an_update_keeps_members_datasets_and_staff_fields(self, sysadmin, make_dataset):
        _sync(sysadmin)
        org = _org_by_siren(GRAND_MONTAUBAN)
        editor = factories.User()
        helpers.call_action(
            "organization_member_create",
            {"user": sysadmin["name"]},
            id=org["id"],
            username=editor["name"],
            role="editor",
        )
        dataset = make_dataset(owner_org=org["id"])
        helpers.call_action(
            "organization_patch",
            {"user": sysadmin["name"]},
            id=org["id"],
            population="1",
            website="https://www.montauban.com",
        )

        report = _sync(sysadmin)

        assert report["updated"] == [
            {
                "siren": GRAND_MONTAUBAN,
                "title": org["title"],
                "name": org["name"],
                "fields": ["population"],
            }
        ]
        after = helpers.call_action("organization_show", id=org["id"], include_users=True)
        assert str(after["population"]) == str(org["population"])
        assert after["website"] == "https://www.montauban.com"
        assert {u["name"]: u["capacity"] for u in after["users"]}[editor["name"]] == "editor"
        assert helpers.call_action("package_show", id=dataset["id"])["owner_org"] == org["id"]

    def test_never_deletes_an_organisation_outside_the_reference(
        self, sysadmin, make_org, make_dataset
    ):
        other = make_org(title="Syndicat des eaux")
        make_dataset(owner_org=other["id"])

        _sync(sysadmin)

        assert helpers.call_action("organization_show", id=other["id"])["state"] == "active"
        assert len(_orgs()) == 13

    def test_one_failing_organisation_does_not_stop_the_others(self, sysadmin, make_org):
        # The URL the syndicate would get is already used by a body with another SIREN.
        make_org(name="tarn-et-garonne-numerique", title="Homonyme")

        report = _sync(sysadmin)

        assert [e["siren"] for e in report["errors"]] == [SYNDICAT]
        assert len(report["created"]) == 11

    def test_is_for_staff_only(self):
        user = factories.User()
        with pytest.raises(tk.NotAuthorized):
            _sync(user)


class TestCli:
    def test_sync_prints_what_it_did_then_that_nothing_changed(self, cli):
        first = cli.invoke(ckan_cli, ["tgn", "territories", "sync"])
        assert first.exit_code == 0, first.output
        assert first.output.count("créée ") == 12
        assert "ca-grand-montauban" in first.output
        assert "12 créée(s)" in first.output

        second = cli.invoke(ckan_cli, ["tgn", "territories", "sync"])
        assert second.exit_code == 0, second.output
        assert "Aucun changement : les 12 organisations sont à jour." in second.output

    def test_dry_run_says_so(self, cli):
        result = cli.invoke(ckan_cli, ["tgn", "territories", "sync", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "Simulation (--dry-run) : rien n'a été modifié." in result.output
        assert _orgs() == []

    def test_add_commune(self, cli):
        cli.invoke(ckan_cli, ["tgn", "territories", "sync"])

        result = cli.invoke(ckan_cli, ["tgn", "territories", "add-commune", MONTAUBAN])

        assert result.exit_code == 0, result.output
        assert result.output.startswith("créée montauban")
        commune = _org_by_siren("218201218")
        assert commune["territory_kind"] == "commune"
        assert commune["insee_code"] == MONTAUBAN
        assert commune["epci_siren"] == GRAND_MONTAUBAN
        again = cli.invoke(ckan_cli, ["tgn", "territories", "add-commune", MONTAUBAN])
        assert again.output.startswith("existe déjà montauban")
        assert len(_orgs()) == 13

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("99999", "Code INSEE inconnu : 99999."),
            ("47067", "La commune 47067 (Clermont-Soubiran) n'est pas en Tarn-et-Garonne"),
        ],
    )
    def test_add_commune_refuses_unknown_or_outside_codes(self, cli, code, message):
        result = cli.invoke(ckan_cli, ["tgn", "territories", "add-commune", code])
        assert result.exit_code == 1
        assert message in result.output
        assert _orgs() == []


def _api_post(app, user: dict, action: str, data: dict):
    """Call an action through the web API, as a client would (French error messages)."""
    token = factories.APIToken(user=user["name"])["token"]
    return app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token})


def _api_errors(response) -> dict:
    assert response.status_code == 409, response.get_data(as_text=True)[:500]
    return response.json["error"]


class TestOrganisationValidation:
    """Errors reach the API client in French, keyed by field; nothing is saved."""

    @pytest.mark.parametrize(
        ("siren", "message"),
        [
            ("12345", "Le SIREN doit comporter 9 chiffres, par exemple 200061257."),
            ("200061258", "Le SIREN 200061258 n'est pas valide (clé de contrôle incorrecte)"),
        ],
    )
    def test_a_bad_siren_is_refused_in_french(self, app, sysadmin, siren, message):
        data = {"name": "mauvais-siren", "territory_kind": "commune", "siren": siren}
        errors = _api_errors(_api_post(app, sysadmin, "organization_create", data))
        assert any(message in m for m in errors["siren"])
        assert _orgs() == []

    def test_spaces_in_a_siren_are_accepted(self, make_org):
        assert make_org(siren="200 061 257")["siren"] == SYNDICAT

    def test_an_epci_must_give_its_nature(self, app, sysadmin):
        data = {"name": "epci-sans-nature", "territory_kind": "epci", "siren": SYNDICAT}
        errors = _api_errors(_api_post(app, sysadmin, "organization_create", data))
        assert "Indiquez la nature de l'EPCI" in " ".join(errors["epci_nature"])

    def test_only_http_links_and_real_emails(self, app, sysadmin):
        data = {
            "name": "liens",
            "territory_kind": "commune",
            "siren": SYNDICAT,
            "website": "javascript:alert(1)",
            "contact_email": "mairie.fr",
        }
        errors = _api_errors(_api_post(app, sysadmin, "organization_create", data))
        assert "L'adresse doit commencer par http:// ou https://" in " ".join(errors["website"])
        assert "Cette adresse électronique n'est pas valide" in " ".join(errors["contact_email"])
        assert _orgs() == []


class TestCoverage:
    def test_territories_fill_the_spatial_field(self, make_org, make_dataset):
        org = make_org()
        dataset = make_dataset(owner_org=org["id"], territories=[MONTAUBAN, GRAND_MONTAUBAN])

        assert dataset["territories"] == [GRAND_MONTAUBAN, MONTAUBAN]
        geometry = json.loads(dataset["spatial"])
        assert geometry["type"] in ("Polygon", "MultiPolygon")

    def test_the_form_offers_the_territories_by_name(self, app, sysadmin, make_org):
        make_org()
        token = factories.APIToken(user=sysadmin["name"])["token"]
        body = app.get("/dataset/new", headers={"Authorization": token}).get_data(as_text=True)

        assert "Couverture territoriale" in body
        assert 'name="territories"' in body
        assert 'value="248200099"' in body and "CA Grand Montauban" in body
        assert 'value="82121"' in body and "Montauban (82121)" in body
        assert "Tarn-et-Garonne (département)" in body

    def test_the_dataset_page_names_its_territories(self, app, make_org, make_dataset):
        org = make_org()
        dataset = make_dataset(owner_org=org["id"], territories=[MONTAUBAN])

        body = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)

        assert "Couverture territoriale" in body
        assert "Montauban (82121)" in body

    def test_an_unknown_territory_code_is_refused_and_nothing_saved(self, app, make_org, sysadmin):
        org = make_org()
        data = {"name": "couverture-fausse", "owner_org": org["id"], "territories": ["00000"]}
        errors = _api_errors(_api_post(app, sysadmin, "package_create", data))
        assert "Code de territoire inconnu : 00000." in " ".join(errors["territories"])
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("package_show", id="couverture-fausse")

    def test_spatial_search_finds_montauban_and_not_moissac(self, make_org, make_dataset):
        org = make_org()
        montauban = make_dataset(owner_org=org["id"], territories=[MONTAUBAN])
        moissac = make_dataset(owner_org=org["id"], territories=[MOISSAC])

        around_montauban = helpers.call_action(
            "package_search", extras={"ext_bbox": BBOX_MONTAUBAN}
        )
        around_moissac = helpers.call_action("package_search", extras={"ext_bbox": BBOX_MOISSAC})

        assert [d["id"] for d in around_montauban["results"]] == [montauban["id"]]
        assert [d["id"] for d in around_moissac["results"]] == [moissac["id"]]

    def test_removing_the_territories_removes_the_outline(self, make_org, sysadmin, make_dataset):
        # What the edit form sends: every field but the computed outline.
        org = make_org()
        dataset = make_dataset(owner_org=org["id"], territories=[MONTAUBAN])
        form = {k: v for k, v in dataset.items() if k != "spatial"}
        form["territories"] = []
        helpers.call_action("package_update", {"user": sysadmin["name"]}, **form)

        updated = helpers.call_action("package_show", id=dataset["id"])
        assert not updated.get("spatial")
        found = helpers.call_action("package_search", extras={"ext_bbox": BBOX_MONTAUBAN})
        assert found["count"] == 0


class TestEditorsStayInTheirOrganisation:
    """An editor of one EPCI publishes in its own organisation (what it may not do elsewhere is
    in test_editor_rights.py)."""

    def test_the_editor_can_publish_in_its_own_organisation(self, setting):
        created = helpers.call_action(
            "package_create",
            setting["editor"],
            name="mon-jeu",
            owner_org=setting["mine"]["id"],
            **COMPLETE_DATASET,
        )
        assert created["owner_org"] == setting["mine"]["id"]


class TestOrganisationPage:
    def test_shows_outline_population_datasets_and_member_communes(
        self, app, sysadmin, make_dataset
    ):
        _sync(sysadmin)
        org = _org_by_siren(GRAND_MONTAUBAN)
        make_dataset(owner_org=org["id"])

        body = app.get(f"/organization/{org['name']}").get_data(as_text=True)

        assert 'data-module="tgn-territory-map"' in body
        assert "territory_map" in body  # our asset bundle, served by CKAN itself
        assert "tile.openstreetmap" not in body and "unpkg.com" not in body
        assert "Communes membres (12)" in body
        assert "Montauban" in body and "Lamothe-Capdeville" in body
        assert "habitants" in body
        assert "SIREN" in body and GRAND_MONTAUBAN in body
