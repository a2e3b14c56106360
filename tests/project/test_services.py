"""scripts/services.sh explains what is wrong in one line and exits non-zero.

The real services keep running on their usual ports; these tests point the script at other
ports (TGN_*_PORT) that a socket of the test holds, so nothing real is stopped or started.
"""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.helpers.paths import ROOT


def _services(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "services.sh"), *args],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("service", "variable"), [("redis", "TGN_REDIS_PORT"), ("solr", "TGN_SOLR_PORT")]
)
def test_a_port_taken_by_another_program_is_reported_in_one_line(service, variable):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = _services("start", service, **{variable: str(port)})

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"ERREUR: {service}: le port {port} est déjà pris par un autre programme "
        f"(ss -ltnp 'sport = :{port}'); arrêtez-le puis relancez."
    ]


@pytest.mark.unit
def test_an_unknown_service_is_refused():
    result = _services("start", "mysql")
    assert result.returncode == 1
    assert "service inconnu: mysql" in result.stderr


def test_status_reports_the_running_services():  # the real services, so not a unit test
    result = _services("status")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "postgres: en marche" in result.stdout
    assert "redis: en marche" in result.stdout
    assert "solr: en marche" in result.stdout
