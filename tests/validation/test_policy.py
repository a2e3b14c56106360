"""The publication policy: staff choose it; under "private" an invalid dataset is held back until
fixed, and the agent's own choice of privacy always wins.
"""

from __future__ import annotations

import io

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.tgn.validation import job, policy, reports
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, link, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestPolicy:
    def _org_admin(self, agent):
        admin = factories.User()
        helpers.call_action(
            "organization_member_create",
            id=agent["org"]["id"],
            username=admin["name"],
            role="admin",
        )
        return admin

    def test_only_staff_choose_the_policy(self, app, agent, validation, staff):
        admin = self._org_admin(agent)
        headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        refused = app.post(
            "/api/3/action/organization_patch",
            json={"id": agent["org"]["id"], "validation_policy": "warn"},
            headers=headers,
        )
        assert refused.status_code == 409
        assert "Seule l'équipe de la plateforme" in refused.json["error"]["validation_policy"][0]
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        # The admin may still edit the rest; the staff's choice is kept.
        edited = app.post(
            "/api/3/action/organization_patch",
            json={"id": agent["org"]["id"], "description": "Nouvelle description"},
            headers=headers,
        )
        assert edited.status_code == 200, edited.json
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        assert org["validation_policy"] == "private"
        assert org["description"] == "Nouvelle description"

    def test_private_policy_holds_the_dataset_until_fixed(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        other = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        assert app.get(f"/dataset/{dataset['name']}").status_code == 404
        assert helpers.call_action("package_show", id=other["id"])["private"] is False
        assert api_report(app, resource["id"], agent["headers"])["made_private"] is True
        page = app.get(
            f"/dataset/{dataset['name']}/resource/{resource['id']}", headers=agent["headers"]
        )
        assert "garde ce jeu de données privé" in page.body
        # Nothing deleted: the file is still there, downloadable by the agent.
        download = app.get(
            resource["url"].replace("http://127.0.0.1:5000", ""), headers=agent["headers"]
        )
        assert download.status_code == 200 and download.data == INVALID_CSV

        response = app.post(
            "/api/3/action/resource_patch",
            data={"id": resource["id"], "upload": (io.BytesIO(VALID_CSV), "d.csv")},
            headers=agent["headers"],
        )
        assert response.status_code == 200, response.json
        work(resource["id"])
        assert api_report(app, resource["id"], agent["headers"])["status"] == "valide"
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200

    def test_deleting_the_invalid_resource_publishes_again(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        helpers.call_action("job_clear", {"ignore_auth": True})
        response = app.post(
            "/api/3/action/resource_delete", json={"id": resource["id"]}, headers=agent["headers"]
        )
        assert response.status_code == 200
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn policy {dataset['id']}"]
        policy.apply_policy_job(dataset["id"])  # what the worker runs
        model.Session.remove()
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        assert reports.ValidationReport.for_package(dataset["id"]) == []

    def test_an_admin_update_without_the_field_keeps_it(self, app, agent, validation, staff):
        admin = self._org_admin(agent)
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        fields = {k: v for k, v in org.items() if k != "validation_policy"}
        fields["description"] = "Mise à jour par l'administratrice"
        headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        response = app.post("/api/3/action/organization_update", json=fields, headers=headers)
        assert response.status_code == 200, response.json
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        assert org["validation_policy"] == "private"
        assert org["description"] == "Mise à jour par l'administratrice"

    def test_publishing_while_invalid_is_undone(self, app, agent, make_dataset, validation, staff):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        helpers.call_action("job_clear", {"ignore_auth": True})
        response = app.post(
            "/api/3/action/package_patch",
            json={"id": dataset["id"], "private": False},
            headers=agent["headers"],
        )
        assert response.status_code == 200 and response.json["result"]["private"] is False
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn policy {dataset['id']}"]
        policy.apply_policy_job(dataset["id"])
        model.Session.remove()
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_a_held_dataset_stays_private_while_it_cannot_be_checked(
        self, app, agent, make_dataset, validation, staff, served
    ):
        """Fixed? Not known yet: a re-check that fails (server down) keeps it private."""
        served["files"]["t.csv"] = INVALID_CSV
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        url = f"{validation['server']}/files/t.csv"
        resource = link(app, agent, dataset["id"], url, DELIBERATIONS)
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        del served["files"]["t.csv"]  # the agent's server now answers 404
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        work(resource["id"])
        assert api_report(app, resource["id"], agent["headers"])["status"] == "erreur"
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        served["files"]["t.csv"] = VALID_CSV
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False

    def test_an_agent_making_it_private_during_the_check_wins(
        self, app, agent, make_dataset, validation, staff, monkeypatch
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        real = job.validate_resource

        def agent_hides_it_meanwhile(res, schema_url):
            outcome = real(res, schema_url)
            response = app.post(
                "/api/3/action/package_patch",
                json={"id": dataset["id"], "private": True},
                headers=agent["headers"],
            )
            assert response.status_code == 200
            return outcome

        monkeypatch.setattr(job, "validate_resource", agent_hides_it_meanwhile)
        work(resource["id"])
        report = api_report(app, resource["id"], agent["headers"])
        assert report["status"] == "invalide" and report["made_private"] is False
        # Fixed later: the dataset stays private, as the agent wanted.
        monkeypatch.setattr(job, "validate_resource", real)
        response = app.post(
            "/api/3/action/resource_patch",
            data={"id": resource["id"], "upload": (io.BytesIO(VALID_CSV), "d.csv")},
            headers=agent["headers"],
        )
        assert response.status_code == 200
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_a_dataset_the_agent_made_private_stays_private(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=True)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        helpers.call_action("resource_patch", dict(staff), id=resource["id"], conforms_to="")
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_warn_policy_publishes_with_the_warning(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        page = app.get(f"/dataset/{dataset['name']}")
        assert 'data-status="invalide"' in page.body
