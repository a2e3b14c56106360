"""Who must publish by default, and what each body has published: exact statuses on
organisations made here, public datasets only, the département's page, its CSV and each
organisation's block. Against the real database and Solr."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from ckan.tests import factories

from ckanext.tgn.validation.reports import ValidationReport
from tests.helpers import data

DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
BUDGET = "https://schema.data.gouv.fr/schemas/scdl/budget/0.8.3/schema.json"


pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _create_org(app, **fields: Any):
    headers = data.api_headers(factories.Sysadmin())
    return app.post(
        "/api/3/action/organization_create", headers=headers,
        json={"territory_kind": "commune", "siren": data.valid_siren(), **fields},
    )  # fmt: skip


class TestAgents:
    def test_a_figure_needs_its_source(self, app):
        response = _create_org(app, name="sans-source", title="Sans source", agents_etp=120)

        assert response.status_code == 409
        assert "Indiquez la source de ce chiffre" in response.json["error"]["agents_etp"][0]

    def test_a_negative_figure_is_refused(self, app):
        response = _create_org(
            app, name="negatif", title="Négatif", agents_etp=-3, agents_source="RSU 2024"
        )

        assert response.status_code == 409
        assert "ne peut pas être négatif" in response.json["error"]["agents_etp"][0]

    @pytest.mark.parametrize("figure", ["abc", "12.5", "1 000"])
    def test_a_figure_that_is_not_a_whole_number_is_refused_not_a_crash(self, app, figure):
        response = _create_org(
            app, name="texte", title="Texte", agents_etp=figure, agents_source="RSU 2024"
        )

        assert response.status_code == 409, response.get_data(as_text=True)[:500]
        assert response.json["error"]["agents_etp"]

    def test_a_figure_with_its_source_is_kept(self, app):
        response = _create_org(
            app, name="avec-source", title="Avec source", agents_etp=120,
            agents_source="Rapport social unique 2024",
        )  # fmt: skip

        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["result"]["agents_etp"] == 120


@pytest.fixture
def bodies() -> dict[str, Any]:
    today = dt.date.today()
    staff = factories.Sysadmin()
    moissac = data.organisation(
        name="moissac", title="Moissac", territory_kind="commune", population=13419,
        agents_etp=210, agents_source="RSU 2024", siren="218201127",
    )  # fmt: skip
    small = data.organisation(
        name="lafrancaise", title="Lafrançaise", territory_kind="commune", population=2900
    )  # fmt: skip
    delib = data.dataset(
        name="deliberations-moissac", owner_org=moissac["id"], conforms_to=DELIBERATIONS,
        modified=today.isoformat(), frequency=data.FREQUENCY + "MONTHLY",
        resources=[{"url": "https://exemple.fr/d.csv", "conforms_to": DELIBERATIONS}],
    )  # fmt: skip
    budget = data.dataset(
        name="budget-moissac", owner_org=moissac["id"], frequency=data.FREQUENCY + "ANNUAL",
        modified=(today - dt.timedelta(days=800)).isoformat(),
        resources=[{"url": "https://exemple.fr/b.csv", "conforms_to": BUDGET}],
    )  # fmt: skip
    private = data.dataset(
        name="subventions-privees", owner_org=moissac["id"], private=True,
        resources=[{"url": "https://exemple.fr/s.csv",
                    "conforms_to": DELIBERATIONS.replace("deliberations/2.1.5",
                                                         "subventions/2.1.1")}],
    )  # fmt: skip
    from ckan import model

    report = ValidationReport.get(budget["resources"][0]["id"])
    assert report is not None
    report.status = "invalide"
    model.Session.commit()
    return {"staff": staff, "moissac": moissac, "small": small, "delib": delib, "private": private}


def test_statuses_of_a_private_dataset_stay_in_its_organisation(app, bodies):
    ids = [bodies["private"]["id"], bodies["delib"]["id"]]
    editor = data.member(bodies["moissac"], "editor")
    url = "/api/3/action/tgn_validation_statuses"

    def statuses(headers: dict[str, str]) -> dict[str, str]:
        response = app.post(url, json={"ids": ids}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["result"]

    private_file = bodies["private"]["resources"][0]["id"]
    public_file = bodies["delib"]["resources"][0]["id"]
    for headers in ({}, data.agent()["headers"]):
        assert set(statuses(headers)) == {public_file}
    assert set(statuses(editor["headers"])) == {public_file, private_file}


def test_the_overview_of_the_departement(app, bodies):
    rows = {r["name"]: r for r in app.get("/api/3/action/tgn_quality_obligations").json[
        "result"]["rows"]}  # fmt: skip

    moissac, small = rows["moissac"], rows["lafrancaise"]
    assert (moissac["obliged"], small["obliged"]) == ("oui", "non")
    assert moissac["published"]["scdl/deliberations"] == {
        "dataset": "deliberations-moissac", "date": dt.date.today().isoformat(),
        "late": False, "invalid": False,
    }  # fmt: skip
    budget = moissac["published"]["scdl/budget"]
    assert (budget["late"], budget["invalid"]) == (True, True)
    # The private subsidies never count, for anyone.
    assert "scdl/subventions" not in moissac["published"]
    assert small["published"] == {}


def test_the_page_the_csv_and_the_organisation_block(app, bodies):
    page = app.get("/obligations").get_data(as_text=True)
    assert 'data-obliged="moissac">oui<' in page

    export = app.get("/obligations.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {r[0]: r for r in csv.reader(io.StringIO(export))}
    header = rows.pop("Organisation")
    assert header[:7] == [
        "Organisation", "Titre", "Type", "Population", "Agents (ETP)",
        "Source du nombre d'agents", "Doit publier",
    ]  # fmt: skip
    today = dt.date.today().isoformat()
    budget_day = (dt.date.today() - dt.timedelta(days=800)).isoformat()
    assert rows["moissac"][4:] == [
        "210",
        "RSU 2024",
        "oui",
        today,
        "absent",
        f"{budget_day} (en retard) (invalide)",
        "absent",
        "non",
    ]
    assert rows["lafrancaise"][6] == "non"

    block = app.get("/organization/moissac").get_data(as_text=True)
    assert 'data-obliged="moissac">oui<' in block


def test_every_organisation_is_listed_not_only_25(app):
    for n in range(27):
        data.organisation(name=f"commune-{n:02d}", title=f"Commune {n:02d}")

    rows = app.get("/api/3/action/tgn_quality_obligations").json["result"]["rows"]

    assert len([r for r in rows if r["name"].startswith("commune-")]) == 27
