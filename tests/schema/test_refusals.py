"""The dataset schema refuses what is wrong, in French, and saves nothing; licences, forms and
the schema files as agents and clients see them.

Through the web app and the action API over HTTP, on the real database and Solr. Nothing here
writes: the agent and its organisation are created once for the module (``shared_agent``).
"""

from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.tests import helpers

from tests.helpers.data import COMPLETE_DATASET
from tests.helpers.paths import SHARED

DATAGOUV_LICENCES = SHARED / "reference" / "datagouv-licences.json"
INTENDED_LICENCES = {"lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero"}

pytestmark = pytest.mark.usefixtures("shared_app")


def _create(app, agent, **fields):
    data = {"owner_org": agent["org"]["id"], **fields}
    return app.post("/api/3/action/package_create", json=data, headers=agent["headers"])


def _not_saved(name: str) -> bool:
    return model.Package.get(name) is None


def _complete(**overrides):
    return {"name": "jeu-refuse", "title": "Refusé", **COMPLETE_DATASET, **overrides}


BAD_INPUTS = [
    ({"theme": ["XXXX"]}, "theme", "« XXXX » n'est pas dans la liste des thèmes des données"),
    ({"theme": []}, "theme", "Valeur manquante"),
    # Blanks only, which pass not_empty: nothing chosen in a required controlled field.
    ({"theme": [""]}, "theme", "Valeur manquante"),
    ({"theme": '[""]'}, "theme", "Valeur manquante"),
    ({"frequency": " "}, "frequency", "Valeur manquante"),
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
        self, shared_app, shared_agent, fields, key, message
    ):
        response = _create(shared_app, shared_agent, **_complete(**fields))

        assert response.status_code == 409, response.json
        errors = response.json["error"]
        assert any(message in m for m in errors[key]), errors
        assert _not_saved("jeu-refuse")

    @pytest.mark.parametrize(
        ("resource", "key", "message"),
        [
            ({"url": "javascript:alert(1)"}, "url", "L'adresse doit commencer par http://"),
            (
                {"url": "javascript:alert(1)", "url_type": "upload"},
                "url",
                "une adresse commençant par javascript: est refusée",
            ),
            (
                {"url": "file:///etc/passwd", "url_type": "upload"},
                "url",
                "une adresse commençant par file: est refusée",
            ),
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
    def test_each_bad_resource_input_is_refused_in_french(
        self, shared_app, shared_agent, resource, key, message
    ):
        response = _create(shared_app, shared_agent, **_complete(resources=[resource]))

        assert response.status_code == 409, response.json
        resource_errors = response.json["error"]["resources"][0]
        assert any(message in m for m in resource_errors[key]), resource_errors
        assert _not_saved("jeu-refuse")

    def test_the_form_keeps_what_was_typed(self, shared_app, shared_agent):
        form = {
            **_complete(contact_email="pas-une-adresse"),
            "owner_org": shared_agent["org"]["id"],
            "title": "Mon titre saisi",
            "save": "continue",
        }
        response = shared_app.post("/dataset/new", data=form, headers=shared_agent["headers"])

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


class TestForms:
    def test_the_dataset_form_is_french_with_the_vocabularies(self, shared_app, shared_agent):
        body = shared_app.get("/dataset/new", headers=shared_agent["headers"]).get_data(
            as_text=True
        )

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
