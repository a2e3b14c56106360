"""What the benchmarks that store data share: one at a time with the test suite, and the
test database reset as the suite's tgn_db and clean_index fixtures leave it."""

from __future__ import annotations

import subprocess
import sys
import time


def wait_for_tests() -> None:
    """The suite and a benchmark share the test database: one at a time."""
    said = False
    while subprocess.run(["pgrep", "-f", "pytest --ckan-ini"], capture_output=True).returncode == 0:
        if not said:
            print("waiting for the running test suite to end...", file=sys.stderr)
            said = True
        time.sleep(10)


def reset_database() -> None:
    """Tables rebuilt, the plugins' migrations applied and their tables emptied, Solr core
    emptied; the app's pooled engine bound again."""
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib import search

    from ckanext.tgn.dcat import store
    from ckanext.tgn.quality import reminders
    from ckanext.tgn.validation import reports

    engine = model.meta.engine
    assert engine is not None  # bound by make_app
    model.Session.close_all()
    model.repo.rebuild_db()
    for plugin in ("harvest", "activity", "tgn_validation", "tgn_dcat", "tgn_quality"):
        _run_migrations(plugin)
    # CKAN's migration environment binds the model to an engine without a connection pool
    # (ckan/migration/env.py): a new PostgreSQL connection per commit, half of a harvest's
    # time. Production never runs migrations in its workers: bind the app's pooled engine again.
    model.init_model(engine)
    with engine.begin() as connection:
        for meta in (reports.metadata, store.metadata, reminders.metadata):
            for table in reversed(meta.sorted_tables):
                connection.execute(table.delete())
    search.clear_all()
    model.Session.remove()
