"""Every kind of page, in Chromium: axe-core finds no serious or critical violation, the
publishing form works from the keyboard alone, and no English is left on the pages."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from ckan.tests import factories, helpers
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS, log_in
from tests.helpers import data
from tests.helpers.tables import VALID_CSV

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Words that are English and never French: a page showing one has a string left untranslated.
ENGLISH = {
    "the", "and", "of", "with", "your", "you", "this", "these", "is", "are", "for", "from", "by",
    "not", "all", "more", "search", "dataset", "datasets", "organization", "organizations",
    "groups", "log", "register", "about", "add", "edit", "download", "view", "show", "filter",
    "license", "resources", "explore", "home", "previous", "next", "last", "modified",
    "popular", "relevance", "followers", "create", "new", "delete", "update", "save", "cancel",
    "close", "submit", "please", "here", "there", "what", "which", "when", "where", "read",
    "powered", "showing", "entries", "items", "field", "value", "none",
    "name", "title", "created", "changed", "activity", "stream", "user", "users",
    "login", "password", "remember", "forgot", "sign", "up", "any", "other", "share",
}  # fmt: skip


@pytest.fixture(scope="module")
def site(live_site):
    """The platform of tests/helpers/data.py, one uploaded table with its preview, an editor."""
    platform = data.build_platform()
    staff = {"user": factories.Sysadmin()["name"]}
    for org in platform["orgs"].values():  # the factories' descriptions are English lorem ipsum
        helpers.call_action(
            "organization_patch", staff, id=org["id"],
            description="Une collectivité de Tarn-et-Garonne qui publie ses données.",
        )  # fmt: skip
    montauban = platform["orgs"]["montauban"]
    user = factories.User(name="agent-clavier", password=PASSWORD, about=data.FRENCH_TEXT)
    data.member(montauban, "editor", user)
    dataset = platform["public"]["montauban-0"]
    return {"platform": platform, "dataset": dataset, "user": user, "org": montauban}


@pytest.fixture(scope="module")
def preview(site, live_site, browser):
    """A table uploaded through the API and loaded into the DataStore (its preview page)."""
    headers = data.api_headers(site["user"])
    created = requests.post(
        f"{live_site.url}/api/3/action/resource_create",
        data={"package_id": site["dataset"]["id"], "name": "Tableau", "format": "CSV"},
        files={"upload": ("tableau.csv", VALID_CSV, "text/csv")}, headers=headers, timeout=60,
    ).json()["result"]  # fmt: skip
    for _ in range(120):
        shown = requests.get(
            f"{live_site.url}/api/3/action/resource_show", params={"id": created["id"]},
            headers=headers, timeout=30,
        ).json()["result"]  # fmt: skip
        views = requests.get(
            f"{live_site.url}/api/3/action/resource_view_list", params={"id": created["id"]},
            timeout=30,
        ).json()["result"]  # fmt: skip
        if shown.get("datastore_active") and views:
            return f"/dataset/{site['dataset']['name']}/resource/{created['id']}"
        time.sleep(0.5)
    raise AssertionError("the table was never loaded")


def pages(site, preview) -> dict[str, str]:
    return {
        "accueil": "/",
        "recherche": "/dataset/?q=d%C3%A9lib%C3%A9rations&vocab_tgn_theme=GOVE",
        "jeu": f"/dataset/{site['dataset']['name']}",
        "ressource-apercu": preview,
        "organisation": f"/organization/{site['org']['name']}",
        "connexion": "/user/login",
        "a-propos": "/a-propos",
        "publier": "/publier",
        "mentions-legales": "/mentions-legales",
        "accessibilite": "/accessibilite",
        "plan-du-site": "/plan-du-site",
        "obligations": "/obligations",
    }


def editor_pages(site, preview) -> dict[str, str]:
    """The pages an agent sees once logged in: the form, the dataset with its quality, the
    organisation's quality dashboard."""
    return {
        "formulaire-jeu": "/dataset/new",
        "ressource-apercu-editeur": preview,
        "jeu-editeur": f"/dataset/{site['dataset']['name']}",
        "tableau-de-bord": f"/organization/{site['org']['name']}/qualite",
    }


