"""The image's start-up (docker/entrypoint.sh `init`), run for real outside the image on new,
empty databases of the test PostgreSQL, then the configuration it wrote compared with the one
the suite and the local site run: same plugins, same platform options, and every option the
local site sets has its production counterpart. This is where a production-only gap shows
(xloader without its jobs database or its API token, an option forgotten in production.ini).

What the image would hold in /srv/app comes from the repository: platform.ini as is,
production.ini with only the names of the compose network replaced by the loopback services
(listed in NETWORK_NAMES). The connection strings come as in docker/compose.yaml, through
CKAN's environment variables. Creating and dropping the databases needs PostgreSQL's
superuser: as scripts/services.sh, through `runuser -u postgres -- psql`.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy

from tests.helpers.paths import ROOT

DOCKER = ROOT / "docker"
BIN = Path(sys.executable).parent
SITE_ID = "tgn_init_test"
DB = "ckan_tgn_init_test"
DS_DB = "ckan_tgn_datastore_init_test"
SOLR = "http://127.0.0.1:8983/solr/ckan_test"
# CKAN's server named otherwise than the DataStore's: init then treats them as two servers, as
# in compose (the DataStore's knows neither CKAN's role nor its database).
CKAN_URL = f"postgresql://ckan_tgn:ckan_tgn@localhost:5432/{DB}"
DS_WRITE = f"postgresql://ckan_tgn_ds_write:ckan_tgn_ds_write@127.0.0.1:5432/{DS_DB}"
DS_READ = f"postgresql://ckan_tgn_ds_read:ckan_tgn_ds_read@127.0.0.1:5432/{DS_DB}"
# Host names of the compose network in production.ini, and what stands for them here.
NETWORK_NAMES = {
    "ckan.harvest.mq.hostname = redis": "ckan.harvest.mq.hostname = 127.0.0.1",
    "ckan.harvest.mq.redis_db = 0": "ckan.harvest.mq.redis_db = 3",
    "/srv/app/harvest_configs": str(ROOT / "harvest_configs"),
}
# Options of the local site and of the tests that production sets otherwise, and how.
FROM_ENVIRONMENT = {  # CKAN's environment variables, set by docker/compose.yaml
    "sqlalchemy.url",
    "solr_url",
    "ckan.redis.url",
    "ckan.site_url",
    "ckan.storage_path",
    "ckan.datastore.write_url",
    "ckan.datastore.read_url",
}
LOCAL_ONLY = {
    "ckan.devserver.host",  # `ckan run`; production runs gunicorn (docker/Dockerfile)
    "ckan.devserver.port",
    "wtf_csrf_enabled",  # the suite's forms are posted without CSRF tokens
    "ckanext.tgn.dcat.render_on_write",  # the suite renders the DCAT descriptions itself
    "use",  # test.ini's `use = config:platform.ini`
}


def _admin_sql(sql: str, database: str = "postgres") -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-p", "5432", "-d", database, "-qAt",
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def _drop() -> None:
    for name in (DB, DS_DB):
        _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    requests.post(
        f"{SOLR}/update?commit=true", json={"delete": {"query": f"site_id:{SITE_ID}"}}, timeout=30
    ).raise_for_status()


def _env(tmp: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "TGN_APP_DIR": str(tmp / "app"),
        "CKAN_INI": str(tmp / "config" / "ckan.ini"),
        "CKAN_SITE_ID": SITE_ID,
        "CKAN_SITE_URL": "https://data.example.test",
        "CKAN_SQLALCHEMY_URL": CKAN_URL,
        "CKAN_SOLR_URL": SOLR,
        "CKAN_REDIS_URL": "redis://127.0.0.1:6379/3",
        "CKAN_DATASTORE_WRITE_URL": DS_WRITE,
        "CKAN_DATASTORE_READ_URL": DS_READ,
        # The DataStore database's owner applies CKAN's grants here (the image: its superuser).
        "DATASTORE_ADMIN_URL": DS_WRITE,
        "CKAN_STORAGE_PATH": str(tmp / "storage"),
    }


def _init(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DOCKER / "entrypoint.sh"), "init"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[tuple[dict[str, str], list[str]]]:
    """A first init on empty databases, then a second one (every deployment runs it again)."""
    tmp = tmp_path_factory.mktemp("init")
    (tmp / "app").mkdir()
    shutil.copy(ROOT / "platform.ini", tmp / "app" / "platform.ini")
    production = (DOCKER / "production.ini").read_text(encoding="utf-8")
    for name, here in NETWORK_NAMES.items():
        assert name in production, f"production.ini no longer has {name!r}"
        production = production.replace(name, here)
    (tmp / "app" / "production.ini").write_text(production, encoding="utf-8")
    _drop()
    _admin_sql(f"CREATE DATABASE {DB} OWNER ckan_tgn ENCODING 'UTF8' TEMPLATE template0")
    _admin_sql(
        f"CREATE DATABASE {DS_DB} OWNER ckan_tgn_ds_write ENCODING 'UTF8' TEMPLATE template0"
    )
    # As docker/initdb/datastore.sh does on the DataStore's server.
    _admin_sql("ALTER SCHEMA public OWNER TO ckan_tgn_ds_write", DS_DB)
    env = _env(tmp)
    runs = [_init(env), _init(env)]
    try:
        for run in runs:
            assert run.returncode == 0, run.stdout + run.stderr
        yield env, [run.stdout for run in runs]
    finally:
        sqlalchemy.engine.create_engine(CKAN_URL).dispose()
        _drop()


def _options(path: Path, *, follow_use: bool = False) -> dict[str, str]:
    """[app:main] of an ini file, keys lowercased (as CKAN reads them); with follow_use, the
    file it inherits from (`use = config:...`) comes first."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(path, encoding="utf-8")
    options = dict(parser["app:main"])
    base = options.get("use", "")
    if follow_use and base.startswith("config:"):
        return {**_options(path.parent / base.removeprefix("config:")), **options}
    return options


