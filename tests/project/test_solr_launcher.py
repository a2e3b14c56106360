"""The Solr launcher fails loudly: services.sh relies on its exit code and SOLR_FAILED lines.

JettySolrRunner.start() succeeds even when a core cannot load; our launcher must not.
These tests run the real launcher (built by scripts/services.sh) on a scratch Solr home.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

SOLR = ROOT / "scripts" / "solr"
CLASSPATH = f"{SOLR / 'target' / 'classes'}:{SOLR / 'target' / 'lib' / '*'}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(home: Path, port: int, *cores: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *("java", "-Xmx256m", "-Dsolr.log.level=ERROR", f"-Dsolr.log.dir={home}"),
            *("-cp", CLASSPATH, "SolrLauncher", str(home), str(port), *cores),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def solr_home(tmp_path: Path) -> Path:
    assert (SOLR / "target" / "classes" / "SolrLauncher.class").exists(), (
        "launcher not built: run scripts/services.sh start solr"
    )
    (tmp_path / "solr.xml").write_text("<solr></solr>\n")
    return tmp_path


def test_a_core_that_fails_to_load_makes_the_launcher_exit_non_zero(solr_home: Path):
    conf = solr_home / "broken" / "conf"
    conf.mkdir(parents=True)
    (solr_home / "broken" / "core.properties").write_text("name=broken\n")
    (conf / "solrconfig.xml").write_text("<config><luceneMatchVersion>9.12</luceneMatchVersion>")

    result = _launch(solr_home, _free_port(), "broken")

    assert result.returncode == 1
    assert "SOLR_FAILED core broken" in result.stderr
    assert "SOLR_READY" not in result.stdout


def test_a_missing_core_makes_the_launcher_exit_non_zero(solr_home: Path):
    result = _launch(solr_home, _free_port(), "ckan")

    assert result.returncode == 1
    assert "SOLR_FAILED core not loaded: ckan" in result.stderr


def test_a_taken_port_is_reported_at_once(solr_home: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _launch(solr_home, port, "ckan")

    assert result.returncode == 1
    assert f"SOLR_FAILED could not start on 127.0.0.1:{port}" in result.stderr
