"""The SCDL ``catalogue`` export of an organisation: the SIRET checked on the organisation,
public datasets only, each column as the schema wants it, and a CSV that our validator and
Validata (the national reference) both find valid. Against the real database and Solr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from typing import Any

import pytest
from ckan.tests import factories

from ckanext.tgn.validation.engine import validate_table
from tests.helpers import data
from tests.helpers.paths import ROOT
from tests.quality.test_udata_agreement import LONG

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

SCHEMA = ROOT.parent / "shared/standards/schema.data.gouv.fr/scdl/catalogue/0.1.3/schema.json"
VALIDATA = ROOT / ".cache" / "validata-venv" / "bin" / "python"
SIREN = "200066322"  # Terres des Confluences
SIRET = "20006632200013"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"


def _siret_error(app, **fields: Any) -> list[str]:
    """The form's error on the field, through the API as the form sends it (in French)."""
    headers = data.api_headers(factories.Sysadmin())
    response = app.post(
        "/api/3/action/organization_create",
        headers=headers,
        json={"name": "siret-faux", "title": "Siret faux", "territory_kind": "epci",
              "epci_nature": "CC", "siren": SIREN, **fields},
    )  # fmt: skip
    assert response.status_code == 409, response.get_data(as_text=True)
    return response.json["error"]["siret"]


class TestSiret:
    def test_a_right_siret_is_kept_without_spaces(self):
        org = data.organisation(siren=SIREN, siret="200 066 322 00013")

        assert org["siret"] == SIRET

    @pytest.mark.parametrize(
        ("siret", "words"),
        [
            ("2000663220001", "14 chiffres"),
            ("20006632200019", "clé de contrôle"),
            ("20006125700016", "doit commencer par le SIREN de la collectivité (200066322)"),
        ],
    )
    def test_a_wrong_siret_is_refused_in_french(self, app, siret, words):
        (message,) = _siret_error(app, siret=siret)

        assert words in message


@pytest.fixture
def catalogue_org() -> dict[str, Any]:
    org = data.organisation(
        name="cc-terres-des-confluences", title="CC Terres des Confluences", siren=SIREN,
        siret=SIRET, territory_kind="epci", epci_nature="CC",
    )  # fmt: skip
    made = {
        "deliberations": data.dataset(
            name="deliberations-2024", title="Délibérations 2024", owner_org=org["id"],
            notes=LONG, theme=[THEME + "GOVE"], territories=["82112", "82121"],
            temporal_start="2024-01-01", temporal_end="2024-12-31", modified="2025-01-10",
            frequency=data.FREQUENCY + "MONTHLY", tags=[{"name": "Délibérations"}],
            resources=[{"url": "https://exemple.fr/d.csv", "format": "CSV"},
                       {"url": "https://exemple.fr/d.xlsx", "format": "XLSX"}],
        ),
        "sans-periode": data.dataset(
            name="budget-sans-periode", owner_org=org["id"],
            resources=[{"url": "https://exemple.fr/b.csv"}],
        ),
        "sans-format": data.dataset(
            name="sans-format", owner_org=org["id"], temporal_start="2024-01-01",
            temporal_end="2024-12-31", resources=[{"url": "https://exemple.fr/donnees"}],
        ),
        "prive": data.dataset(
            name="prive-confluences", owner_org=org["id"], private=True,
            temporal_start="2024-01-01", temporal_end="2024-12-31",
            resources=[{"url": "https://exemple.fr/p.csv"}],
        ),
    }  # fmt: skip
    return {"org": org, **made}


def _export(app, org: dict[str, Any], status: int = 200) -> str:
    response = app.get(f"/organization/{org['name']}/catalogue-scdl.csv")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_each_column_as_the_schema_wants_it(app, catalogue_org):
    rows = list(csv.DictReader(io.StringIO(_export(app, catalogue_org["org"]))))

    assert [r["ID"] for r in rows] == ["deliberations-2024"]
    assert rows[0] == {
        "COLL_NOM": "CC Terres des Confluences", "COLL_SIRET": SIRET,
        "ID": "deliberations-2024", "TITRE": "Délibérations 2024", "DESCRIPTION": LONG,
        "THEME": "Gouvernement et secteur public",
        "PRODUCTEUR_NOM": "CC Terres des Confluences", "PRODUCTEUR_SIRET": SIRET,
        "COUV_SPAT_MAILLE": "Communale", "COUV_SPAT_NOM": "Moissac, Montauban",
        "COUV_TEMP_DEBUT": "2024-01-01", "COUV_TEMP_FIN": "2024-12-31",
        "DATE_PUBL": catalogue_org["deliberations"]["metadata_created"][:10],
        "FREQ_MAJ": "Mensuelle ou plusieurs fois par mois", "DATE_MAJ": "2025-01-10",
        "MOTS_CLES": "deliberations;gouvernement et secteur public",
        "LICENCE": "Licence Ouverte-LO", "NOMBRE_RESSOURCES": "2",
        "FORMAT_RESSOURCES": "csv;xlsx",
        "URL": "http://127.0.0.1:5000/dataset/deliberations-2024",
    }  # fmt: skip


def test_our_validator_and_validata_find_it_valid(app, catalogue_org, tmp_path):
    table = tmp_path / "catalogue.csv"
    table.write_text(_export(app, catalogue_org["org"]), encoding="utf-8")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))

    ours = validate_table(table, schema, error_limit=100, time_limit=60).to_dict()
    theirs = subprocess.run(
        [str(VALIDATA), str(ROOT / "scripts" / "validata_check.py"), str(SCHEMA), str(table)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    (verdict,) = [json.loads(line) for line in theirs.stdout.splitlines() if line.startswith("{")]

    assert ours["status"] == "valide", ours
    assert verdict["valid"] is True, verdict


def test_without_siret_the_export_says_what_to_do(app):
    org = data.organisation()

    text = _export(app, org, status=409)

    assert "pas encore de SIRET" in text


def test_the_dashboard_names_what_keeps_a_dataset_out(app, catalogue_org):
    editor = data.member(catalogue_org["org"], "editor")
    page = app.get(
        f"/organization/{catalogue_org['org']['name']}/qualite", headers=editor["headers"]
    ).get_data(as_text=True)

    assert 'data-scdl="budget-sans-periode"' in page
    assert "le début et la fin de la période couverte" in page
    assert 'data-scdl="sans-format"' in page and "le format de ses fichiers" in page
    assert 'data-scdl="prive-confluences"' not in page  # private: never in the catalogue


def test_the_export_never_lists_a_private_dataset(app, catalogue_org):
    assert "prive-confluences" not in _export(app, catalogue_org["org"])
