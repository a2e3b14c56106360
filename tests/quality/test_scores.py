"""Each dataset's scores: indexed so that search sorts and filters by them, recomputed on
save, shown with what to fix to its editors only, and rebuilt by the CLI with progress.
Against the real database and Solr."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib.search import clear_all
from ckan.tests import factories, helpers

from ckanext.tgn.quality import indexing
from tests.helpers import data
from tests.quality.test_udata_agreement import LONG

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _search(**params: Any) -> list[str]:
    return [d["name"] for d in helpers.call_action("package_search", **params)["results"]]


def _two(org: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    rich = data.dataset(
        name="qualite-riche", owner_org=org["id"], notes=LONG, temporal_start="2024-01-01",
        territories=["82121"], tags=[{"name": "budget"}],
        resources=[{"url": "https://exemple.fr/a.csv", "description": "Une ligne par ligne."}],
    )  # fmt: skip
    poor = data.dataset(
        name="qualite-pauvre", owner_org=org["id"], notes="Court.",
        resources=[{"url": "https://exemple.fr/a.pdf"}],
    )  # fmt: skip
    return rich, poor


def test_search_sorts_and_filters_by_score():
    _two(data.organisation())

    assert _search(sort=f"{indexing.DATAGOUV} desc") == ["qualite-riche", "qualite-pauvre"]
    assert _search(sort=f"{indexing.DATAGOUV} asc") == ["qualite-pauvre", "qualite-riche"]
    # rich: all 9 but timeliness? monthly, updated today: all 9. poor: licence, frequency,
    # timeliness, availability = 4.
    assert _search(fq=f"{indexing.DATAGOUV}:09") == ["qualite-riche"]
    assert _search(fq=f"{indexing.DATAGOUV}:[00 TO 04]") == ["qualite-pauvre"]
    assert _search(sort=f"{indexing.MQA} desc")[0] == "qualite-riche"


def test_a_save_recomputes_the_score():
    _, poor = _two(data.organisation())
    assert _search(fq=f"{indexing.DATAGOUV}:04") == ["qualite-pauvre"]

    staff = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": staff["name"]}, id=poor["id"], notes=LONG)

    assert _search(fq=f"{indexing.DATAGOUV}:05") == ["qualite-pauvre"]


def test_editors_see_the_scores_and_what_to_fix_others_do_not(app):
    agent = data.agent()
    _, poor = _two(agent["org"])
    url = f"/dataset/{poor['name']}"

    page = app.get(url, headers=agent["headers"]).get_data(as_text=True)

    assert re.search(r'data-quality="datagouv">4/9<', page)
    for warning in (
        "Couverture temporelle non renseignée",
        "Couverture spatiale non renseignée",
        "Description des données non renseignée",
        "Formats de fichiers non standards",
        "Documentation des fichiers manquante",
    ):
        assert warning in page, warning
    assert "Licence non renseignée" not in page
    assert "Qualité européenne (MQA)" in page
    for who in ({}, data.agent()["headers"]):
        assert "Qualité des métadonnées" not in app.get(url, headers=who).get_data(as_text=True)


def test_the_cli_rebuilds_every_score_with_progress(cli):
    org = data.organisation()
    _two(org)
    data.dataset(name="qualite-privee", owner_org=org["id"], private=True)
    clear_all()
    assert _search() == []

    result = cli.invoke(ckan_cli, ["tgn", "quality", "rebuild"])

    assert result.exit_code == 0, result.output
    assert "3/3 jeu(x) de données évalué(s)" in result.output
    assert _search(fq=f"{indexing.DATAGOUV}:[00 TO 09]", sort="name asc", include_private=True) == [
        "qualite-pauvre",
        "qualite-privee",
        "qualite-riche",
    ]
