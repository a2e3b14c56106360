"""Fixtures shared by the suite. CKAN's own pytest plugin (--ckan-ini=test.ini) provides
clean_db, clean_index, with_plugins, app and the factories."""

from __future__ import annotations

import pytest


@pytest.fixture
def tgn_db(clean_db, migrate_db_for):
    """A clean database with the tables of the plugins that bring their own migrations.

    CKAN's clean_db rebuilds only the core tables; harvest's come from its migrations.
    """
    migrate_db_for("harvest")
    migrate_db_for("activity")
