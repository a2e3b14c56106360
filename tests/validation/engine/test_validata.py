"""Validata (validata-table, the national reference) gives the engine's verdict on each case.

The engine's cases (tests/helpers/engine_cases.py) go through Validata in its own virtualenv;
verdict and blamed cells must be the same.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.engine_cases import CASES, FAILURES, outcome_of
from tests.helpers.paths import ROOT
from tests.helpers.tables import DELIBERATIONS_SCHEMA, SUBVENTIONS_SCHEMA

pytestmark = pytest.mark.unit


VALIDATA_PYTHON = ROOT / ".cache" / "validata-venv" / "bin" / "python"


def _validata(schema_path: Path, tables: list[Path]) -> dict[str, dict[str, Any]]:
    result = subprocess.run(
        [str(VALIDATA_PYTHON), str(ROOT / "scripts" / "validata_check.py"), str(schema_path)]
        + [str(t) for t in tables],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    verdicts = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {v["table"]: v for v in verdicts}


def _located(verdict: dict[str, Any]) -> bool:
    """Whether Validata said where: it raises on a short row, and reports duplicate columns
    as frictionless' untyped "error" without a place; those are verdicts without cells."""
    return "refused" not in verdict and not (
        verdict["errors"] and all(e["type"] == "error" for e in verdict["errors"])
    )


def _cells(errors: list[dict[str, Any]]) -> set[tuple[int | None, str | None]]:
    """Blamed (row, column) pairs; the header is row 1 for us, no row for Validata."""
    return {
        (1 if e["row"] is None and e["type"] == "missing-label" else e["row"], e["column"] or None)
        for e in errors
    }


def test_validata_installed_by_the_project() -> None:
    assert VALIDATA_PYTHON.exists(), "scripts/install.sh installs .cache/validata-venv"


@pytest.mark.parametrize("schema_path", [DELIBERATIONS_SCHEMA, SUBVENTIONS_SCHEMA])
def test_same_verdicts_as_validata(schema_path: Path, tmp_path: Path) -> None:
    """Valid or not, and which cells are blamed: as Validata says, case by case."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cases = [c for c in CASES if c.schema == schema]
    tables = {}
    for case in cases:
        folder = tmp_path / case.name
        folder.mkdir()
        tables[case.name] = case.make(folder)
    extra = []
    if schema_path == DELIBERATIONS_SCHEMA:
        for name, make, _code in FAILURES:
            folder = tmp_path / name
            folder.mkdir()
            extra.append(make(folder))
    verdicts = _validata(schema_path, list(tables.values()) + extra)
    disagreements = []
    for case in cases:
        ours = outcome_of(tables[case.name], schema)
        theirs = verdicts[str(tables[case.name])]
        if (ours["status"] == "valide") != theirs["valid"]:
            disagreements.append((case.name, ours["status"], theirs))
        elif _located(theirs) and _cells(ours["errors"]) != _cells(theirs["errors"]):
            disagreements.append((case.name, sorted(_cells(ours["errors"]), key=str), theirs))
    for path in extra:
        ours = outcome_of(path, schema)
        if verdicts[str(path)]["valid"] or ours["status"] == "valide":
            disagreements.append((path.name, ours["status"], verdicts[str(path)]))
    assert disagreements == [], json.dumps(disagreements, ensure_ascii=False, indent=1, default=str)
