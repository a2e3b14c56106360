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


_SIRETS = [
    "24820009900013", "24820009900014", "248 200 099 00013", "248.200.099.00013",
    "2482000990001", "35600000000048", "35600000049837", "35600000049838", "ABCDEFGHIJKLMN",
    "21820112700014", "77568098600012", "00000000000000", " 24820009900013",
]  # fmt: skip
_SIRENS = ["200061257", "200061258", "200 061 257", "200.061.257", "20006125", "000000000", "x"]
_ACTES = [
    "Finances locales/Décisions budgétaires", "FINANCES LOCALES/Budget", "Finances locales",
    "Finances locales /Budget", "Finances locales/ Budget", "Finances/Budget",
    "Libertes publiques et pouvoirs de police/Police", "commande publique/marchés",
    "Autres domaines de compétences/x/y", " Urbanisme/PLU",
]  # fmt: skip


def test_our_siret_siren_and_actes_rules_give_frformats_verdicts() -> None:
    """Validata takes these three from frformat (the version we pin); ours are faster and
    say what is wrong, and must agree value by value."""
    import frformat

    siret, siren, actes = frformat.Siret(), frformat.Siren(), frformat.NomenclatureActe()
    assert [checks.siret_is_valid(v) for v in _SIRETS] == [siret.is_valid(v) for v in _SIRETS]
    ours = [checks.SirenCheck(name="siren", column="x").problem(v) is None for v in _SIRENS]
    assert ours == [siren.is_valid(v) for v in _SIRENS]
    assert [checks.nomenclature_actes_problem(v) is None for v in _ACTES] == [
        actes.is_valid(v) for v in _ACTES
    ]
    assert not all(siret.is_valid(v) for v in _SIRETS)  # the lists include refusals


def test_check_names_of_frformat() -> None:
    """The names Validata derives from frformat's classes, as the schemas spell them."""
    names = set(checks._frformat_classes())
    assert {"code-commune-insee", "code-pays-iso2", "coordonnees-gps-francaises"} <= names
    assert "code-ommune-insee" not in names


def test_field_level_checks_are_read_after_the_top_level_ones() -> None:
    schema = {
        "fields": [
            {"name": "a", "type": "string", "customCheck": "siren"},
            {"name": "b", "type": "string", "customCheck": {"name": "commune", "cog": "2024"}},
            {"name": "c", "type": "string", "customCheck": 3},
        ],
        "custom_checks": [{"name": "phone-number-value", "params": {"column": "c"}}],
    }
    specs, malformed = checks.check_specs(schema)
    assert specs == [
        checks.CheckSpec("phone-number-value", "c", {"column": "c"}),
        checks.CheckSpec("siren", "a", {}, field="a"),
        checks.CheckSpec("commune", "b", {"cog": "2024"}, field="b"),
    ]
    assert malformed == [{"name": "3", "reason": "malformed", "field": "c"}]
