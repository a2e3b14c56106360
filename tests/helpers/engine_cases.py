"""The engine's test cases: tables made here, with the exact errors (type, row, column) each
must give. The engine tests check them one by one; the Validata tests give the same files to
Validata and compare verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ckanext.tgn.validation.engine import validate_table
from tests.helpers.tables import (
    DELIBERATION_COLUMNS,
    DELIBERATIONS_SCHEMA,
    SUBVENTION_COLUMNS,
    SUBVENTIONS_SCHEMA,
    csv_bytes,
    deliberation,
    spreadsheet,
    subvention,
)

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


def csv_file(name: str, rows: list[dict], columns: list[str] | None = None, **options: Any):
    def make(folder: Path) -> Path:
        path = folder / f"{name}.csv"
        path.write_bytes(csv_bytes(rows, columns, **options))
        return path

    return make


def raw_file(name: str, content: bytes, suffix: str = "csv"):
    def make(folder: Path) -> Path:
        path = folder / f"{name}.{suffix}"
        path.write_bytes(content)
        return path

    return make


def sheet_file(name: str, suffix: str, rows: list[dict], typed: bool = False):
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
    Case("deliberations-valid", D, csv_file("valide", ROWS3), "valide",
         info={"encoding": "utf-8", "delimiter": ";", "rows": 3}),
    Case("deliberations-bom", D, csv_file("bom", ROWS3, encoding="utf-8-sig"), "valide",
         info={"encoding": "utf-8-sig"}),
    Case("deliberations-latin1", D,
         csv_file("latin1", [deliberation(1, DELIB_MATIERE_NOM="Libertés publiques et pouvoirs de "
                                                          "police/Police municipale")],
              encoding="cp1252"),
         "valide", info={"encoding": "cp1252"}, warnings=["legacy-encoding"]),
    Case("deliberations-comma-tab", D, csv_file("tab", ROWS3, delimiter="\t"), "valide",
         info={"delimiter": "\t"}),
    Case("deliberations-comma", D,
         csv_file("virgule", [deliberation(1, DELIB_OBJET="Budget, exercice 2024")], delimiter=","),
         "valide", info={"delimiter": ","}),
    Case("deliberations-bad-siret", D,
         csv_file("siret", [deliberation(1), deliberation(2, COLL_SIRET="24820009900014")]),
         "invalide", [("french-siret-value", 3, "COLL_SIRET")]),
    Case("deliberations-date-order", D,
         csv_file("dates", [deliberation(1, PREF_DATE="2024-03-10")]),
         "invalide", [("compare-columns-value", 2, "PREF_DATE")]),
    Case("deliberations-pattern", D,
         csv_file("motif", [deliberation(1), deliberation(2, DELIB_MATIERE_CODE="7-1")]),
         "invalide", [("constraint-error", 3, "DELIB_MATIERE_CODE")]),
    Case("deliberations-bad-date", D,
         csv_file("date", [deliberation(1, DELIB_DATE="15/03/2024")]),
         "invalide", [("type-error", 2, "DELIB_DATE")]),
    Case("deliberations-missing-required-column", D,
         csv_file("colonne", ROWS3, [c for c in DELIBERATION_COLUMNS if c != "COLL_SIRET"]),
         "invalide", [("missing-label", 1, "COLL_SIRET")]),
    Case("deliberations-missing-optional-column", D,
         csv_file("optionnelle", ROWS3, [c for c in DELIBERATION_COLUMNS if c != "DELIB_URL"]),
         "valide", warnings=["missing-optional-column"]),
    Case("deliberations-unquoted-separator", D, _unquoted_comma, "invalide",
         [("extra-cell", 3, None)]),
    Case("deliberations-year-interval", D,
         csv_file("annees", [deliberation(1, BUDGET_ANNEE="2024/2023")]),
         "invalide", [("year-interval-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-nomenclature", D,
         csv_file("matiere", [deliberation(1, DELIB_MATIERE_NOM="Finances/Budget")]),
         "invalide", [("nomenclature-actes-value", 2, "DELIB_MATIERE_NOM")]),
    Case("deliberations-sum", D,
         csv_file("somme", [deliberation(1, VOTE_POUR="36")]),
         "invalide", [("sum-columns-value", 2, "VOTE_REEL")]),
    Case("deliberations-cohesive", D,
         csv_file("solidaires", [deliberation(1, BUDGET_NOM="")]),
         "invalide", [("cohesive-columns-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-short-row", D,
         raw_file("courte", csv_bytes(ROWS3) + b"CA Grand Montauban;24820009900013\r\n"),
         "invalide", [
             ("missing-cell", 5, c) for c in DELIBERATION_COLUMNS[2:]
         ] + [
             ("constraint-error", 5, c) for c in
             ("DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET")
         ]),
    Case("deliberations-xlsx", D, sheet_file("valide", "xlsx", ROWS3), "valide",
         info={"format": "xlsx", "rows": 3}),
    Case("deliberations-xls", D, sheet_file("valide", "xls", ROWS3), "valide",
         info={"format": "xls", "rows": 3}),
    Case("deliberations-duplicate-column", D,
         raw_file("doublon", csv_bytes(ROWS3, [*DELIBERATION_COLUMNS, "COLL_NOM"])),
         "invalide", [("duplicate-label", 1, "COLL_NOM")]),
    Case("deliberations-ods", D, sheet_file("valide", "ods", ROWS3), "valide",
         info={"format": "ods", "rows": 3}),
    Case("deliberations-xlsx-invalid", D,
         sheet_file("invalide", "xlsx",
                    [deliberation(1), deliberation(2, DELIB_DATE="15/03/2024")]),
         "invalide", [("type-error", 3, "DELIB_DATE")]),
    Case("deliberations-xlsx-number-cells", D,
         sheet_file("nombres", "xlsx", [deliberation(1)], typed=True),
         "invalide", [("type-error", 2, "COLL_SIRET"), ("type-error", 2, "DELIB_MATIERE_CODE"),
                      ("type-error", 2, "BUDGET_ANNEE"),
                      ("cohesive-columns-value", 2, "BUDGET_ANNEE")]),
    Case("deliberations-ods-invalid", D,
         sheet_file("invalide", "ods", [deliberation(1, COLL_SIRET="24820009900014")]),
         "invalide", [("french-siret-value", 2, "COLL_SIRET")]),
    Case("subventions-valid", S, csv_file("subventions", [subvention(1), subvention(2)]), "valide"),
    Case("subventions-enum", S,
         csv_file("nature", [subvention(1, nature="subvention")]),
         "invalide", [("constraint-error", 2, "nature")]),
    Case("subventions-rna-pattern", S,
         csv_file("rna", [subvention(1, rnaBeneficiaire="W12")]),
         "invalide", [("constraint-error", 2, "rnaBeneficiaire")]),
    Case("subventions-bad-siret", S,
         csv_file("siret", [subvention(1, idBeneficiaire="77568098600013")]),
         "invalide", [("french-siret-value", 2, "idBeneficiaire")]),
    Case("subventions-one-of-required", S,
         csv_file("beneficiaire", [subvention(1, idBeneficiaire="", rnaBeneficiaire="")]),
         "invalide", [("one-of-required", 2, None)]),
    Case("subventions-french-decimal", S,
         csv_file("montant", [subvention(1, montant="1500,50")]),
         "invalide", [("type-error", 2, "montant")]),
    Case("subventions-date-order-free-columns", S,
         csv_file("ordre", [subvention(1)], list(reversed(SUBVENTION_COLUMNS))),
         "valide", warnings=["disordered-columns"]),
]  # fmt: skip


FAILURES = [
    ("empty", raw_file("vide", b""), "empty"),
    ("not-a-table", raw_file("image", PNG), "not-a-table"),
    ("truncated", _truncated_xlsx, "truncated"),
    ("blank-first-line", raw_file("sans-entete", b"\r\n" + csv_bytes(ROWS3)), "no-header"),
    (
        "wrong-separator",
        raw_file("deux-points", csv_bytes(ROWS3, delimiter=":")),
        "no-matching-column",
    ),
]


def outcome_of(path: Path, schema: dict[str, Any], error_limit: int = 1000) -> dict[str, Any]:
    return validate_table(path, schema, error_limit=error_limit, time_limit=120).to_dict()


def triples(outcome: dict[str, Any]) -> list[tuple[str, int | None, str | None]]:
    return [(e["type"], e["row"], e["column"]) for e in outcome["errors"]]
