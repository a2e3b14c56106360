"""When a validation is asked for: only on changes that matter, queued when the save commits."""

from __future__ import annotations

import datetime

import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.tgn.validation import reports
from ckanext.tgn.validation.engine import status
from tests.helpers.data import COMPLETE_DATASET
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, link, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestWhenToValidate:
    def test_only_changes_that_matter_queue_a_validation(
        self, app, agent, make_dataset, validation, served, staff
    ):
        served["files"]["a.csv"] = VALID_CSV
        served["files"]["b.csv"] = INVALID_CSV
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = link(
            app, agent, dataset["id"], f"{validation['server']}/files/a.csv", DELIBERATIONS
        )
        work(resource["id"])
        token = reports.ValidationReport.get(resource["id"]).token

        helpers.call_action(
            "resource_patch", dict(staff), id=resource["id"], description="Mise à jour"
        )
        assert reports.ValidationReport.get(resource["id"]).token == token
        assert api_report(app, resource["id"])["status"] == "valide"

        helpers.call_action(
            "resource_patch",
            dict(staff),
            id=resource["id"],
            url=f"{validation['server']}/files/b.csv",
        )
        assert api_report(app, resource["id"])["status"] == "en attente"
        work(resource["id"])
        assert api_report(app, resource["id"])["status"] == "invalide"

        helpers.call_action("resource_patch", dict(staff), id=resource["id"], conforms_to="")
        assert reports.ValidationReport.get(resource["id"]) is None  # no schema, no report

    def test_the_job_is_queued_only_when_the_save_commits(self, agent, make_org, validation, staff):
        """Not when the bookkeeping's savepoint is released: a worker would look for a
        report row that is not visible yet."""
        context = {**staff, "defer_commit": True}
        dataset = helpers.call_action(
            "package_create",
            context,
            name="sauvegarde-differee",
            owner_org=agent["org"]["id"],
            resources=[{"url": "https://exemple.fr/d.csv", "conforms_to": DELIBERATIONS}],
            **COMPLETE_DATASET,
        )
        assert helpers.call_action("job_list", {"ignore_auth": True}) == []
        model.Session.commit()
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn validation {dataset['resources'][0]['id']}"]

    def test_a_stuck_report_is_asked_again_on_the_next_save(
        self, app, agent, make_dataset, validation, staff
    ):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        report = reports.ValidationReport.get(resource["id"])
        report.status = status.RUNNING
        report.started = report.requested = reports.utcnow() - datetime.timedelta(hours=3)
        old_token = report.token
        model.Session.commit()
        helpers.call_action("package_patch", dict(staff), id=dataset["id"], notes="Relu")
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert report.status == "en attente" and report.token != old_token
