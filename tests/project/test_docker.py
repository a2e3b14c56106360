"""The production image stays in step with what the tests run.

No Docker engine runs here; `make lint` checks the syntax (hadolint, shellcheck). These tests
check the facts a build would only reveal in production: same pins, same platform options,
files that exist, environment variables that CKAN really reads; and docker/compose.yaml as the
loader of `docker compose` (compose-go, scripts/compose_check.sh) reads it: every process, the
order of start, health checks, volumes, what is published, where each password goes. The
configuration the image writes at start-up is compared with the local one in
test_docker_init.py (services tier: it runs the real init on new databases).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from ckan.config.environment import CONFIG_FROM_ENV_VARS

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.unit

DOCKER = ROOT / "docker"


def _dockerfile() -> str:
    return (DOCKER / "Dockerfile").read_text(encoding="utf-8")


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def test_image_installs_the_pinned_requirements_file():
    dockerfile = _dockerfile()
    assert "COPY requirements.txt" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    # No package is pinned a second time, differently, in the Dockerfile itself.
    pinned_here = set(re.findall(r"\b([A-Za-z][\w.-]+)==", dockerfile))
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    pinned_in_requirements = set(
        re.findall(r"^([A-Za-z][\w.-]+)(?:\[\w+\])?==", requirements, re.M)
    )
    assert not pinned_here & pinned_in_requirements


def test_every_file_the_image_copies_exists():
    # A COPY may go on over several lines (backslash at the end of a line).
    instructions = re.sub(r"\\\n\s*", " ", _dockerfile()).splitlines()
    copies = [line for line in instructions if line.startswith("COPY") and "--from=" not in line]
    assert any("docker/restore.sh" in line for line in copies)  # the continuation was read
    for line in copies:
        *sources, _dest = line.split()[1:]
        for source in sources:
            assert (ROOT / source).exists(), f"{source} is copied but missing"


def test_image_merges_the_same_platform_options_as_the_site_and_tests():
    entrypoint = (DOCKER / "entrypoint.sh").read_text(encoding="utf-8")
    assert 'APP_DIR="${TGN_APP_DIR:-/srv/app}"' in entrypoint
    assert '-f "$APP_DIR/platform.ini"' in entrypoint
    joined = re.sub(r"\\\n\s*", " ", _dockerfile())
    assert re.search(r"^COPY platform\.ini .*/srv/app/$", joined, re.M)
    assert entrypoint.index("platform.ini") < entrypoint.index("production.ini")
    assert "use = config:platform.ini" in (ROOT / "test.ini").read_text()
    assert "platform.ini" in (ROOT / "scripts" / "site.sh").read_text()


def test_compose_passes_only_variables_that_ckan_reads():
    compose = _compose()
    env = compose["services"]["ckan"]["environment"]
    known = set(CONFIG_FROM_ENV_VARS.values())
    for name in env:
        assert name in known, f"CKAN does not read {name}"
    for required in ("CKAN_SQLALCHEMY_URL", "CKAN_SOLR_URL", "CKAN_REDIS_URL", "CKAN_SITE_URL"):
        assert required in env


# --- docker/compose.yaml, loaded by compose-go (scripts/compose_check.sh) ---------------------

COMPOSE_CHECK = ROOT / "scripts" / "compose_check.sh"
SECRETS = ("POSTGRES_PASSWORD", "DATASTORE_ADMIN_PASSWORD", "DATASTORE_WRITE_PASSWORD",
           "DATASTORE_READONLY_PASSWORD")  # fmt: skip
# Every process of the platform; `restore` only with its profile.
SERVICES = {"init", "ckan", "worker", "harvest-gather", "harvest-fetch", "scheduler", "restore",
            "proxy", "db", "datastore-db", "redis", "solr"}  # fmt: skip
IMAGE_SERVICES = {"init", "ckan", "worker", "harvest-gather", "harvest-fetch", "scheduler",
                  "restore"}  # fmt: skip


def _example_env() -> dict[str, str]:
    values = {}
    for line in (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _check(tmp_path, values: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return subprocess.run(
        [str(COMPOSE_CHECK), "--env-file", str(env_file), str(DOCKER / "compose.yaml")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    """The project as `docker compose config` normalises it, with .env.example's settings and
    a password for each secret (the only values it leaves empty on purpose)."""
    values = {**_example_env(), **{name: f"mot-de-passe-{name.lower()}" for name in SECRETS}}
    run = _check(tmp_path_factory.mktemp("compose"), values)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_compose_runs_every_process_of_the_platform(project):
    services = project["services"]
    assert set(services) == SERVICES
    commands = {name: services[name].get("command") for name in IMAGE_SERVICES}
    assert commands["init"] == ["init"]
    assert commands["worker"] == ["ckan", "jobs", "worker"]
    assert commands["harvest-gather"] == ["ckan", "harvester", "gather-consumer"]
    assert commands["harvest-fetch"] == ["ckan", "harvester", "fetch-consumer"]
    assert commands["scheduler"] == ["python", "/srv/app/scheduler.py"]
    assert commands["ckan"] is None  # the image's gunicorn
    assert "gunicorn" in _dockerfile().rsplit("CMD", 1)[1]
    assert services["restore"]["profiles"] == ["restore"]
    for name in IMAGE_SERVICES:
        assert services[name]["image"] == "ckanext-tgn:latest"
        assert services[name]["build"]["context"] == str(ROOT)


def test_compose_starts_in_order_and_checks_health(project):
    services = project["services"]
    for name in IMAGE_SERVICES - {"init", "restore"}:
        depends = services[name]["depends_on"]
        assert depends["init"]["condition"] == "service_completed_successfully", name
        for backing in ("db", "datastore-db", "redis", "solr"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
    assert "init" not in services["restore"]["depends_on"]
    assert services["proxy"]["depends_on"]["ckan"]["condition"] == "service_healthy"
    for name in ("ckan", "proxy", "db", "datastore-db", "redis", "solr"):
        assert services[name]["healthcheck"]["test"], name
        assert not services[name]["healthcheck"].get("disable"), name
    assert services["init"]["restart"] == "no"
    for name in SERVICES - {"init", "restore"}:
        assert services[name]["restart"] == "unless-stopped", name


def test_compose_publishes_only_the_proxy_and_pins_every_image(project):
    services = project["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {(p["target"], p["published"]) for p in services["proxy"]["ports"]} == {
        (80, "80"),
        (443, "443"),
    }
    for name, service in services.items():
        if "build" in service:
            context = Path(service["build"]["context"])
            assert (context / service["build"]["dockerfile"]).is_file(), name
        else:
            image = service["image"]
            assert ":" in image and not image.endswith(":latest"), f"{name}: unpinned {image}"
    assert services["proxy"]["build"]["context"] == str(DOCKER / "proxy")


def _volumes(service: dict) -> dict[str, dict]:
    return {volume["target"]: volume for volume in service.get("volumes", [])}


def test_compose_keeps_what_must_survive_in_volumes(project):
    services = project["services"]
    assert _volumes(services["db"])["/var/lib/postgresql/data"]["source"] == "pg-data"
    assert _volumes(services["datastore-db"])["/var/lib/postgresql/data"]["source"] == (
        "datastore-data"
    )
    assert _volumes(services["redis"])["/data"]["source"] == "redis-data"
    assert "--appendonly" in services["redis"]["command"]
    assert _volumes(services["solr"])["/var/solr"]["source"] == "solr-data"
    for name in IMAGE_SERVICES:
        volumes = _volumes(services[name])
        assert volumes["/srv/app/config"]["source"] == "ckan-config", name
        assert volumes["/var/lib/ckan"]["source"] == "ckan-storage", name
    # The scheduler backs the file store up and never writes it; restore reads the backups.
    assert _volumes(services["scheduler"])["/var/lib/ckan"].get("read_only") is True
    assert _volumes(services["scheduler"])["/var/backups/ckan"]["source"] == "backups"
    assert not _volumes(services["restore"])["/var/lib/ckan"].get("read_only")
    assert _volumes(services["restore"])["/var/backups/ckan"].get("read_only") is True
    assert set(project["volumes"]) == {"ckan-config", "ckan-storage", "backups", "pg-data",
                                       "datastore-data", "redis-data", "solr-data"}  # fmt: skip


def test_compose_gives_each_password_only_where_it_is_used(project):
    services = project["services"]
    admin = "mot-de-passe-datastore_admin_password"
    holders = {
        name for name, service in services.items()
        if any(admin in str(value) for value in (service.get("environment") or {}).values())
    }  # fmt: skip
    assert holders == {"init", "datastore-db"}  # the DataStore server's superuser
    ckan_env = services["ckan"]["environment"]
    assert ckan_env["CKAN_DATASTORE_WRITE_URL"].startswith("postgresql://datastore_rw:")
    assert ckan_env["CKAN_DATASTORE_READ_URL"].startswith("postgresql://datastore_ro:")
    assert "@datastore-db/" in ckan_env["CKAN_DATASTORE_READ_URL"]
    assert "@db/" in ckan_env["CKAN_SQLALCHEMY_URL"]


def test_compose_refuses_to_start_without_a_password(tmp_path):
    values = {**_example_env(), **{name: "x" for name in SECRETS}}
    values["POSTGRES_PASSWORD"] = ""
    run = _check(tmp_path, values)
    assert run.returncode == 1
    assert "set POSTGRES_PASSWORD in docker/.env" in run.stderr


def test_env_example_lists_every_setting_and_no_secret():
    compose = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", compose))
    example = _example_env()
    assert used == set(example), "compose.yaml and .env.example disagree"
    for name, value in example.items():
        if "PASSWORD" in name:
            assert value == "", f"{name} has a value in .env.example"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "docker/.env" in ignored
