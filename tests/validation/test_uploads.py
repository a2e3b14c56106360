"""Validation of uploaded tables: queued on upload, then a French report.

Through the action API over HTTP on the real database, Solr and Redis; jobs run as the
worker runs them (same function, same process).
"""

from __future__ import annotations

import json

import pytest
from ckan.tests import helpers

from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV, csv_bytes, deliberation
from tests.helpers.validation import api_report, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestUploads:
    def test_an_upload_is_queued_then_found_valid(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS)
        pending = api_report(app, resource["id"])
        assert pending["status"] == "en attente"
        assert pending["status_label"] == "en attente"
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert any(resource["id"] in (j["title"] or "") for j in queued)

        work(resource["id"])
        report = api_report(app, resource["id"])  # anonymous: the dataset is public
        assert report["status"] == "valide"
        assert report["error_count"] == 0
        assert report["info"]["rows"] == 3 and report["info"]["delimiter"] == ";"
        assert report["started"] and report["finished"] >= report["started"]
        assert report["schema_url"] == DELIBERATIONS

    def test_an_invalid_upload_gets_a_french_report(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(
            app, agent, dataset["id"], INVALID_CSV, "deliberations.csv", DELIBERATIONS
        )
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "invalide"
        assert report["counts"] == {"french-siret-value": 1, "compare-columns-value": 1}
        by_type = {e["type"]: e for e in report["errors"]}
        siret = by_type["french-siret-value"]
        assert (siret["row"], siret["column"], siret["value"]) == (
            3,
            "COLL_SIRET",
            "24820009900014",
        )
        assert siret["title"] == "Numéro SIRET invalide"
        assert "annuaire-entreprises.data.gouv.fr" in siret["message"]
        assert "n'est pas un numéro SIRET valide" in siret["message"]
        dates = by_type["compare-columns-value"]
        assert (dates["row"], dates["column"]) == (4, "PREF_DATE")
        assert "supérieure ou égale à DELIB_DATE" in dates["message"]

    def test_latin1_is_detected_and_reported(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        content = csv_bytes(
            [deliberation(1, DELIB_MATIERE_NOM="Libertés publiques et pouvoirs de police/Voirie")],
            encoding="cp1252",
        )
        resource = upload(app, agent, dataset["id"], content, "export.csv", DELIBERATIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "valide"
        assert report["info"]["encoding"] == "cp1252"
        assert any("Windows-1252" in w["message"] for w in report["warnings"])

    def test_a_file_that_is_not_a_table(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
        resource = upload(app, agent, dataset["id"], png, "deliberations.csv", DELIBERATIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "n'est pas un tableau" in report["message_text"]
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200  # nothing else broken

    def test_a_table_schema_uploaded_by_the_agent(
        self, app, agent, make_dataset, validation, served
    ):
        """A schema of its own, uploaded as a resource, checks the agent's table."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        schema = {"fields": [{"name": "commune", "type": "string"},
                             {"name": "habitants", "type": "integer",
                              "constraints": {"required": True, "minimum": 0}}]}  # fmt: skip
        schema_resource = upload(
            app, agent, dataset["id"], json.dumps(schema).encode(), "schema.json", ""
        )
        table = b"commune;habitants\r\nMontauban;61000\r\nMoissac;-3\r\n"
        resource = upload(
            app, agent, dataset["id"], table, "population.csv", "",
            conforms_to_other=schema_resource["url"],
        )  # fmt: skip
        assert resource["conforms_to"] == schema_resource["url"]
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "invalide"
        assert [(e["row"], e["column"], e["params"]["constraint"]) for e in report["errors"]] == [
            (3, "habitants", "minimum")
        ]
        assert served["requests"] == []  # read from storage, not over HTTP