def _violations(page: Page) -> list[dict]:
    results = Axe().run(page, options=WCAG)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def test_axe_finds_no_serious_violation_on_any_kind_of_page(page: Page, site, preview):
    found = {}
    for name, path in pages(site, preview).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    log_in(page, site["user"]["name"])
    for name, path in editor_pages(site, preview).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    report = SCREENSHOTS / "axe.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(found, indent=2, ensure_ascii=False))
    summary = {
        name: [f"{v['id']} ({v['impact']}): {len(v['nodes'])} x {v['nodes'][0]['target']}"
               for v in violations]
        for name, violations in found.items() if violations
    }  # fmt: skip
    assert summary == {}, f"{json.dumps(summary, ensure_ascii=False)} (details: {report})"


def test_the_publishing_form_works_with_the_keyboard_alone(page: Page, site):
    log_in(page, site["user"]["name"])
    page.goto("/dataset/new")
    focused = []
    page.keyboard.press("Tab")  # the skip link comes first, then the page's own links
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first == "#main-content"
    page.focus("#field-title")
    page.keyboard.type("Budget 2026 au clavier")
    for _ in range(2):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert "field-name" in focused or "field-notes" in focused
    page.focus("#field-notes")
    page.keyboard.type(
        "Le budget primitif de l'année, saisi sans souris, pour vérifier le clavier."
    )
    page.focus("#s2id_autogen2")  # the theme widget's search box
    page.keyboard.type("Économie")
    page.keyboard.press("Enter")
    page.focus("#field-private")
    page.keyboard.press("ArrowUp")
    page.focus("#field-contact_name")
    page.keyboard.type("Service des finances")
    page.keyboard.press("Tab")
    page.keyboard.type("finances@montauban.example.fr")
    page.focus("#s2id_autogen5")  # the territory widget
    page.keyboard.type("Montauban")
    page.keyboard.press("Enter")
    page.focus("#field-frequency")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    # Focus is visible on every control reached (a ring, an outline or a box shadow).
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert style[0] != "none" or style[2] != "none", style
    page.focus("button[name=save]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dataset/.+/resource/new"))
    created = page.url.split("/dataset/")[1].split("/")[0]
    assert created == "budget-2026-au-clavier"


def _english_words(page: Page) -> set[str]:
    """Each English word shown (text, placeholders, titles, labels, alt texts), with the text
    it is in: "word: …context…"."""
    texts = page.evaluate(
        "(() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);"
        " const out = []; let n; while ((n = w.nextNode())) {"
        "  const p = n.parentElement; if (!p || p.closest('script,style,code,pre'))"
        "   continue; if (p.offsetParent === null && getComputedStyle(p).position !== 'fixed')"
        "   continue; out.push(n.textContent); }"
        " document.querySelectorAll('[placeholder],[title],[aria-label],img[alt]').forEach(e => {"
        "  ['placeholder','title','aria-label','alt'].forEach(a => { if (e.getAttribute(a))"
        "   out.push(e.getAttribute(a)); }); });"
        " return out; })()"
    )
    found = set()
    for text in texts:
        # Addresses and paths, and the "<dataset>" slot of the form's address preview.
        plain = re.sub(r"(?:https?://|/)\S+|<[a-z_]+>", " ", text)
        for word in set(re.findall(r"[A-Za-z]+", plain)):
            if word.lower() in ENGLISH:
                found.add(f"{word}: {' '.join(plain.split())[:80]}")
    return found


def test_no_english_is_left_on_the_pages(page: Page, site, preview):
    left = {}
    for name, path in pages(site, preview).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if words := _english_words(page):
            left[name] = sorted(words)
    log_in(page, site["user"]["name"])
    for name, path in editor_pages(site, preview).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if words := _english_words(page):
            left[name] = sorted(words)
    assert left == {}, json.dumps(left, ensure_ascii=False)
