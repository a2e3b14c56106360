"""Fixtures shared by the suite. CKAN's own pytest plugin (--ckan-ini=test.ini) provides
clean_db, clean_index, with_plugins, app, cli and the factories; the data they build on is
in tests/helpers/."""

from __future__ import annotations

import functools
import importlib.metadata
from typing import Any

import ckan.plugins
import ckan.plugins.core
import pytest
import sqlalchemy
import yaml
from ckan import model
from ckan.lib.app_globals import _CONFIG_CACHE
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from ckanext.tgn.dcat import store as dcat_store
from ckanext.tgn.quality import reminders
from ckanext.tgn.validation import reports
from tests.helpers import data, live
from tests.helpers.table_server import fresh_state, serving

# --- what CKAN redoes around every test -----------------------------------------------------
# with_plugins loads and unloads every plugin around each test (a second a test, a third of the
# suite's set-up). Each load looks its plugin up among the entry points of every installed
# distribution (6 ms a look-up, about a hundred a test) and reads the plugins' YAML (config
# declarations, scheming schemas, webassets) with PyYAML's pure-Python parser. Installed
# distributions do not change during a run, so entry points are looked up once; the YAML is
# read by libyaml, the C parser of the same PyYAML (same documents, ten times faster).
_entry_points = functools.cache(importlib.metadata.entry_points)
ckan.plugins.core.entry_points = _entry_points  # type: ignore[attr-defined]
if getattr(yaml, "__with_libyaml__", False):
    yaml.safe_load = functools.partial(yaml.load, Loader=yaml.CSafeLoader)  # type: ignore[assignment]


# Fixtures of CKAN's pytest plugin and of ours that reach PostgreSQL, Solr or Redis: a test
# marked `unit` must use none of them (make unit runs without CKAN's plugin, services off).
SERVICE_FIXTURES = {
    "tgn_db", "migrate_plugins", "clean_db", "reset_db", "migrate_db_for", "non_clean_db",
    "clean_index", "reset_index", "clean_redis", "reset_redis", "clean_queues", "reset_queues",
    "with_plugins", "app", "make_app", "cli", "ckan_config", "make_dataset", "make_org", "agent",
    "platform", "shared_platform", "shared_stack", "shared_app", "shared_agent", "validation",
    "staff", "live_site",
}  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wrong = [
        f"{item.nodeid} uses {', '.join(sorted(SERVICE_FIXTURES & set(item.fixturenames)))}"
        for item in items
        if item.get_closest_marker("unit") and SERVICE_FIXTURES & set(item.fixturenames)
    ]
    if wrong:
        raise pytest.UsageError("unit tests that need a service:\n" + "\n".join(wrong))


@pytest.fixture(scope="session")
def migrate_plugins(migrate_db_for):
    """Apply the migrations of the plugins that bring their own tables, after a reset.

    CKAN's clean_db rebuilds only the core tables; harvest's come from its migrations.
    """

    upgraded: list[bool] = []

    def migrate() -> None:
        # Alembic reads every migration script each time (50 ms a plugin): once per run they
        # go to head, then again only when a reset has dropped their tables (CKAN's clean_db
        # drops every table when it rebuilds, the version tables with them).
        if not upgraded or not _version_tables_present():
            for plugin in MIGRATED_PLUGINS:
                migrate_db_for(plugin)
            upgraded.append(True)
        # CKAN's reset empties the tables of core's metadata only; the report and fragment
        # tables have metadata of their own: emptied here, no report or fragment outlives a test.
        with model.meta.engine.begin() as connection:
            for meta in (reports.metadata, dcat_store.metadata, reminders.metadata):
                for table in reversed(meta.sorted_tables):
                    connection.execute(table.delete())
        dcat_store.forget_memory()
        clean_datastore()

    return migrate


MIGRATED_PLUGINS = ("harvest", "activity", "tgn_validation", "tgn_dcat", "tgn_quality")


def _version_tables_present() -> bool:
    names = [f"{plugin}_alembic_version" for plugin in MIGRATED_PLUGINS]
    with model.meta.engine.connect() as connection:
        present = connection.execute(
            sqlalchemy.text("SELECT count(*) FROM pg_tables WHERE tablename = ANY(:names)"),
            {"names": names},
        ).scalar()
    return present == len(names)


