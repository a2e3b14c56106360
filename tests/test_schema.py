"""The dataset and resource schemas: vocabularies, licences, French errors, forms.

Through the web app and the action API over HTTP, as agents and clients use them, on the real
database and Solr.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from ckan import model
from ckan.lib import search
from ckan.tests import helpers

from tests.conftest import COMPLETE_DATASET, FREQUENCY, THEME

ROOT = Path(__file__).resolve().parents[1]
DATAGOUV_LICENCES = ROOT.parent / "shared" / "reference" / "datagouv-licences.json"
EU = "http://publications.europa.eu/resource/authority/"
DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
INTENDED_LICENCES = {"lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero"}

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _create(app, agent, **fields):
    data = {"owner_org": agent["org"]["id"], **fields}
    return app.post("/api/3/action/package_create", json=data, headers=agent["headers"])


def _not_saved(name: str) -> bool:
    return model.Package.get(name) is None


class TestCompleteDataset:
    def test_a_complete_dataset_is_created_with_vocabulary_uris(self, app, agent):
        response = _create(
            app,
            agent,
            name="deliberations-2025",
            title="Délibérations 2025",
            theme=["GOVE", "Régions et villes"],  # a code or a French label is enough
            hvd_category="http://data.europa.eu/bna/c_e1da4e07",
            frequency="MONTHLY",
            temporal_start="2025-01-01",
            temporal_end="2025-12-31",
            territories=["82121"],
            url="https://www.montauban.com/deliberations",
            version="2025.1",
            issued="2025-02-01",
            modified="2025-11-30",
            conforms_to=DELIBERATIONS,
            notes=COMPLETE_DATASET["notes"],
            contact_name=COMPLETE_DATASET["contact_name"],
            contact_email=COMPLETE_DATASET["contact_email"],
            resources=[
                {"url": "https://www.montauban.com/deliberations-2025.csv", "name": "2025"},
                {
                    "url": "https://www.montauban.com/budget.xlsx",
                    "format": "xlsx",
                    "conforms_to": "__other__",
                    "conforms_to_other": "https://www.montauban.com/schema-budget.json",
                },
            ],
        )
        assert response.status_code == 200, response.json
        dataset = helpers.call_action("package_show", id="deliberations-2025")

        assert dataset["theme"] == [THEME + "GOVE", THEME + "REGI"]
        assert dataset["hvd_category"] == "http://data.europa.eu/bna/c_e1da4e07"
        assert dataset["frequency"] == FREQUENCY + "MONTHLY"
        assert dataset["license_id"] == "lov2"  # the default
        assert dataset["language"] == [EU + "language/FRA"]  # the default
        assert dataset["access_rights"] == EU + "access-right/PUBLIC"  # the default
        assert (dataset["temporal_start"], dataset["temporal_end"]) == ("2025-01-01", "2025-12-31")
        assert dataset["conforms_to"] == DELIBERATIONS
        csv, xlsx = dataset["resources"]
        assert (csv["format"], csv["mimetype"]) == ("CSV", "text/csv")  # guessed from the URL
        assert xlsx["format"] == "XLSX"
        assert xlsx["mimetype"].endswith("spreadsheetml.sheet")
        assert xlsx["conforms_to"] == "https://www.montauban.com/schema-budget.json"
        # Saved again as shown (what the edit form and clients do), nothing changes.
        helpers.call_action("package_update", {"user": agent["user"]["name"]}, **dataset)
        again = helpers.call_action("package_show", id="deliberations-2025")
        assert again["resources"][1]["conforms_to"] == xlsx["conforms_to"]
        assert again["theme"] == dataset["theme"]

    def test_an_uploaded_file_gets_its_format_and_size(self, app, agent, make_dataset):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        response = app.post(
            "/api/3/action/resource_create",
            data={
                "package_id": dataset["id"],
                "name": "Subventions",
                "upload": (io.BytesIO(b"nom;montant\nClub;1200\n"), "subventions.csv"),
            },
            headers=agent["headers"],
        )
        assert response.status_code == 200, response.json
        resource = response.json["result"]
        assert resource["format"] == "CSV"
        assert resource["url_type"] == "upload"
        assert int(resource["size"]) == len(b"nom;montant\nClub;1200\n")


def _complete(**overrides):
    return {"name": "jeu-refuse", "title": "Refusé", **COMPLETE_DATASET, **overrides}


BAD_INPUTS = [
    ({"theme": ["XXXX"]}, "theme", "« XXXX » n'est pas dans la liste des thèmes des données"),
    ({"theme": []}, "theme", "Valeur manquante"),
    ({"frequency": "souvent"}, "frequency", "n'est pas dans la liste des fréquences"),
    ({"hvd_category": "c_00000000"}, "hvd_category", "n'est pas dans la liste des catégories"),
    ({"language": ["klingon"]}, "language", "n'est pas dans la liste des langues"),
    ({"license_id": "cc-nc"}, "license_id", "Licence inconnue « cc-nc »"),
    (
        {"temporal_start": "2025-12-31", "temporal_end": "2025-01-01"},
        "temporal_end",
        "La date de fin doit être postérieure à la date de début.",
    ),
    ({"issued": "31/01/2025"}, "issued", "La date doit être écrite AAAA-MM-JJ"),
    ({"contact_email": "mairie.fr"}, "contact_email", "Cette adresse électronique n'est pas"),
    ({"contact_name": ""}, "contact_name", "Valeur manquante"),
    ({"url": "javascript:alert(1)"}, "url", "L'adresse doit commencer par http:// ou https://"),
    ({"url": "file:///etc/passwd"}, "url", "L'adresse doit commencer par http:// ou https://"),
    ({"url": "http://[::1"}, "url", "L'adresse doit commencer par http:// ou https://"),
    ({"url": "https://a.fr/\tx"}, "url", "L'adresse doit commencer par http:// ou https://"),
    ({"conforms_to": "https://example.org/x.json"}, "conforms_to", "Schéma inconnu"),
    ({"conforms_to": "__other__"}, "conforms_to_other", "Indiquez l'adresse (URL)"),
    (
        {"conforms_to": "__other__", "conforms_to_other": "ftp://example.org/s.json"},
        "conforms_to_other",
        "L'adresse doit commencer par http:// ou https://",
    ),
]


class TestErrorsAPersonUnderstands:
    @pytest.mark.parametrize(("fields", "key", "message"), BAD_INPUTS)
    def test_each_bad_input_is_refused_in_french_and_nothing_saved(
        self, app, agent, fields, key, message
    ):
        response = _create(app, agent, **_complete(**fields))

        assert response.status_code == 409, response.json
        errors = response.json["error"]
        assert any(message in m for m in errors[key]), errors
        assert _not_saved("jeu-refuse")

    @pytest.mark.parametrize(
        ("resource", "key", "message"),
        [
            ({"url": "javascript:alert(1)"}, "url", "L'adresse doit commencer par http://"),
            ({"url": "https://exemple.fr/a", "format": "FOO"}, "format", "Format inconnu « FOO »"),
            (
                {"url": "https://exemple.fr/a.csv", "mimetype": "csv"},
                "mimetype",
                "Le type de média doit ressembler à text/csv",
            ),
            (
                {"url": "https://exemple.fr/a.csv", "conforms_to": "https://x.org/s.json"},
                "conforms_to",
                "Schéma inconnu",
            ),
        ],
    )
    def test_each_bad_resource_input_is_refused_in_french(self, app, agent, resource, key, message):
        response = _create(app, agent, **_complete(resources=[resource]))

        assert response.status_code == 409, response.json
        resource_errors = response.json["error"]["resources"][0]
        assert any(message in m for m in resource_errors[key]), resource_errors
        assert _not_saved("jeu-refuse")

    def test_the_form_keeps_what_was_typed(self, app, agent):
        form = {
            **_complete(contact_email="pas-une-adresse"),
            "owner_org": agent["org"]["id"],
            "title": "Mon titre saisi",
            "save": "continue",
        }
        response = app.post("/dataset/new", data=form, headers=agent["headers"])

        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "Cette adresse électronique n&#39;est pas valide" in body
        assert 'value="Mon titre saisi"' in body
        assert 'value="pas-une-adresse"' in body
        assert _not_saved("jeu-refuse")


class TestLicences:
    def test_the_licence_list_holds_exactly_the_intended_licences(self):
        licences = helpers.call_action("license_list")
        assert {lic["id"] for lic in licences} == INTENDED_LICENCES

    def test_each_licence_url_is_the_one_datagouv_matches(self):
        datagouv = {lic["id"]: lic for lic in json.loads(DATAGOUV_LICENCES.read_text())}
        for licence in helpers.call_action("license_list"):
            assert licence["url"] == datagouv[licence["id"]]["url"], licence["id"]
        urls = {lic["id"]: lic["url"] for lic in helpers.call_action("license_list")}
        assert urls["lov2"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
        assert urls["odc-odbl"] == "http://opendatacommons.org/licenses/odbl/summary/"


class TestNewRequiredField:
    def test_a_dataset_stored_before_a_field_became_required_opens_and_saves(
        self, app, agent, make_dataset
    ):
        dataset = make_dataset(owner_org=agent["org"]["id"], version="1.0")
        # A record from before `frequency` existed: its extra is simply not there.
        package = model.Package.get(dataset["id"])
        del package.extras["frequency"]
        model.Session.commit()
        search.rebuild(dataset["id"])

        shown = helpers.call_action("package_show", id=dataset["id"])
        assert "frequency" not in shown or not shown["frequency"]
        edit = app.get(f"/dataset/edit/{dataset['name']}", headers=agent["headers"])
        assert edit.status_code == 200

        refused = app.post("/api/3/action/package_update", json=shown, headers=agent["headers"])
        assert refused.status_code == 409
        assert "frequency" in refused.json["error"]

        fixed = app.post(
            "/api/3/action/package_update",
            json={**shown, "frequency": "ANNUAL"},
            headers=agent["headers"],
        )
        assert fixed.status_code == 200, fixed.json
        saved = helpers.call_action("package_show", id=dataset["id"])
        assert saved["frequency"] == FREQUENCY + "ANNUAL"
        for field in ("version", "theme", "contact_name", "contact_email", "notes"):
            assert saved[field] == dataset[field], field


class TestForms:
    def test_the_dataset_form_is_french_with_the_vocabularies(self, app, agent):
        body = app.get("/dataset/new", headers=agent["headers"]).get_data(as_text=True)

        for label in (
            "Thèmes",
            "Fréquence de mise à jour",
            "Couverture territoriale",
            "Nom du contact",
            "Fin de la période couverte",
            "Catégorie de données de forte valeur",
            "Schéma de données",
        ):
            assert label in body, label
        assert "Environnement" in body and "Régions et villes" in body
        assert "mensuelle" in body and "Statistiques" in body
        assert "Licence Ouverte / Open Licence version 2.0" in body
        assert "Creative Commons Attribution Share-Alike" not in body  # CKAN's default list
        assert "Délibérations (2.1.5)" in body

    def test_the_resource_form_is_french_with_the_vocabularies(self, app, agent, make_dataset):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        body = app.get(
            f"/dataset/{dataset['name']}/resource/new", headers=agent["headers"]
        ).get_data(as_text=True)

        for label in ("Fichier ou lien", "Format", "Type de média (IANA)", "Schéma de données"):
            assert label in body, label
        assert "Excel (XLSX)" in body and "GeoJSON" in body
        assert "Subventions (2.1.1)" in body
        assert "Autre schéma (indiquez son adresse ci-dessous)" in body


class TestSchemaFiles:
    @pytest.mark.parametrize(
        ("action", "params", "keys"),
        [
            (
                "scheming_dataset_schema_show",
                {"type": "dataset"},
                ("dataset_fields", "resource_fields"),
            ),
            ("scheming_organization_schema_show", {"type": "organization"}, ("fields",)),
        ],
    )
    def test_every_label_has_a_french_and_an_english_text(self, action, params, keys):
        # A comma in an unquoted YAML flow mapping silently splits a label: guard against it.
        schema = helpers.call_action(action, **params)
        for key in keys:
            for field in schema[key]:
                for attribute in ("label", "help_text", "form_placeholder"):
                    text = field.get(attribute)
                    if isinstance(text, dict):
                        assert set(text) == {"en", "fr"}, (field["field_name"], attribute, text)
                        assert all(isinstance(v, str) and v for v in text.values())
