"""Datasets saved through our schema: vocabulary URIs and defaults, uploads, a record from
before a field became required, the resource form.

Through the web app and the action API over HTTP, as agents and clients use them, on the real
database and Solr.
"""

from __future__ import annotations

import io

import pytest
from ckan import model
from ckan.lib import search
from ckan.tests import helpers

from tests.helpers.data import COMPLETE_DATASET, FREQUENCY, THEME
from tests.helpers.tables import DELIBERATIONS

EU = "http://publications.europa.eu/resource/authority/"

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _create(app, agent, **fields):
    data = {"owner_org": agent["org"]["id"], **fields}
    return app.post("/api/3/action/package_create", json=data, headers=agent["headers"])


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
