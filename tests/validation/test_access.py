"""Who may run a validation and read its report."""

from __future__ import annotations

import pytest
from ckan.tests import factories

from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestAccess:
    def test_editors_run_others_cannot(self, app, agent, make_org, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        stranger = factories.User()
        other_org = make_org(users=[{"name": stranger["name"], "capacity": "editor"}])
        assert other_org
        stranger_token = factories.APIToken(user=stranger["name"])["token"]
        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers={"Authorization": stranger_token},
        )
        assert response.status_code == 403
        assert api_report(app, resource["id"])["status"] == "valide"
        anonymous = app.post("/api/3/action/tgn_validation_run", json={"id": resource["id"]})
        assert anonymous.status_code == 403

        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers=agent["headers"],
        )
        assert response.status_code == 200 and response.json["result"]["status"] == "en attente"

    def test_private_dataset_reports_stay_private(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], private=True)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        anonymous = app.get(
            "/api/3/action/tgn_validation_show", query_string={"id": resource["id"]}
        )
        # A private dataset's resource does not exist for who may not read it (tgn_security).
        assert anonymous.status_code == 404
        assert api_report(app, resource["id"], agent["headers"])["status"] == "invalide"
        org_page = app.get(f"/organization/{agent['org']['name']}")
        assert org_page.status_code == 200
        assert "Tableaux à corriger" not in org_page.body
        member_page = app.get(f"/organization/{agent['org']['name']}", headers=agent["headers"])
        assert "Tableaux à corriger" in member_page.body

    def test_a_resource_without_schema_cannot_be_run(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", "")
        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers=agent["headers"],
        )
        assert response.status_code == 409
        assert "n'a pas de schéma de données" in response.json["error"]["conforms_to"][0]
