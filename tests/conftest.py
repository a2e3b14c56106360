"""Fixtures shared by the suite. CKAN's own pytest plugin (--ckan-ini=test.ini) provides
clean_db, clean_index, with_plugins, app, cli and the factories."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from ckan.tests import factories

_serial = itertools.count(10_000)


def valid_siren(prefix: str = "99") -> str:
    """A SIREN with a right Luhn check digit, different at each call."""
    body = f"{prefix}{next(_serial):06d}"[:8]
    for check in "0123456789":
        candidate = body + check
        total = 0
        for position, char in enumerate(reversed(candidate)):
            digit = int(char) * (2 if position % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one check digit always fits")


@pytest.fixture
def tgn_db(clean_db, migrate_db_for):
    """A clean database with the tables of the plugins that bring their own migrations.

    CKAN's clean_db rebuilds only the core tables; harvest's come from its migrations.
    """
    migrate_db_for("harvest")
    migrate_db_for("activity")


THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

# The fields our dataset schema requires, filled as an agent would.
COMPLETE_DATASET = {
    "notes": "Liste des délibérations du conseil communautaire.",
    "theme": [THEME + "GOVE"],
    "frequency": FREQUENCY + "MONTHLY",
    "contact_name": "Service des assemblées",
    "contact_email": "assemblees@exemple.fr",
}


@pytest.fixture
def make_dataset():
    """Create a dataset valid for our schema; fields given override the defaults."""

    def make(**fields: Any) -> dict[str, Any]:
        return factories.Dataset(**{**COMPLETE_DATASET, **fields})

    return make


@pytest.fixture
def make_org():
    """Create an organisation that satisfies our schema (kind and SIREN are required)."""

    def make(**fields: Any) -> dict[str, Any]:
        defaults = {"territory_kind": "epci", "epci_nature": "CC", "siren": valid_siren()}
        return factories.Organization(**{**defaults, **fields})

    return make
