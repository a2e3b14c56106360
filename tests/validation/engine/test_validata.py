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

from tests.helpers.engine_cases import CASES, FAILURES, G2, POINTS, SCHEMAS, csv_file, outcome_of
from tests.helpers.paths import ROOT

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


def _column(error: dict[str, Any]) -> str | None:
    """The blamed column. Validata's one-of-required, when the file has only the second of
    its two columns, points at that column's cell but names the first (absent) column: the
    cell it points at (its position in the header) is the one compared."""
    if error["type"] == "one-of-required" and error.get("label"):
        return error["label"]
    return error["column"] or None


def _cells(errors: list[dict[str, Any]]) -> set[tuple[int | None, str | None]]:
    """Blamed (row, column) pairs; the header is row 1 for us, no row for Validata."""
    return {
        (1 if e["row"] is None and e["type"] == "missing-label" else e["row"], _column(e))
        for e in errors
    }


def test_validata_installed_by_the_project() -> None:
    assert VALIDATA_PYTHON.exists(), "scripts/install.sh installs .cache/validata-venv"


def _schema_file(schema: dict[str, Any], folder: Path) -> Path:
    path = folder / "schema.json"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_case_is_compared() -> None:
    """Each case's schema is one of those the comparison runs (no case left out)."""
    assert all(any(c.schema is s for s in SCHEMAS.values()) for c in CASES)


@pytest.mark.parametrize("schema_name", list(SCHEMAS))
def test_same_verdicts_as_validata(schema_name: str, tmp_path: Path) -> None:
    """Valid or not, and which cells are blamed: as Validata says, case by case."""
    schema = SCHEMAS[schema_name]
    schema_path = _schema_file(schema, tmp_path)
    cases = [c for c in CASES if c.schema is schema]
    assert cases
    tables = {}
    for case in cases:
        folder = tmp_path / case.name
        folder.mkdir()
        tables[case.name] = case.make(folder)
    extra = []
    if schema_name == "deliberations-2.1.5":
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


def test_unknown_check_is_invalid_for_both(tmp_path: Path) -> None:
    """The comparison itself: Validata does call a table invalid for a typo in a check name."""
    schema = SCHEMAS["deliberations-2.1.5-faulty-checks"]
    case = next(c for c in CASES if c.schema is schema)
    table = case.make(tmp_path)
    theirs = _validata(_schema_file(schema, tmp_path), [table])[str(table)]
    assert theirs["valid"] is False
    assert sorted(e["type"] for e in theirs["errors"]) == ["check-error"] * 3
    ours = outcome_of(table, schema)
    assert [e["type"] for e in ours["errors"]] == ["check-error"] * 3


def test_refused_schema_gives_frictionless_reasons_as_validata(tmp_path: Path) -> None:
    """Each reason frictionless gives for refusing a schema, the ones Validata lists."""
    schema = {
        "fields": [
            {"name": "a", "type": "string", "format": "courriel"},
            {"name": "b", "type": "string", "format": "web"},
        ]
    }
    table = csv_file("table", [{"a": "x", "b": "y"}])(tmp_path)
    theirs = _validata(_schema_file(schema, tmp_path), [table])[str(table)]
    ours = outcome_of(table, schema)
    assert theirs["valid"] is False and ours["status"] == "erreur"
    reasons = ours["message"]["params"]["reasons"]
    assert len(reasons) == 2 and "'courriel'" in reasons[0] and "'web'" in reasons[1]
    assert sorted(e["message"] for e in theirs["errors"]) == sorted(
        f"Field is not valid: {r}" for r in reasons
    )


def test_validata_cannot_run_coordonnees_gps_francaises(tmp_path: Path) -> None:
    """Known Validata 0.12.5 defect, checked so an upgrade that fixes it shows up here: it
    calls frformat's two-argument check with one value, so any filled cell ends in an
    internal error. Ours checks the point; the invalid points agree (the case above)."""
    table = csv_file("points", [POINTS[0], POINTS[3]])(tmp_path)
    theirs = _validata(_schema_file(G2, tmp_path), [table])[str(table)]
    assert theirs["valid"] is False
    assert [e["type"] for e in theirs["errors"]] == ["error"]
    assert "missing 1 required positional argument" in theirs["errors"][0]["message"]
    assert outcome_of(table, G2)["status"] == "valide"
