"""What agents and visitors read: the report on the resource, dataset and organisation pages,
and the re-run button.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.tgn.validation import reports
from tests.helpers.session import PASSWORD, csrf_token, log_in
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestPages:
    def test_resource_dataset_and_organisation_pages(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], title="Délibérations 2024")
        bad = upload(app, agent, dataset["id"], INVALID_CSV, "mauvais.csv", DELIBERATIONS)
        good = upload(app, agent, dataset["id"], VALID_CSV, "bon.csv", DELIBERATIONS)
        work(bad["id"])
        work(good["id"])

        page = app.get(f"/dataset/{dataset['name']}/resource/{bad['id']}").body
        assert "Conformité au schéma de données" in page
        finished = datetime.datetime.fromisoformat(api_report(app, bad["id"])["finished"])
        in_paris = finished.replace(tzinfo=datetime.timezone.utc).astimezone(
            zoneinfo.ZoneInfo("Europe/Paris")
        )
        assert f"Vérifié le {in_paris:%d/%m/%Y %H:%M}." in page
        assert 'data-status="invalide"' in page
        assert "2 erreurs à corriger." in page
        assert 'data-type="french-siret-value">Numéro SIRET invalide' in page
        assert "24820009900014" in page
        assert "Relancer la validation" not in page  # anonymous visitor

        editor_page = app.get(
            f"/dataset/{dataset['name']}/resource/{bad['id']}", headers=agent["headers"]
        ).body
        assert "Relancer la validation" in editor_page

        dataset_page = app.get(f"/dataset/{dataset['name']}").body
        # One badge per table in the file list, and again in the "Informations" block (tgn_portal).
        assert dataset_page.count('data-status="invalide"') == 2
        assert dataset_page.count('data-status="valide"') == 2

        org_page = app.get(f"/organization/{agent['org']['name']}").body
        assert "Tableaux à corriger" in org_page
        assert "Délibérations 2024 — mauvais.csv" in org_page
        assert "bon.csv" not in org_page.split("Tableaux à corriger")[1].split("</section>")[0]

    def test_rerun_button(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        token = reports.ValidationReport.get(resource["id"]).token
        response = app.post(
            f"/dataset/{dataset['name']}/resource/{resource['id']}/validation",
            headers=agent["headers"],
            follow_redirects=False,
        )
        assert response.status_code == 302
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert report.status == "en attente" and report.token != token
        anonymous = app.post(
            f"/dataset/{dataset['name']}/resource/{resource['id']}/validation",
            follow_redirects=False,
        )
        assert anonymous.status_code == 403

    @pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
    def test_rerun_button_checks_the_csrf_token(self, app, agent, make_dataset, validation):
        """From a browser session: refused without the page's token, queued with it."""
        editor = factories.User(password=PASSWORD)
        helpers.call_action(
            "organization_member_create",
            id=agent["org"]["id"],
            username=editor["name"],
            role="editor",
        )
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        token = reports.ValidationReport.get(resource["id"]).token
        browser = log_in(app, editor)
        url = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
        refused = browser.post(url, data={}, follow_redirects=False)
        assert refused.status_code == 400 and "CSRF" in refused.body
        model.Session.remove()
        assert reports.ValidationReport.get(resource["id"]).token == token
        page = browser.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")
        assert "Relancer la validation" in page.body
        accepted = browser.post(
            url, data={"_csrf_token": csrf_token(page.body)}, follow_redirects=False
        )
        assert accepted.status_code == 302
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert report.status == "en attente" and report.token != token
