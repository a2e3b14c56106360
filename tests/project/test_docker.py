"""The production image stays in step with what the tests run.

No Docker engine runs here; `make lint` checks the syntax (hadolint, shellcheck). These tests
check the facts a build would only reveal in production: same pins, same platform options,
files that exist, environment variables that CKAN really reads, nothing published openly.
"""

from __future__ import annotations

import re

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
    for line in _dockerfile().splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"{source} is copied but missing"


def test_image_merges_the_same_platform_options_as_the_site_and_tests():
    entrypoint = (DOCKER / "entrypoint.sh").read_text(encoding="utf-8")
    assert "-f /srv/app/platform.ini" in entrypoint
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


def test_compose_pins_images_and_publishes_only_on_loopback():
    services = _compose()["services"]
    for name, service in services.items():
        image = service.get("image", "")
        if "build" in service:
            context = (DOCKER / service["build"]["context"]).resolve()
            assert context == ROOT
            assert (context / service["build"]["dockerfile"]).is_file()
        else:
            assert ":" in image and not image.endswith(":latest"), f"{name}: unpinned {image}"
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert "ports" not in services["db"] and "ports" not in services["solr"]
