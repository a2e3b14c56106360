"""The worker's job: killed, superseded or delivered twice, the report stays right."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.tgn.validation import job, reports
from ckanext.tgn.validation.engine import status
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestJob:
    def test_a_job_killed_by_the_worker_leaves_an_error(self, app, agent, make_dataset, validation):
        """rq's failure callback (job timeout, crash) closes the report."""
        from rq.timeouts import JobTimeoutException

        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        queued_job = next(j for j in queued if resource["id"] in j["title"])
        from ckan.lib.jobs import job_from_id

        rq_job = job_from_id(queued_job["id"])
        assert rq_job.failure_callback is job.job_failed
        job.job_failed(rq_job, None, JobTimeoutException, JobTimeoutException("900"), None)
        model.Session.remove()
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "a duré plus de 900 s" in report["message_text"]

    def test_a_job_superseded_while_it_runs_drops_its_result(
        self, app, agent, make_dataset, validation, staff, monkeypatch
    ):
        """The agent re-uploads while the old file is being checked: the old verdict is lost,
        the new job's stands."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        old_token = reports.ValidationReport.get(resource["id"]).token
        real = job.validate_resource

        def replaced_meanwhile(res, schema_url):
            outcome = real(res, schema_url)
            # Another session (the agent's request) asks for a new validation meanwhile.
            other = model.meta.create_local_session()
            report = other.get(reports.ValidationReport, resource["id"])
            report.token, report.status = "newer", status.PENDING
            other.commit()
            other.close()
            return outcome

        monkeypatch.setattr(job, "validate_resource", replaced_meanwhile)
        job.run_validation(resource["id"], old_token)
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert (report.token, report.status, report.outcome) == ("newer", "en attente", None)

    def test_a_job_delivered_twice_runs_once(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        first = reports.ValidationReport.get(resource["id"]).finished
        work(resource["id"])  # the same token again (e.g. `run --now` plus the queue)
        assert reports.ValidationReport.get(resource["id"]).finished == first

    def test_a_superseded_job_does_not_overwrite(self, app, agent, make_dataset, validation, staff):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        old_token = reports.ValidationReport.get(resource["id"]).token
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        job.run_validation(resource["id"], old_token)
        model.Session.remove()
        assert api_report(app, resource["id"])["status"] == "en attente"