def test_init_prepares_a_new_database_and_runs_again_without_change(deployed):
    env, outputs = deployed
    first, second = outputs
    assert "nouvelle configuration" in first and "nouvelle configuration" not in second
    assert "jeton d'xloader créé" in first and "jeton d'xloader créé" not in second
    assert first.rstrip().endswith("init: terminé") and second.rstrip().endswith("init: terminé")
    assert "init: organisations du territoire" in first
    # The CSS and JavaScript bundles, built before any web process starts.
    built = Path(env["CKAN_STORAGE_PATH"], "webassets")
    assert {path.suffix for path in built.rglob("*_*.*")} >= {".css", ".js"}
    engine = sqlalchemy.create_engine(CKAN_URL)
    with engine.connect() as connection:
        tables = set(sqlalchemy.inspect(connection).get_table_names())
        # The core and the plugins' migrations (harvest, activity, tgn).
        assert {"package", "harvest_source", "activity"} <= tables
        assert any(name.startswith("tgn_") for name in tables)
        # The Département, the syndicate and the ten EPCI, once each after two runs.
        organisations = connection.execute(
            sqlalchemy.text(
                "SELECT count(*) FROM \"group\" WHERE is_organization AND state = 'active'"
            )
        ).scalar()
        assert organisations == 12
        tokens = connection.execute(
            sqlalchemy.text(
                'SELECT count(*) FROM api_token t JOIN "user" u ON u.id = t.user_id'
                " WHERE u.name = :site AND u.sysadmin AND t.name = 'xloader'"
            ),
            {"site": SITE_ID},
        ).scalar()
    engine.dispose()
    assert tokens == 1  # made once, not at every deployment
    # The DataStore's grants: the read role reads the metadata view, and cannot create.
    read = sqlalchemy.create_engine(DS_READ)
    with read.connect() as connection:
        connection.execute(sqlalchemy.text("SELECT count(*) FROM _table_metadata")).scalar()
        with pytest.raises(sqlalchemy.exc.ProgrammingError):
            connection.execute(sqlalchemy.text("CREATE TABLE intrus (id int)"))
    read.dispose()


def test_the_image_runs_the_plugins_and_options_of_the_tests_and_of_the_local_site(deployed):
    env, _ = deployed
    production = _options(Path(env["CKAN_INI"]))
    tests = _options(ROOT / "test.ini", follow_use=True)
    site = {**_options(ROOT / "platform.ini"), **_options(ROOT / "scripts" / "site.ini")}
    assert production["ckan.plugins"].split() == tests["ckan.plugins"].split()
    platform = _options(ROOT / "platform.ini")
    for key, value in platform.items():
        assert production.get(key) == value, f"{key}: the image has {production.get(key)!r}"
    for key in sorted((set(tests) | set(site)) - FROM_ENVIRONMENT - LOCAL_ONLY):
        assert production.get(key, "").strip(), f"{key} is set locally but not in the image"
    # Secrets of its own (ckan generate config), never the suite's.
    for key in ("secret_key", "api_token.jwt.encode.secret", "api_token.jwt.decode.secret"):
        assert production[key] and production[key] != tests.get(key)
    assert production["ckanext.xloader.jobs_db.uri"] == env["CKAN_SQLALCHEMY_URL"]
    assert production["ckanext.xloader.api_token"] not in ("", "NOT_SET")
    assert production["session_cookie_secure"] == "true"


def test_the_other_commands_refuse_to_start_before_init(tmp_path):
    env = _env(tmp_path)
    run = subprocess.run(
        [str(DOCKER / "entrypoint.sh"), "ckan", "jobs", "worker"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert "le service init doit passer d'abord" in run.stderr
    del env["CKAN_SOLR_URL"]
    run = _init(env)
    assert run.returncode == 1 and "CKAN_SOLR_URL manque" in run.stderr
    assert not Path(env["CKAN_INI"]).exists()
