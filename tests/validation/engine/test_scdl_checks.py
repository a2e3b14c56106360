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


def test_an_alias_runs_its_checks_rule_under_the_name_the_schema_wrote() -> None:
    def built(name: str) -> checks._SchemaCheck:
        [check], faults = checks.build_checks(
            {"fields": [], "custom_checks": [{"name": name, "params": {"column": "x"}}]}
        )
        assert faults == []
        return check

    for alias, canonical in checks.ALIASES.items():
        assert (built(alias).name, built(canonical).name) == (alias, canonical)
        assert type(built(alias)) is type(built(canonical))
    gps, frformat_gps = built("french-gps-coordinates"), built("coordonnees-gps-francaises")
    assert isinstance(gps, checks.FrenchGpsCheck) and gps.detect_reversed
    assert isinstance(frformat_gps, checks.FrenchGpsCheck) and not frformat_gps.detect_reversed


def test_rules_get_the_value_as_frictionless_read_it() -> None:
    """Text rules take a number's digits; yes/no rules on text refuse a number."""
    assert checks.SiretCheck(name="siret", column="x").problem(24820009900013) is None
    assert checks.SirenCheck(name="siren", column="x").problem(200061258) == {"rule": "siren"}
    year = checks.YearIntervalCheck(name="y", column="x", allow_year_only=True)
    assert year.problem(2024) is None
    actes = checks.NomenclatureActesCheck(name="n", column="x")
    assert actes.problem("Finances locales/Budget") is None
    assert actes.problem(" Finances /Budget") == {"problem": "unknown-prefix", "prefix": "Finances"}
    phone = checks.TextRuleCheck(name="p", column="x", rule=checks.phone_number_is_valid)
    assert phone.problem("0563221200") is None
    assert phone.problem(563221200) == {}


def test_the_header_is_read_once_and_rows_it_rules_out_are_skipped(tmp_path: Path) -> None:
    """A check whose columns are absent reads no row; the cell to blame is chosen once."""
    schema = {
        "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}],
        "custom_checks": [
            {"name": "phone-number-value", "params": {"column": "absent"}},
            {"name": "compare-columns-value", "params": {"column": "a", "op": "<", "column2": "z"}},
            {"name": "one-of-required", "params": {"column1": "b", "column2": "c"}},
        ],
    }
    path = raw_file("header", b"a;b\r\nx;\r\ny;1\r\nz;\r\n")(tmp_path)
    outcome = outcome_of(path, schema)
    assert triples(outcome) == [("one-of-required", 2, "b"), ("one-of-required", 4, "b")]
    assert outcome["unchecked"] == []
