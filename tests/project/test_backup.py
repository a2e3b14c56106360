"""Backups and restore of the platform (docker/backup.sh, docker/restore.sh), for real on the
test services: content built through CKAN's actions and the app, backed up, both databases
dropped and created again empty and the file store emptied, restored, the search index
rebuilt, and then everything compared with what it was. Also: a damaged, partial or
unconfirmed backup changes nothing, nor does a restore while the site is connected; the
retention keeps BACKUP_KEEP backups; a failed backup leaves nothing complete-looking and
deletes nothing.

The scripts run as the production containers run them, with the same variables, pointed at
the test databases and storage. Dropping a database needs PostgreSQL's superuser: as
scripts/services.sh, through `runuser -u postgres -- psql` (the suite runs as root).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers
from ckanext.datastore.backend import postgres as datastore_backend
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import make_url

from ckanext.tgn.validation import reports
from tests.helpers import data, paths
from tests.helpers.session import PASSWORD, log_in
from tests.helpers.tables import DELIBERATIONS, VALID_CSV
from tests.helpers.validation import api_report, upload, work

BACKUP = paths.ROOT / "docker" / "backup.sh"
RESTORE = paths.ROOT / "docker" / "restore.sh"
BIN = Path(sys.executable).parent
DUMPS = ("ckan.dump", "datastore.dump", "storage.tar.gz")
DERIVED = "webassets"  # the file store's cache that CKAN rebuilds: neither saved nor restored


# --- running the scripts --------------------------------------------------------------------


def script_env(
    backups: Path, storage: Path | str | None = None, **overrides: str
) -> dict[str, str]:
    """The variables the production containers have, pointed at the test platform; nothing
    else inherited (no CKAN_INI: the test rebuilds the index itself, timed)."""
    env = {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "CKAN_SQLALCHEMY_URL": tk.config["sqlalchemy.url"],
        "CKAN_DATASTORE_WRITE_URL": tk.config["ckan.datastore.write_url"],
        "CKAN_STORAGE_PATH": str(storage or tk.config["ckan.storage_path"]),
        "BACKUP_DIR": str(backups),
    }
    return {**env, **overrides}


def run(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def backup(env: dict[str, str]) -> Path:
    """Run backup.sh; the complete backup folder it made."""
    done = run(BACKUP, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERREUR" not in done.stderr, done.stderr
    line = next(li for li in done.stdout.splitlines() if li.startswith("Sauvegarde terminée: "))
    folder = Path(line.removeprefix("Sauvegarde terminée: ").split(" (")[0])
    assert folder.is_dir() and (folder / "manifest.txt").is_file()
    return folder


def backups_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith(".verrou"))


# --- the platform's stores, as the tests compare them ---------------------------------------


def close_every_connection() -> None:
    """Close every connection this process holds to PostgreSQL: the pools of CKAN's engine,
    of the DataStore's read and write engines and of the fixtures, and the connection CKAN's
    own migration environment (ckan/migration/env.py) opens and never closes when the first
    reset of the session migrates the database. A DROP DATABASE would cut them (and their
    next use would fail), and restore.sh refuses to run while they are open."""
    model.Session.remove()
    objects = gc.get_objects()
    for connection in [o for o in objects if isinstance(o, sqlalchemy.engine.Connection)]:
        if not connection.closed:
            connection.close()
    for engine in [o for o in objects if isinstance(o, sqlalchemy.engine.Engine)]:
        engine.dispose()


def as_restarted() -> None:
    """What a restart of CKAN's processes does after a restore, in this process: no pooled
    connection, and the DataStore's cache of PostgreSQL types emptied. That cache maps type
    OIDs to names, and the restored `nested` type (JSON columns) has a new OID: a process
    that is not restarted answers datastore_search on such a table with an error."""
    close_every_connection()
    datastore_backend._pg_types.clear()
    datastore_backend._type_names.clear()


def database_state(url: str) -> dict[str, Any]:
    """Every row of every table, the sequences, and who owns and may read what."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:

            def rows(sql: str) -> list[str]:
                return sorted(str(row) for row in connection.execute(sqlalchemy.text(sql)))

            tables = connection.execute(
                sqlalchemy.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            sequences = connection.execute(
                sqlalchemy.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            return {
                # Rows as PostgreSQL writes them: no client-side type caster in between.
                "rows": {t: rows(f'SELECT r::text FROM "{t}" AS r') for t in list(tables)},
                "sequences": {s: rows(f'SELECT last_value, is_called FROM "{s}"')
                              for s in list(sequences)},
                "relations": rows(
                    "SELECT relname, relkind, pg_get_userbyid(relowner), relacl::text"
                    " FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                ),
                "functions": rows(
                    "SELECT proname, pg_get_userbyid(proowner), proacl::text"
                    " FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
                ),
                "default_privileges": rows(
                    "SELECT pg_get_userbyid(defaclrole), defaclnamespace::regnamespace::text,"
                    " defaclobjtype, defaclacl::text FROM pg_default_acl"
                ),
                "schema": rows(
                    "SELECT pg_get_userbyid(nspowner), nspacl::text FROM pg_namespace"
                    " WHERE nspname = 'public'"
                ),
            }  # fmt: skip
    finally:
        engine.dispose()


def files_state(storage: Path) -> dict[str, str]:
    """The file store: sha256 of every file (the derived cache aside)."""
    return {
        str(path.relative_to(storage)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(storage.rglob("*"))
        if path.is_file() and path.relative_to(storage).parts[0] != DERIVED
    }


def superuser_sql(script: str, port: int) -> None:
    assert os.geteuid() == 0, "dropping a test database needs PostgreSQL's superuser (root)"
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-p", str(port), "-X", "-q",
         "-v", "ON_ERROR_STOP=1"],
        input=script, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def recreate_databases() -> None:
    """Both test databases dropped and created again empty, with the owners and grants of
    scripts/services.sh (the DataStore's grants and view then come from the backup alone)."""
    main = make_url(tk.config["sqlalchemy.url"])
    store = make_url(tk.config["ckan.datastore.write_url"])
    close_every_connection()
    superuser_sql(
        f"""
        DROP DATABASE IF EXISTS "{main.database}" WITH (FORCE);
        CREATE DATABASE "{main.database}" OWNER "{main.username}" ENCODING 'UTF8'
            TEMPLATE template0;
        REVOKE CONNECT ON DATABASE "{main.database}" FROM PUBLIC;
        GRANT CONNECT ON DATABASE "{main.database}" TO "{main.username}";
        DROP DATABASE IF EXISTS "{store.database}" WITH (FORCE);
        CREATE DATABASE "{store.database}" OWNER "{store.username}" ENCODING 'UTF8'
            TEMPLATE template0;
        """,
        main.port or 5432,
    )


def empty_storage(storage: Path) -> None:
    for entry in storage.iterdir():
        if entry.name != DERIVED:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


@pytest.fixture
def databases_guard() -> Iterator[None]:
    """Should the test fail between the drop and a complete restore, the databases are left
    as the rest of the session needs them: CKAN's tables made again by the next reset, the
    DataStore's grants and view applied as scripts/services.sh applies them."""
    yield
    close_every_connection()
    store_url = tk.config["ckan.datastore.write_url"]
    reader = make_url(tk.config["ckan.datastore.read_url"]).username
    engine = sqlalchemy.create_engine(store_url)
    try:
        with engine.connect() as connection:
            readable = connection.execute(
                sqlalchemy.text(
                    "SELECT coalesce(has_table_privilege("
                    " :reader, to_regclass('public._table_metadata'), 'SELECT'), false)"
                ),
                {"reader": reader},
            ).scalar()
    finally:
        engine.dispose()
    if not readable:
        model.repo.tables_created_and_initialised = False  # the next reset creates them
        rendered = subprocess.run(
            [str(BIN / "ckan"), "-c", tk.config["__file__"], "datastore", "set-permissions"],
            capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        superuser_sql(rendered.stdout, make_url(store_url).port or 5432)


# --- the whole platform, lost and restored --------------------------------------------------


@pytest.fixture
def validation_settings(
    ckan_config: Any, monkeypatch: pytest.MonkeyPatch, table_server: str, served: Any
) -> None:
    """Validation reads the national schemas from the test table server."""
    settings = {
        "ckanext.tgn.validation.schema_catalog_url": f"{table_server}/sdgf/schemas.json",
        "ckanext.tgn.validation.allow_private_addresses": True,
    }
    for key, value in settings.items():
        monkeypatch.setitem(ckan_config, key, value)


def build_platform(app: Any) -> dict[str, Any]:
    """Two organisations, their members, public datasets and a private one, an uploaded
    table checked by the validation, and a DataStore table with an alias."""
    sysadmin = factories.Sysadmin(password=PASSWORD)
    montauban = data.organisation(title="CA Grand Montauban", siren="248200099", epci_nature="CA")
    moissac = data.organisation(title="CC Terres des Confluences")
    editor = data.member(
        montauban, "editor",
        factories.User(password=PASSWORD, fullname="Agente des assemblées",
                       email="assemblees@montauban.fr"),
    )  # fmt: skip
    admin = data.member(moissac, "admin", factories.User(email="dsi@moissac.fr"))
    data.member(moissac, "member", editor["user"])
    public = data.dataset(
        owner_org=montauban["id"], title="Délibérations 2025", tags=[{"name": "délibérations"}],
        resources=[{"url": "https://www.montauban.com/deliberations-2024.csv",
                    "name": "Délibérations 2024"}],
    )  # fmt: skip
    table = data.dataset(
        owner_org=moissac["id"], title="Population des communes",
        resources=[{"url": "https://www.moissac.fr/population.csv", "name": "Population"}],
    )  # fmt: skip
    grants = data.dataset(owner_org=moissac["id"], title="Subventions aux associations 2025")
    private = data.dataset(
        owner_org=montauban["id"], title="Brouillon des délibérations", private=True,
        resources=[{"url": "https://www.montauban.com/brouillon.csv"}],
    )  # fmt: skip
    uploaded = upload(app, editor, public["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS)
    work(uploaded["id"])
    table_id = table["resources"][0]["id"]
    helpers.call_action(
        "datastore_create", resource_id=table_id, force=True, primary_key="insee",
        aliases="population-82",
        fields=[{"id": "insee", "type": "text", "info": {"label": "Code INSEE"}},
                {"id": "commune", "type": "text"}, {"id": "habitants", "type": "int"},
                {"id": "recensement", "type": "date"}, {"id": "details", "type": "json"}],
        records=[{"insee": "82121", "commune": "Montauban", "habitants": 62945,
                  "recensement": "2021-01-01", "details": {"epci": "248200099"}},
                 {"insee": "82112", "commune": "Moissac", "habitants": 13419,
                  "recensement": "2021-01-01", "details": {"epci": None}}],
    )  # fmt: skip
    model.Session.remove()
    return {
        "sysadmin": sysadmin, "editor": editor, "admin": admin, "orgs": [montauban, moissac],
        "datasets": sorted(d["name"] for d in (public, table, grants, private)),
        "public": public, "private": private, "table_id": table_id,
        "uploaded": uploaded, "content": VALID_CSV,
    }  # fmt: skip


def platform_view(app: Any, built: dict[str, Any]) -> dict[str, Any]:
    """What the platform shows of that content, through its actions and pages."""
    sysadmin = {"user": built["sysadmin"]["name"]}
    datasets = {}
    for name in built["datasets"]:
        indexed = helpers.call_action("package_show", dict(sysadmin), id=name)
        stored = helpers.call_action("package_show", {**sysadmin, "use_cache": False}, id=name)
        datasets[name] = (indexed, stored)
    orgs = {
        org["name"]: helpers.call_action(
            "organization_show", dict(sysadmin), id=org["id"], include_users=True
        )
        for org in built["orgs"]
    }
    users = {
        user["name"]: helpers.call_action("user_show", dict(sysadmin), id=user["id"])
        for user in (built["sysadmin"], built["editor"]["user"], built["admin"]["user"])
    }
    hashes = {}
    for name in users:
        user = model.User.by_name(name)
        assert user is not None
        hashes[name] = user.password
    model.Session.remove()
    searched = helpers.call_action(
        "package_search", dict(sysadmin), q="*:*", rows=100, include_private=True,
        facet="true", **{"facet.field": ["organization"]},
    )  # fmt: skip
    anonymous = app.get("/api/3/action/package_search", query_string={"rows": 100}).json["result"]
    table = built["table_id"]
    dictionary = helpers.call_action("datastore_info", id=table)
    for physical in ("db_size", "idx_size", "size"):  # bytes on disk, not content
        dictionary["meta"].pop(physical)
    return {
        "datasets": datasets,
        "orgs": orgs,
        "users": users,
        "hashes": hashes,
        "search": (searched["count"], sorted(p["name"] for p in searched["results"]),
                   searched["search_facets"]),
        "anonymous_search": sorted(p["name"] for p in anonymous["results"]),
        "report": api_report(app, built["uploaded"]["id"]),
        "activity": helpers.call_action("package_activity_list", id=built["public"]["id"]),
        "datastore": app.get("/api/3/action/datastore_search",
                             query_string={"resource_id": table, "sort": "insee"}).json["result"],
        "alias": app.get("/api/3/action/datastore_search",
                         query_string={"resource_id": "population-82", "sort": "insee"}
                         ).json["result"]["records"],
        "dictionary": dictionary,
        "private_anonymous": app.get(f"/api/3/action/package_show?id={built['private']['id']}"
                                     ).status_code,
    }  # fmt: skip


def download(app: Any, resource: dict[str, Any]) -> Any:
    name = resource["url"].rsplit("/", 1)[-1]
    return app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}/download/{name}")


def read_role_sees(table: str) -> list[tuple[Any, ...]]:
    """The DataStore's read role, as datastore_search connects: the table and the view of
    table names CKAN checks a request against."""
    engine = sqlalchemy.create_engine(tk.config["ckan.datastore.read_url"])
    try:
        with engine.connect() as connection:
            names = connection.execute(
                sqlalchemy.text("SELECT name, alias_of FROM _table_metadata WHERE name NOT LIKE"
                                " '\\_%' ORDER BY name")
            ).all()  # fmt: skip
            count = connection.execute(sqlalchemy.text(f'SELECT count(*) FROM "{table}"')).scalar()
            with pytest.raises(sqlalchemy_exc.ProgrammingError, match="permission denied"):
                connection.execute(sqlalchemy.text(f'DELETE FROM "{table}"'))
            return [*map(tuple, names), ("rows", count)]
    finally:
        engine.dispose()


@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index", "validation_settings")
def test_nothing_is_lost_from_backup_to_restore(
    app: Any, tmp_path: Path, databases_guard: None
) -> None:
    helpers.call_action("job_clear", {"ignore_auth": True})
    storage = Path(tk.config["ckan.storage_path"])
    try:
        built = build_platform(app)
        before = platform_view(app, built)
        assert before["report"]["status"] == "valide"  # the harness proves itself: real content
        assert before["datastore"]["total"] == 2 and before["private_anonymous"] == 404
        assert len(before["search"][1]) == 4 and len(before["anonymous_search"]) == 3
        assert download(app, built["uploaded"]).get_data() == built["content"]
        stores = {
            "ckan": database_state(tk.config["sqlalchemy.url"]),
            "datastore": database_state(tk.config["ckan.datastore.write_url"]),
            "files": files_state(storage),
        }
        assert stores["datastore"]["rows"][built["table_id"]]
        assert any(path.startswith("resources/") for path in stores["files"])
        assert stores["ckan"]["rows"]["tgn_validation_report"]

        started = time.monotonic()
        folder = backup(script_env(tmp_path / "backups"))
        backed_up = time.monotonic() - started
        sizes = {name: (folder / name).stat().st_size for name in DUMPS}

        # Everything lost: both databases, the file store, the search index.
        recreate_databases()
        empty_storage(storage)
        search.clear_all()
        assert files_state(storage) == {}

        started = time.monotonic()
        restored = run(RESTORE, script_env(tmp_path / "backups"), "--yes", str(folder))
        restore_time = time.monotonic() - started
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "search-index rebuild" in restored.stdout  # the next step it leaves to do
        as_restarted()
        sysadmin = {"user": built["sysadmin"]["name"]}
        empty = helpers.call_action("package_search", dict(sysadmin), include_private=True)
        assert empty["count"] == 0  # the index is rebuilt from the database, not restored

        started = time.monotonic()
        rebuilt = subprocess.run(
            [str(BIN / "ckan"), "-c", tk.config["__file__"], "search-index", "rebuild"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        rebuild_time = time.monotonic() - started
        assert rebuilt.returncode == 0, rebuilt.stderr
        print(
            f"\nsauvegarde {backed_up:.2f} s ({', '.join(f'{k} {v} o' for k, v in sizes.items())})"
            f", restauration {restore_time:.2f} s, search-index rebuild {rebuild_time:.2f} s"
            f" ({len(built['datasets'])} jeux de données)"
        )

        # The stores, row for row and grant for grant, then what the platform shows.
        assert database_state(tk.config["sqlalchemy.url"]) == stores["ckan"]
        assert database_state(tk.config["ckan.datastore.write_url"]) == stores["datastore"]
        assert files_state(storage) == stores["files"]
        after = platform_view(app, built)
        for key in before:
            assert after[key] == before[key], key
        assert reports.ValidationReport.get(built["uploaded"]["id"]) is not None

        # The uploaded file, byte for byte, through the app; the private dataset still hidden.
        assert download(app, built["uploaded"]).get_data() == built["content"]
        assert app.get(f"/dataset/{built['private']['name']}").status_code == 404
        # The DataStore's read role: the restored table, its alias, the view, no writing.
        assert read_role_sees(built["table_id"]) == [
            (built["table_id"], None),
            ("population-82", built["table_id"]),
            ("rows", 2),
        ]
        # The write role's default grants came back too: a new table is readable at once.
        helpers.call_action(
            "datastore_create", resource_id=built["private"]["resources"][0]["id"], force=True,
            fields=[{"id": "n", "type": "int"}], records=[{"n": 1}],
        )  # fmt: skip
        fresh = helpers.call_action(
            "datastore_search", resource_id=built["private"]["resources"][0]["id"]
        )
        assert fresh["records"] == [{"_id": 1, "n": 1}]
        # Passwords and API tokens work as before.
        log_in(app, built["editor"]["user"])
        shown = app.get(
            "/api/3/action/package_show", query_string={"id": built["private"]["id"]},
            headers=built["editor"]["headers"],
        )  # fmt: skip
        assert shown.status_code == 200
    finally:
        helpers.call_action("job_clear", {"ignore_auth": True})


# --- what a restore refuses -------------------------------------------------------------------


def corrupt(path: Path) -> None:
    """One byte changed, in the middle of the file."""
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")
def test_a_restore_refuses_what_it_cannot_trust_and_changes_nothing(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    (storage / "resources" / "abc").mkdir(parents=True)
    (storage / "resources" / "abc" / "fichier").write_bytes(b"avant")
    org = data.organisation()
    kept = data.dataset(owner_org=org["id"])
    env = script_env(tmp_path / "backups", storage)
    folder = backup(env)
    later = data.dataset(owner_org=org["id"])
    (storage / "resources" / "abc" / "fichier").write_bytes("après".encode())
    (storage / "resources" / "nouveau").write_bytes("ajouté après la sauvegarde".encode())
    state = files_state(storage)

    damaged = tmp_path / "endommagee"
    shutil.copytree(folder, damaged)
    corrupt(damaged / "datastore.dump")
    partial = tmp_path / f"{folder.name}.partial"
    shutil.copytree(folder, partial)
    unsummed = tmp_path / "sans-somme"
    shutil.copytree(folder, unsummed)
    manifest = (unsummed / "manifest.txt").read_text()
    (unsummed / "manifest.txt").write_text(
        "".join(li for li in manifest.splitlines(True) if not li.endswith("  ckan.dump\n"))
    )

    refused = run(RESTORE, env, "--yes", str(damaged))
    assert refused.returncode == 1
    assert "datastore.dump: FAILED" in refused.stdout + refused.stderr
    assert "ERREUR: sauvegarde endommagée" in refused.stderr
    assert "rien n'a été modifié" in refused.stderr
    refused = run(RESTORE, env, "--yes", str(partial))
    assert refused.returncode == 1 and "sauvegarde inachevée (.partial)" in refused.stderr
    refused = run(RESTORE, env, "--yes", str(unsummed))
    assert refused.returncode == 1 and "ne donne pas la somme de ckan.dump" in refused.stderr
    unconfirmed = run(RESTORE, env, str(folder))
    assert unconfirmed.returncode == 2, unconfirmed.stderr
    assert "La sauvegarde est intacte" in unconfirmed.stdout
    assert "relancez avec --yes" in unconfirmed.stdout
    # The site still connected (the test's own session here): refused, nothing touched.
    engine = model.meta.engine
    assert engine is not None
    with engine.connect():
        model.Session.remove()
        refused = run(RESTORE, env, "--yes", str(folder))
    assert refused.returncode == 1, refused.stdout
    assert "autre(s) connexion(s) ouverte(s)" in refused.stderr

    assert helpers.call_action("package_show", id=later["id"])["id"] == later["id"]
    assert files_state(storage) == state
    model.Session.remove()

    # The intact backup, over the databases in use until now: back to the saved state.
    close_every_connection()
    restored = run(RESTORE, env, "--yes", str(folder))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    as_restarted()
    assert helpers.call_action("package_show", id=kept["id"])["id"] == kept["id"]
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("package_show", id=later["id"])
    assert files_state(storage) == {"resources/abc/fichier": hashlib.sha256(b"avant").hexdigest()}


# --- the backups kept -------------------------------------------------------------------------


def test_retention_keeps_the_newest_and_a_failed_backup_deletes_nothing(
    tmp_path: Path, ckan_config: Any
) -> None:
    storage = tmp_path / "storage"
    (storage / "storage" / "uploads").mkdir(parents=True)
    (storage / "storage" / "uploads" / "logo.png").write_bytes(b"\x89PNG")
    backups = tmp_path / "backups"
    env = script_env(backups, storage, BACKUP_KEEP="2")
    made = [backup(env).name for _ in range(3)]
    assert backups_in(backups) == sorted(made[1:]) == made[1:]
    manifests = {name: (backups / name / "manifest.txt").read_text() for name in made[1:]}
    for text in manifests.values():
        assert [li.split()[-1] for li in text.splitlines() if not li.startswith("#")] == list(DUMPS)

    wrong = make_url(ckan_config["ckan.datastore.write_url"]).set(password="pas-le-bon")
    failures = {
        "CKAN_DATASTORE_WRITE_URL": wrong.render_as_string(hide_password=False),
        "CKAN_STORAGE_PATH": str(tmp_path / "absent"),
        "BACKUP_KEEP": "0",
    }
    for name, value in failures.items():
        failed = run(BACKUP, {**env, name: value})
        assert failed.returncode == 1, name
        assert failed.stderr.startswith("ERREUR: "), failed.stderr
        assert backups_in(backups) == made[1:], name  # nothing new, nothing deleted
        assert {n: (backups / n / "manifest.txt").read_text() for n in made[1:]} == manifests
    assert (
        "les sauvegardes précédentes sont intactes"
        in run(
            BACKUP, {**env, "CKAN_DATASTORE_WRITE_URL": failures["CKAN_DATASTORE_WRITE_URL"]}
        ).stderr
    )

    with (backups / ".verrou").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = run(BACKUP, env)
    assert busy.returncode == 1 and "une autre sauvegarde est en cours" in busy.stderr
    assert backups_in(backups) == made[1:]
