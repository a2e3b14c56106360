"""An agent publishes through the web forms, in Chromium, as a collectivité would: log in,
describe the dataset, upload a table with two errors, read the French report, upload the
corrected file, see the preview, find the dataset in the intercommunality's DCAT catalog.
Each step's screenshot is saved under .local/screenshots/walkthrough/."""

from __future__ import annotations

import re

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, log_in, shoot
from tests.helpers import data
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV


@pytest.fixture(scope="module")
def montauban(live_site):
    """CA Grand Montauban with one editor who logs in with a password."""
    org = data.organisation(
        name="ca-grand-montauban", title="CA Grand Montauban", siren="248200099", epci_nature="CA"
    )
    user = factories.User(name="agent-montauban", password=PASSWORD, about=data.FRENCH_TEXT)
    data.member(org, "editor", user)
    return {"org": org, "user": user}


def choose(page: Page, field: str, text: str) -> None:
    """Pick an option in the search-as-you-type widget of a multiple select, as a user does."""
    page.locator(f"#s2id_field-{field} input").click()
    page.keyboard.type(text)
    page.locator(".select2-result-selectable", has_text=text).first.click()


def wait_for_status(page: Page, word: str, tries: int = 60) -> None:
    """Reload the resource page until the validation badge shows ``word``."""
    badge = page.locator(f".tgn-validation-badge[data-status='{word}']")
    for _ in range(tries):
        if badge.count():
            expect(badge.first).to_contain_text(word)
            return
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"the badge never said {word!r}")


def test_an_agent_publishes_a_table_and_data_gouv_fr_can_harvest_it(page: Page, montauban):
    log_in(page, "agent-montauban")
    shoot(page, "walkthrough", "01-connecte")

    page.goto("/dataset/new")
    page.fill("#field-title", "Délibérations du conseil 2025")
    page.fill("#field-notes", "Les délibérations du conseil communautaire de l'année 2025.")
    choose(page, "theme", "Gouvernement")
    page.select_option("#field-private", "False")
    page.fill("#field-contact_name", "Service des assemblées")
    page.fill("#field-contact_email", "assemblees@montauban.example.fr")
    choose(page, "territories", "CA Grand Montauban")
    monthly = page.locator("#field-frequency option", has_text=re.compile("mensuel", re.IGNORECASE))
    page.select_option("#field-frequency", monthly.first.get_attribute("value"))
    shoot(page, "walkthrough", "02-formulaire-jeu")
    page.click("button[name=save]")

    expect(page).to_have_url(re.compile(r"/dataset/.+/resource/new"))
    page.set_input_files("#field-resource-upload", files=[{
        "name": "deliberations-2025.csv", "mimeType": "text/csv", "buffer": INVALID_CSV,
    }])  # fmt: skip
    page.fill("#field-name", "Délibérations 2025")
    page.select_option("#field-conforms_to", DELIBERATIONS)
    shoot(page, "walkthrough", "03-formulaire-ressource")
    page.click("button[name=save][value=go-metadata]")

    expect(page).to_have_url(re.compile(r"/dataset/deliberations-du-conseil-2025$"))
    page.get_by_role("link", name=re.compile("Délibérations 2025")).first.click()
    wait_for_status(page, "invalide")
    report = page.locator(".tgn-validation-report")
    expect(report).to_contain_text("SIRET")
    expect(report).to_contain_text("2 erreurs")
    shoot(page, "walkthrough", "04-rapport-invalide")
    resource_url = page.url

    page.goto(f"{resource_url}/edit")
    page.locator("#field-resource-upload").set_input_files(files=[{
        "name": "deliberations-2025.csv", "mimeType": "text/csv", "buffer": VALID_CSV,
    }])  # fmt: skip
    page.click("button[name=save]")
    page.goto(resource_url)
    wait_for_status(page, "valide")
    frame = page.frame_locator("iframe").first
    for _ in range(60):
        if page.locator("iframe").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(frame.locator("#dtprv")).to_contain_text("DEL-2024-001")
    expect(frame.locator("#dtprv")).to_contain_text("Nom de la collectivité")  # the dictionary
    shoot(page, "walkthrough", "05-valide-apercu")

    page.goto("/organization/ca-grand-montauban/catalog.ttl")
    expect(page.locator("body")).to_contain_text("Délibérations du conseil 2025")
    shoot(page, "walkthrough", "06-catalogue-dcat")
