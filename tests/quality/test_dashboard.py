"""An organisation's quality dashboard: exact figures for its editors (private datasets
included, they may see them), nothing for anyone else, the same rows as CSV. Against the real
database, Solr and the validation reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from ckan.tests import factories, helpers

from ckanext.tgn.validation.reports import ValidationReport
from tests.helpers import data
from tests.quality.test_udata_agreement import LONG

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

FREQ = data.FREQUENCY
SCHEMA = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"


def _report(resource: dict[str, Any], status: str) -> None:
    """The verdict of the file's check (saving it queued one: its report is pending)."""
    from ckan import model

    report = ValidationReport.get(resource["id"])
    assert report is not None and report.status == "en attente"
    report.status = status
    model.Session.commit()


@pytest.fixture
def org() -> dict[str, Any]:
    """Three datasets: complete (one valid table), late and private (one invalid table,
    one never checked), bare; and a dataset of another organisation."""
    who = data.agent()
    oid = who["org"]["id"]
    today = dt.date.today()
    complete = data.dataset(
        name="tb-complet", owner_org=oid, notes=LONG, temporal_start="2024-01-01",
        territories=["82121"], frequency=FREQ + "ANNUAL", modified=today.isoformat(),
        resources=[{"url": "https://exemple.fr/a.csv", "description": "Une ligne par acte.",
                    "conforms_to": SCHEMA}],
    )  # fmt: skip
    late = data.dataset(
        name="tb-en-retard", owner_org=oid, private=True, notes=LONG,
        frequency=FREQ + "MONTHLY", modified=(today - dt.timedelta(days=90)).isoformat(),
        resources=[{"url": "https://exemple.fr/b.csv", "conforms_to": SCHEMA},
                   {"url": "https://exemple.fr/c.csv", "conforms_to": SCHEMA}],
    )  # fmt: skip
    bare = data.dataset(
        name="tb-nu", owner_org=oid, notes="Court.", frequency=FREQ + "UNKNOWN",
        resources=[{"url": "https://exemple.fr/d.pdf"}],
    )  # fmt: skip
    data.dataset(name="tb-autre", owner_org=data.organisation()["id"])
    _report(complete["resources"][0], "valide")
    _report(late["resources"][0], "invalide")
    return {**who, "datasets": {"complete": complete, "late": late, "bare": bare}}


def test_the_editors_see_every_dataset_with_exact_figures(app, org):
    response = app.get(
        f"/api/3/action/tgn_quality_dashboard?id={org['org']['name']}", headers=org["headers"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.json["result"]

    rows = {r["name"]: r for r in result["rows"]}
    assert [r["name"] for r in result["rows"]] == ["tb-nu", "tb-en-retard", "tb-complet"]
    assert (rows["tb-complet"]["datagouv"], rows["tb-complet"]["late"]) == (9, False)
    # Late: licence, frequency, description, open format, availability = 5 (no period,
    # place, timeliness, file description).
    assert (rows["tb-en-retard"]["datagouv"], rows["tb-en-retard"]["late"]) == (5, True)
    assert rows["tb-en-retard"]["private"] is True
    assert (rows["tb-en-retard"]["invalid"], rows["tb-en-retard"]["unchecked"]) == (1, 1)
    assert rows["tb-nu"]["datagouv"] == 2
    assert rows["tb-nu"]["missing"] == [
        "Couverture temporelle non renseignée", "Couverture spatiale non renseignée",
        "Fréquence de mise à jour non renseignée", "Description des données non renseignée",
        "Formats de fichiers non standards", "Documentation des fichiers manquante",
    ]  # fmt: skip
    assert result["totals"] == {
        "datasets": 3, "median": 5, "late": 1, "invalid": 1, "unchecked": 1,
        "by_points": {"9": 1, "8": 0, "7": 0, "6": 0, "5": 1, "4": 0, "3": 0, "2": 1, "1": 0,
                      "0": 0},
    }  # fmt: skip


def test_staff_see_it_too_and_nobody_else(org):
    staff = factories.Sysadmin()
    member = data.member(org["org"], "member")
    outsider = data.agent()

    seen = helpers.call_action(
        "tgn_quality_dashboard", {"user": staff["name"]}, id=org["org"]["id"]
    )
    assert seen["totals"]["datasets"] == 3
    for user in (member["user"]["name"], outsider["user"]["name"], ""):
        with pytest.raises(helpers.logic.NotAuthorized):
            helpers.call_action(
                "tgn_quality_dashboard", {"user": user, "ignore_auth": False}, id=org["org"]["id"]
            )


def test_the_page_and_the_csv(app, org):
    page = app.get(f"/organization/{org['org']['name']}/qualite", headers=org["headers"])

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-total="datasets">3<' in text and 'data-total="late">1<' in text
    assert "Tableau de bord qualité" in text

    export = app.get(f"/organization/{org['org']['name']}/qualite.csv", headers=org["headers"])
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Jeu de données", "Titre", "Privé", "Score data.gouv.fr (/9)"]
    assert [(r[0], r[2], r[3], r[6]) for r in rows[1:]] == [
        ("tb-nu", "non", "2", "non"),
        ("tb-en-retard", "oui", "5", "oui"),
        ("tb-complet", "non", "9", "non"),
    ]


def test_others_get_no_page_no_csv_and_no_private_title(app, org):
    outsider = data.agent()
    org_page = f"/organization/{org['org']['name']}"
    for headers in ({}, outsider["headers"]):
        for url in (f"{org_page}/qualite", f"{org_page}/qualite.csv"):
            response = app.get(url, headers=headers)
            assert response.status_code == 403
            assert "tb-en-retard" not in response.get_data(as_text=True)
        assert "Tableau de bord qualité" not in app.get(org_page, headers=headers).get_data(
            as_text=True
        )
    assert "Tableau de bord qualité" in app.get(org_page, headers=org["headers"]).get_data(
        as_text=True
    )
