"""Playwright driving Debian's chromium (scripts/install.sh installs it; nothing is
downloaded) against the platform served for real (the ``live_site`` fixture)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.helpers.paths import ROOT

# Every screenshot a browser test takes, kept after the run (git-ignored); the key ones are
# copied into docs/screenshots/ for README.
SCREENSHOTS = ROOT / ".local" / "screenshots"
# The password of the users the browser tests log in as.
PASSWORD = "Mot-de-passe-de-test-82"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise pytest.UsageError("chromium is missing: run make install (Debian package chromium)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, live_site) -> Iterator[Page]:
    """A fresh French-speaking browser tab on the live site."""
    context = browser.new_context(
        base_url=live_site.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def shoot(page: Page, folder: str, name: str) -> Path:
    """Save what the page shows now, full length, under .local/screenshots/<folder>/."""
    path = SCREENSHOTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, name: str) -> None:
    """Through the login form, as an agent does; the header then offers to log out."""
    page.goto("/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    expect(page.locator("form[action*='/user/_logout']")).to_have_count(1)
