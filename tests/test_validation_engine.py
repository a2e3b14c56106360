"""The validator on tables made here: exact errors per case, and Validata's verdict on each.

Pure engine (no CKAN request): a local file and a schema of ../shared in, an outcome out.
The same files then go through Validata (validata-table, the national reference) in its own
virtualenv; verdict and blamed cells must be the same.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from frictionless import fields as frictionless_fields

from ckanext.tgn.validation.engine import fields, validate_table
from ckanext.tgn.validation.engine import scdl_checks as checks
from tests.tables import (
    DELIBERATION_COLUMNS,
    DELIBERATIONS_SCHEMA,
    ROOT,
    SUBVENTION_COLUMNS,
    SUBVENTIONS_SCHEMA,
    csv_bytes,
    deliberation,
    spreadsheet,
    subvention,
)

VALIDATA_PYTHON = ROOT / ".cache" / "validata-venv" / "bin" / "python"
D = json.loads(DELIBERATIONS_SCHEMA.read_text(encoding="utf-8"))
S = json.loads(SUBVENTIONS_SCHEMA.read_text(encoding="utf-8"))


@dataclass
class Case:
    name: str
    schema: dict[str, Any]
    make: Callable[[Path], Path]
    status: str
    errors: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _csv(name: str, rows: list[dict], columns: list[str] | None = None, **options: Any):
    def make(folder: Path) -> Path:
        path = folder / f"{name}.csv"
        path.write_bytes(csv_bytes(rows, columns, **options))
        return path

    return make


def _raw(name: str, content: bytes, suffix: str = "csv"):
    def make(folder: Path) -> Path:
        path = folder / f"{name}.{suffix}"
        path.write_bytes(content)
        return path

    return make


def _sheet(name: str, suffix: str, rows: list[dict], typed: bool = False):
    def make(folder: Path) -> Path:
        return spreadsheet(folder / f"{name}.{suffix}", rows, typed=typed)

    return make


def _unquoted_comma(folder: Path) -> Path:
    """A comma export whose last column holds an unquoted comma on the second row."""
    columns = [c for c in DELIBERATION_COLUMNS if c != "DELIB_OBJET"] + ["DELIB_OBJET"]
    lines = [",".join(columns)]
    for number, objet in ((1, "Vote du budget"), (2, "Tarifs de l'eau, assainissement")):
        row = deliberation(number, DELIB_OBJET=objet)
        lines.append(",".join(row[c] for c in columns))
    path = folder / "virgule-non-protegee.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _truncated_xlsx(folder: Path) -> Path:
    whole = spreadsheet(folder / "entier.xlsx", [deliberation(n) for n in range(1, 30)])
    path = folder / "tronque.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
ROWS3 = [deliberation(n) for n in (1, 2, 3)]

CASES = [
    Case("deliberations-valid", D, _csv("valide", ROWS3), "valide",
         info={"encoding": "utf-8", "delimiter": ";", "rows": 3}),
    Case("deliberations-bom", D, _csv("bom", ROWS3, encoding="utf-8-sig"), "valide",
         info={"encoding": "utf-8-sig"}),
    Case("deliberations-latin1", D,
         _csv("latin1", [deliberation(1, DELIB_MATIERE_NOM="Libertés publiques et pouvoirs de "
                                                          "police/Police municipale")],
              encoding="cp1252"),
         "valide", info={"encoding": "cp1252"}, warnings=["legacy-encoding"]),
    Case("deliberations-comma-tab", D, _csv("tab", ROWS3, delimiter="\t"), "valide",
         info={"delimiter": "\t"}),
    Case("deliberations-comma", D,
         _csv("virgule", [deliberation(1, DELIB_OBJET="Budget, exercice 2024")], delimiter=","),
         "valide", info={"delimiter": ","}),
    Case("deliberations-bad-siret", D,
         _csv("siret", [deliberation(1), deliberation(2, COLL_SIRET="24820009900014")]),
         "invalide", [("french-siret-value", 3, "COLL_SIRET")]),
    Case("deliberations-date-order", D,
         _csv("dates", [deliberation(1, PREF_DATE="2024-03-10")]),
         "invalide", [("compare-columns-value", 2, "PREF_DATE")]),
    Case("deliberations-pattern", D,
         _csv("motif", [deliberation(1), deliberation(2, DELIB_MATIERE_CODE="7-1")]),
         "invalide", [("constraint-error", 3, "DELIB_MATIERE_CODE")]),
    Case("deliberations-bad-date", D,
         _csv("date", [deliberation(1, DELIB_DATE="15/03/2024")]),
         "invalide", [("type-error", 2, "DELIB_DATE")]),
    Case("deliberations-missing-required-column", D,
         _csv("colonne", ROWS3, [c for c in DELIBERATION_COLUMNS if c != "COLL_SIRET"]),
         "invalide", [("missing-label", 1, "COLL_SIRET")]),
    Case("deliberations-missing-optional-column", D,
         _csv("optionnelle", ROWS3, [c for c in DELIBERATION_COLUMNS if c != "DELIB_URL"]),
         "valide", warnings=["missing-optional-column"]),
    Case("deliberations-unquoted-separator", D, _unquoted_comma, "invalide",
         [("extra-cell", 3, None)]),
    Case("deliberations-year-interval", D,
         _csv("annees", [deliberation(1, BUDGET_ANNEE="2024/2023")]),
         "invalide", [("year-interval-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-nomenclature", D,
         _csv("matiere", [deliberation(1, DELIB_MATIERE_NOM="Finances/Budget")]),
         "invalide", [("nomenclature-actes-value", 2, "DELIB_MATIERE_NOM")]),
    Case("deliberations-sum", D,
         _csv("somme", [deliberation(1, VOTE_POUR="36")]),
         "invalide", [("sum-columns-value", 2, "VOTE_REEL")]),
    Case("deliberations-cohesive", D,
         _csv("solidaires", [deliberation(1, BUDGET_NOM="")]),
         "invalide", [("cohesive-columns-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-short-row", D,
         _raw("courte", csv_bytes(ROWS3) + b"CA Grand Montauban;24820009900013\r\n"),
         "invalide", [
             ("missing-cell", 5, c) for c in DELIBERATION_COLUMNS[2:]
         ] + [
             ("constraint-error", 5, c) for c in
             ("DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET")
         ]),
    Case("deliberations-xlsx", D, _sheet("valide", "xlsx", ROWS3), "valide",
         info={"format": "xlsx", "rows": 3}),
    Case("deliberations-xls", D, _sheet("valide", "xls", ROWS3), "valide",
         info={"format": "xls", "rows": 3}),
    Case("deliberations-duplicate-column", D,
         _raw("doublon", csv_bytes(ROWS3, [*DELIBERATION_COLUMNS, "COLL_NOM"])),
         "invalide", [("duplicate-label", 1, "COLL_NOM")]),
    Case("deliberations-ods", D, _sheet("valide", "ods", ROWS3), "valide",
         info={"format": "ods", "rows": 3}),
    Case("deliberations-xlsx-invalid", D,
         _sheet("invalide", "xlsx", [deliberation(1), deliberation(2, DELIB_DATE="15/03/2024")]),
         "invalide", [("type-error", 3, "DELIB_DATE")]),
    Case("deliberations-xlsx-number-cells", D,
         _sheet("nombres", "xlsx", [deliberation(1)], typed=True),
         "invalide", [("type-error", 2, "COLL_SIRET"), ("type-error", 2, "DELIB_MATIERE_CODE"),
                      ("type-error", 2, "BUDGET_ANNEE"),
                      ("cohesive-columns-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-ods-invalid", D,
         _sheet("invalide", "ods", [deliberation(1, COLL_SIRET="24820009900014")]),
         "invalide", [("french-siret-value", 2, "COLL_SIRET")]),
    Case("subventions-valid", S, _csv("subventions", [subvention(1), subvention(2)]), "valide"),
    Case("subventions-enum", S,
         _csv("nature", [subvention(1, nature="subvention")]),
         "invalide", [("constraint-error", 2, "nature")]),
    Case("subventions-rna-pattern", S,
         _csv("rna", [subvention(1, rnaBeneficiaire="W12")]),
         "invalide", [("constraint-error", 2, "rnaBeneficiaire")]),
    Case("subventions-bad-siret", S,
         _csv("siret", [subvention(1, idBeneficiaire="77568098600013")]),
         "invalide", [("french-siret-value", 2, "idBeneficiaire")]),
    Case("subventions-one-of-required", S,
         _csv("beneficiaire", [subvention(1, idBeneficiaire="", rnaBeneficiaire="")]),
         "invalide", [("one-of-required", 2, None)]),
    Case("subventions-french-decimal", S,
         _csv("montant", [subvention(1, montant="1500,50")]),
         "invalide", [("type-error", 2, "montant")]),
    Case("subventions-date-order-free-columns", S,
         _csv("ordre", [subvention(1)], list(reversed(SUBVENTION_COLUMNS))),
         "valide", warnings=["disordered-columns"]),
]  # fmt: skip

FAILURES = [
    ("empty", _raw("vide", b""), "empty"),
    ("not-a-table", _raw("image", PNG), "not-a-table"),
    ("truncated", _truncated_xlsx, "truncated"),
    ("blank-first-line", _raw("sans-entete", b"\r\n" + csv_bytes(ROWS3)), "no-header"),
    (
        "wrong-separator",
        _raw("deux-points", csv_bytes(ROWS3, delimiter=":")),
        "no-matching-column",
    ),
]


def _outcome(path: Path, schema: dict[str, Any], error_limit: int = 1000) -> dict[str, Any]:
    return validate_table(path, schema, error_limit=error_limit, time_limit=120).to_dict()


def _triples(outcome: dict[str, Any]) -> list[tuple[str, int | None, str | None]]:
    return [(e["type"], e["row"], e["column"]) for e in outcome["errors"]]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_exact_errors(case: Case, tmp_path: Path) -> None:
    outcome = _outcome(case.make(tmp_path), case.schema)
    assert outcome["status"] == case.status, outcome
    assert sorted(_triples(outcome), key=str) == sorted(case.errors, key=str)
    assert outcome["error_count"] == len(case.errors)
    assert outcome["truncated"] is False
    for key, value in case.info.items():
        assert outcome["info"][key] == value, key
    assert set(case.warnings) <= {w["type"] for w in outcome["warnings"]}
    assert outcome["unchecked"] == []


@pytest.mark.parametrize("name,make,code", FAILURES, ids=[f[0] for f in FAILURES])
def test_unreadable_files_are_errors_not_crashes(name: str, make, code: str, tmp_path) -> None:
    outcome = _outcome(make(tmp_path), D)
    assert outcome["status"] == "erreur"
    assert outcome["message"]["code"] == code
    assert outcome["errors"] == []


def test_error_limit_is_exact_up_to_it(tmp_path: Path) -> None:
    rows = [deliberation(n, COLL_SIRET="24820009900014") for n in range(1, 31)]
    path = _csv("limite", rows)(tmp_path)
    capped = _outcome(path, D, error_limit=10)
    assert capped["status"] == "invalide"
    assert capped["error_count"] == 10 and capped["truncated"] is True
    assert [e["row"] for e in capped["errors"]] == list(range(2, 12))
    whole = _outcome(path, D, error_limit=30)
    assert whole["error_count"] == 30
    everything = _outcome(path, D, error_limit=1000)
    assert everything["error_count"] == 30 and everything["truncated"] is False
    assert everything["counts"] == {"french-siret-value": 30}


def test_time_limit_stops_a_long_validation(tmp_path: Path) -> None:
    path = _csv("long", [deliberation(n) for n in range(1, 3000)])(tmp_path)
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
    outcome = _outcome(_csv("valide", ROWS3)(tmp_path), schema)
    assert outcome["status"] == "valide"
    assert outcome["unchecked"] == [
        {"name": "check-inconnu", "reason": "unknown"},
        {"name": "sum-columns-value", "reason": "bad-params", "param": "column"},
    ]


def test_schema_that_is_not_a_table_schema(tmp_path: Path) -> None:
    outcome = _outcome(_csv("valide", ROWS3)(tmp_path), {"type": "object"})
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "schema-invalid"


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


# --- Validata, the national reference ------------------------------------------------------


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
        ours = _outcome(tables[case.name], schema)
        theirs = verdicts[str(tables[case.name])]
        if (ours["status"] == "valide") != theirs["valid"]:
            disagreements.append((case.name, ours["status"], theirs))
        elif _located(theirs) and _cells(ours["errors"]) != _cells(theirs["errors"]):
            disagreements.append((case.name, sorted(_cells(ours["errors"]), key=str), theirs))
    for path in extra:
        ours = _outcome(path, schema)
        if verdicts[str(path)]["valid"] or ours["status"] == "valide":
            disagreements.append((path.name, ours["status"], verdicts[str(path)]))
    assert disagreements == [], json.dumps(disagreements, ensure_ascii=False, indent=1, default=str)


# --- fast field readers: frictionless' verdict, value by value -------------------------

_DATES = [
    f"{y}-{m:02d}-{d:02d}"
    for y in ("0000", "0001", "0999", "1900", "2023", "2024", "9999")
    for m in range(0, 14)
    for d in range(0, 33)
] + [
    "2024-3-15", "2024-03-5", "2024-03-15 ", " 2024-03-15", "\uff12\uff10\uff12\uff14-03-15",
    "2024/03/15", "2024-03-15T00:00", "20240315", "2024-0315-", "abcd-ef-gh", "2024-03- 5",
]  # fmt: skip
_URIS = [
    "https://www.montauban.com/deliberations/1.pdf",
    "http://",
    "https://",
    "https://exa mple.fr/x y",
    "https://[::1",
    "http://ä.fr/é",
    "https://x/%zz",
    "HTTP://x.fr",
    "ftp://x.fr",
    "//x.fr/a",
    "mailto:mairie@exemple.fr",
    "https:x",
    "www.montauban.com",
    "",
    "http//x",
    "https://x.fr/#frag?q",
]


@pytest.mark.parametrize(
    "ours,theirs,format,values",
    [
        (fields.DateField, frictionless_fields.DateField, "default", _DATES),
        (fields.StringField, frictionless_fields.StringField, "uri", _URIS),
        (fields.StringField, frictionless_fields.StringField, "default", _URIS),
    ],
)
def test_fast_readers_give_frictionless_verdicts(ours, theirs, format, values) -> None:
    fast = ours(name="x", format=format).create_value_reader()
    reference = theirs(name="x", format=format).create_value_reader()
    assert [fast(v) for v in values] == [reference(v) for v in values]
    if format != "default" or ours is fields.DateField:
        assert any(reference(v) is None for v in values)  # the cases include refusals


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
    path = _raw("nan", b"a;b;c\r\n1;x;NaN\r\n5;y;3\r\n")(tmp_path)
    outcome = _outcome(path, schema)
    assert outcome["status"] == "invalide"
    assert _triples(outcome) == [
        ("compare-columns-value", 2, "a"),  # not comparable
        ("compare-columns-value", 3, "a"),  # 5 > 3
    ]
    assert outcome["errors"][0]["params"]["problem"] == "not-comparable"
    assert outcome["unchecked"] == [{"name": "sum-columns-value", "reason": "failed", "row": 2}]


def test_utf16_is_an_encoding_to_change(tmp_path: Path) -> None:
    path = _raw("unicode", csv_bytes(ROWS3).decode().encode("utf-16"))(tmp_path)
    outcome = _outcome(path, D)
    assert outcome["status"] == "erreur" and outcome["message"]["code"] == "utf-16"


def test_many_extra_columns_give_a_bounded_list_of_warnings(tmp_path: Path) -> None:
    columns = DELIBERATION_COLUMNS + [f"EN_PLUS_{n}" for n in range(200)]
    outcome = _outcome(_csv("larges", ROWS3, columns)(tmp_path), D)
    assert outcome["status"] == "valide"
    assert len(outcome["warnings"]) == 51
    assert outcome["warnings"][-1] == {"type": "more-warnings", "count": 150}
