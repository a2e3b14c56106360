"""The SCDL custom checks: their rules value by value, and a rule that breaks stops alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.tgn.validation.engine import scdl_checks as checks
from tests.helpers.engine_cases import outcome_of, raw_file, triples

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value,valid",
    [
        ("24820009900013", True),
        ("24820009900014", False),
        ("248 200 099 00013", True),  # python-stdnum's compaction, as Validata
        ("2482000990001", False),
        ("35600000000048", True),  # La Poste's head office
        ("35600000049837", True),  # a La Poste establishment: digit sum multiple of 5
        ("35600000049838", False),
        ("ABCDEFGHIJKLMN", False),
    ],
)
def test_siret_rule(value: str, valid: bool) -> None:
    assert checks.siret_is_valid(value) is valid


@pytest.mark.parametrize(
    "value,problem",
    [
        ("Finances locales/Décisions budgétaires", None),
        ("FINANCES LOCALES/Budget", None),
        ("Libertes publiques et pouvoirs de police/Police", None),
        ("Finances locales", "missing-slash"),
        ("Finances locales /Budget", "space-around-slash"),
        ("Finances locales/ Budget", "space-around-slash"),
        ("Finances/Budget", "unknown-prefix"),
    ],
)
def test_nomenclature_actes_rule(value: str, problem: str | None) -> None:
    assert checks.nomenclature_actes_problem(value) == problem


def test_a_rule_that_breaks_stops_alone(tmp_path: Path) -> None:
    """NaN is a number to frictionless; comparing it must not sink the file."""
    schema = {
        "fields": [
            {"name": "a", "type": "number"},
            {"name": "b", "type": "string"},
            {"name": "c", "type": "number"},
        ],
        "custom_checks": [
            {
                "name": "compare-columns-value",
                "params": {"column": "a", "op": "<=", "column2": "c"},
            },
            {"name": "sum-columns-value", "params": {"column": "b", "columns": ["b"]}},
        ],
    }
    path = raw_file("nan", b"a;b;c\r\n1;x;NaN\r\n5;y;3\r\n")(tmp_path)
    outcome = outcome_of(path, schema)
    assert outcome["status"] == "invalide"
    assert triples(outcome) == [
        ("compare-columns-value", 2, "a"),  # not comparable
        ("compare-columns-value", 3, "a"),  # 5 > 3
    ]
    assert outcome["errors"][0]["params"]["problem"] == "not-comparable"
    assert outcome["unchecked"] == [{"name": "sum-columns-value", "reason": "failed", "row": 2}]
