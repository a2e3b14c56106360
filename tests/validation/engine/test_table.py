"""The table engine on tables made here: exact errors per case, files it cannot read, limits.

Pure engine (no CKAN request): a local file and a schema of ../shared in, an outcome out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.tgn.validation.engine import validate_table
from tests.helpers.engine_cases import (
    CASES,
    FAILURES,
    ROWS3,
    Case,
    D,
    csv_file,
    outcome_of,
    raw_file,
    triples,
)
from tests.helpers.tables import DELIBERATION_COLUMNS, csv_bytes, deliberation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_exact_errors(case: Case, tmp_path: Path) -> None:
    outcome = outcome_of(case.make(tmp_path), case.schema)
    assert outcome["status"] == case.status, outcome
    assert sorted(triples(outcome), key=str) == sorted(case.errors, key=str)
    assert outcome["error_count"] == len(case.errors)
    assert outcome["truncated"] is False
    for key, value in case.info.items():
        assert outcome["info"][key] == value, key
    assert set(case.warnings) <= {w["type"] for w in outcome["warnings"]}
    assert outcome["unchecked"] == []


@pytest.mark.parametrize("name,make,code", FAILURES, ids=[f[0] for f in FAILURES])
def test_unreadable_files_are_errors_not_crashes(name: str, make, code: str, tmp_path) -> None:
    outcome = outcome_of(make(tmp_path), D)
    assert outcome["status"] == "erreur"
    assert outcome["message"]["code"] == code
    assert outcome["errors"] == []


def test_error_limit_is_exact_up_to_it(tmp_path: Path) -> None:
    rows = [deliberation(n, COLL_SIRET="24820009900014") for n in range(1, 31)]
    path = csv_file("limite", rows)(tmp_path)
    capped = outcome_of(path, D, error_limit=10)
    assert capped["status"] == "invalide"
    assert capped["error_count"] == 10 and capped["truncated"] is True
    assert [e["row"] for e in capped["errors"]] == list(range(2, 12))
    whole = outcome_of(path, D, error_limit=30)
    assert whole["error_count"] == 30
    everything = outcome_of(path, D, error_limit=1000)
    assert everything["error_count"] == 30 and everything["truncated"] is False
    assert everything["counts"] == {"french-siret-value": 30}


def test_time_limit_stops_a_long_validation(tmp_path: Path) -> None:
    path = csv_file("long", [deliberation(n) for n in range(1, 3000)])(tmp_path)
    outcome = validate_table(path, D, error_limit=1000, time_limit=0.001).to_dict()
    assert outcome["status"] == "erreur"
    assert outcome["message"] == {"code": "time-limit", "params": {"seconds": 0}}
    assert validate_table(path, D, error_limit=1000, time_limit=60).status == "valide"


def test_unknown_custom_check_is_reported_not_ignored(tmp_path: Path) -> None:
    schema = dict(
        D,
        custom_checks=[
            *D["custom_checks"],
            {"name": "check-inconnu", "params": {}},
            {"name": "sum-columns-value", "params": {"column": 3}},
        ],
    )
    outcome = outcome_of(csv_file("valide", ROWS3)(tmp_path), schema)
    assert outcome["status"] == "valide"
    assert outcome["unchecked"] == [
        {"name": "check-inconnu", "reason": "unknown"},
        {"name": "sum-columns-value", "reason": "bad-params", "param": "column"},
    ]


def test_schema_that_is_not_a_table_schema(tmp_path: Path) -> None:
    outcome = outcome_of(csv_file("valide", ROWS3)(tmp_path), {"type": "object"})
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "schema-invalid"


def test_utf16_is_an_encoding_to_change(tmp_path: Path) -> None:
    path = raw_file("unicode", csv_bytes(ROWS3).decode().encode("utf-16"))(tmp_path)
    outcome = outcome_of(path, D)
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "utf-16"


def test_many_extra_columns_give_a_bounded_list_of_warnings(tmp_path: Path) -> None:
    columns = DELIBERATION_COLUMNS + [f"EN_PLUS_{n}" for n in range(200)]
    outcome = outcome_of(csv_file("larges", ROWS3, columns)(tmp_path), D)
    assert outcome["status"] == "valide"
    assert len(outcome["warnings"]) == 51
    assert outcome["warnings"][-1] == {"type": "more-warnings", "count": 150}