@functools.cache
def _datastore_engine(url: str) -> sqlalchemy.engine.Engine:
    return sqlalchemy.create_engine(url)


def clean_datastore() -> None:
    """Drop the DataStore's tables (its own database, which CKAN's reset does not touch)."""
    url = ckan.plugins.toolkit.config.get("ckan.datastore.write_url")
    if not url:
        return
    with _datastore_engine(url).begin() as connection:
        tables = connection.execute(
            sqlalchemy.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        for table in list(tables):
            connection.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))


@pytest.fixture
def tgn_db(clean_db, migrate_plugins):
    """A clean database with the tables of the plugins that bring their own migrations."""
    migrate_plugins()


@pytest.fixture
def make_dataset():
    """Create a dataset valid for our schema; fields given override the defaults."""
    return data.dataset


@pytest.fixture
def make_org():
    """Create an organisation that satisfies our schema (kind and SIREN are required)."""
    return data.organisation


@pytest.fixture
def agent():
    """An editor of one organisation, with an API token, as a collectivité's agent."""
    return data.agent()


# --- modules whose tests only read ----------------------------------------------------------


@pytest.fixture(scope="module")
def shared_stack(reset_db, reset_index, migrate_plugins):
    """For a module whose tests only read: what with_plugins, tgn_db, clean_index and app do
    for one test, done once for the module. Yields the module's test app.

    Data the module's tests share is built on it by module-scoped fixtures; the tests take
    ``shared_app``, which checks that each one leaves the database as it found it.
    """
    ckan.plugins.load_all()
    try:
        reset_db()
        migrate_plugins()
        reset_index()
        _CONFIG_CACHE.clear()  # as CKAN's make_app fixture does
        yield ckan_helpers._get_test_app()
    finally:
        ckan.plugins.unload_non_system_plugins()


@pytest.fixture
def shared_app(shared_stack):
    """The module's test app, for a test that only reads (see shared_stack)."""
    before = data.stored_state()
    yield shared_stack
    assert data.stored_state() == before, (
        "this test changed the data its module shares: it belongs with the tests that build "
        "their own (tgn_db)"
    )


@pytest.fixture(scope="session")
def table_server():
    """Base URL of the test server of tables and schemas (tests/helpers/table_server.py)."""
    with serving() as url:
        yield url


@pytest.fixture
def served(table_server) -> dict[str, Any]:
    """The server's state for this test: files to serve, catalogue up."""
    return fresh_state()


def _csp_with_local_images() -> str:
    policy = ckan.plugins.toolkit.config["ckanext.tgn.security.content_security_policy"]
    local = policy.replace(
        "img-src 'self' data: https:", "img-src 'self' data: https: http://127.0.0.1:*"
    )
    assert local != policy, "the default policy's img-src changed: update this test setting"
    return local


@pytest.fixture(scope="module")
def live_site(reset_db, reset_index, migrate_plugins, table_server, tmp_path_factory):
    """The platform served on a free port with a jobs worker, on a database reset for the
    module (tests/helpers/live.py). Validation reads schemas from the test table server;
    xloader acts with a sysadmin's token made here."""
    ckan.plugins.load_all()
    try:
        reset_db()
        migrate_plugins()
        reset_index()
        _CONFIG_CACHE.clear()
        staff = factories.Sysadmin(name="xloader-robot")
        settings = {
            "ckanext.xloader.api_token": factories.APIToken(user=staff["name"])["token"],
            "ckanext.tgn.validation.schema_catalog_url": f"{table_server}/sdgf/schemas.json",
            "ckanext.tgn.validation.allow_private_addresses": True,
            # The map tests' stub WMS listens on 127.0.0.1 over http: the proxy may reach it
            # and the browser may show its images (production allows https images only).
            "ckanext.tgn.preview.allow_private_addresses": True,
            "ckanext.tgn.security.content_security_policy": _csp_with_local_images(),
        }
        with live.serving(tmp_path_factory.mktemp("live"), settings) as site:
            yield site
    finally:
        ckan.plugins.unload_non_system_plugins()
