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


def test_faulty_custom_checks_make_the_table_invalid_and_name_the_schema(tmp_path: Path) -> None:
    """A check the schema names but that cannot run is the schema's fault, and the table is
    invalid for it (Validata's verdict); the rest of the file is still checked."""
    schema = dict(
        D,
        custom_checks=[
            *D["custom_checks"],
            {"name": "check-inconnu", "params": {}},
            {"name": "sum-columns-value", "params": {"column": 3}},
            {"name": "code-commune-insee", "params": {"column": "COLL_NOM", "cog": "1999"}},
            {"name": "siren"},
        ],
    )
    rows = [deliberation(1), deliberation(2, COLL_SIRET="24820009900014")]
    outcome = outcome_of(csv_file("invalide", rows)(tmp_path), schema)
    assert outcome["status"] == "invalide"
    assert [(e["type"], e["row"], e["column"], e["params"]) for e in outcome["errors"]] == [
        ("check-error", None, None, {"name": "sum-columns-value", "reason": "bad-params",
                                     "param": "column"}),
        ("check-error", None, None, {"name": "siren", "reason": "malformed"}),
        ("check-error", None, None, {"name": "check-inconnu", "reason": "unknown"}),
        ("check-error", None, None, {"name": "code-commune-insee", "reason": "bad-params",
                                     "param": "cog"}),
        ("french-siret-value", 3, "COLL_SIRET", {"rule": "siret"}),
    ]  # fmt: skip
    assert outcome["unchecked"] == []
    valid = outcome_of(csv_file("valide", ROWS3)(tmp_path), D)
    assert valid["status"] == "valide" and valid["errors"] == []


def test_field_level_custom_check_names_its_field(tmp_path: Path) -> None:
    fields = [dict(f, customCheck="code-ommune-insee") if f["name"] == "COLL_NOM" else f
              for f in D["fields"]]  # fmt: skip
    outcome = outcome_of(csv_file("valide", ROWS3)(tmp_path), dict(D, fields=fields))
    assert outcome["status"] == "invalide"
    assert outcome["errors"] == [
        {"type": "check-error", "row": None, "column": None, "value": None,
         "params": {"name": "code-ommune-insee", "reason": "unknown", "field": "COLL_NOM"}}
    ]  # fmt: skip


def test_schema_that_is_not_a_table_schema(tmp_path: Path) -> None:
    outcome = outcome_of(csv_file("valide", ROWS3)(tmp_path), {"type": "object"})
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "schema-invalid"


def test_refused_schema_lists_each_of_frictionless_reasons(tmp_path: Path) -> None:
    fields = [
        dict(f, format="jour") if f["name"] == "DELIB_DATE" else
        dict(f, format="lien") if f["name"] == "DELIB_URL" else f
        for f in D["fields"]
    ]  # fmt: skip
    outcome = outcome_of(csv_file("valide", ROWS3)(tmp_path), dict(D, fields=fields))
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "schema-invalid"
    reasons = outcome["message"]["params"]["reasons"]
    assert len(reasons) == 2, reasons
    assert "'lien' is not one of" in reasons[1] and "at property 'format'" in reasons[1]
    assert "descriptor is not valid" not in outcome["message"]["params"]["detail"]


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
