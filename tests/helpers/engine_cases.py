"""The engine's test cases: tables made here, with the exact errors (type, row, column) each
must give. The engine tests check them one by one; the Validata tests give the same files to
Validata and compare verdicts.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ckanext.tgn.validation.engine import validate_table
from tests.helpers.tables import (
    DELIBERATION_COLUMNS,
    DELIBERATIONS_SCHEMA,
    EQUIPEMENTS_SCHEMA,
    SUBVENTION_COLUMNS,
    SUBVENTIONS_SCHEMA,
    csv_bytes,
    deliberation,
    equipement,
    spreadsheet,
    subvention,
)

D = json.loads(DELIBERATIONS_SCHEMA.read_text(encoding="utf-8"))


S = json.loads(SUBVENTIONS_SCHEMA.read_text(encoding="utf-8"))


E = json.loads(EQUIPEMENTS_SCHEMA.read_text(encoding="utf-8"))


def with_checks(
    base: dict[str, Any],
    checks: list[dict[str, Any]] | None = None,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A published schema with more ``custom_checks`` and field-level ``customCheck``s."""
    schema = copy.deepcopy(base)
    schema["custom_checks"] = [*(schema.get("custom_checks") or []), *(checks or [])]
    for schema_field in schema["fields"]:
        if schema_field["name"] in (fields or {}):
            schema_field["customCheck"] = (fields or {})[schema_field["name"]]
    return schema


# équipements 0.1.5 as a collectivité might tighten it: opening hours and phone numbers
# (custom_checks), postal code and commune name (field-level customCheck, both forms).
EC = with_checks(
    E,
    [
        {"name": "opening-hours-value", "params": {"column": "EQUIP_OUVERTURE"}},
        {"name": "phone-number-value", "params": {"column": "EQUIP_TEL"}},
    ],
    {"ADR_CODEPOSTAL": "code-postal", "ADR_COMMUNE": {"name": "commune", "cog": "2024"}},
)

# Phone numbers and opening hours value by value; Validata's verdict on each (True: valid).
PHONES = [
    ("0563221200", True), ("05 63 22 12 00", True), ("05.63.22.12.00", True),
    ("+33 5 63 22 12 00", True), ("+33563221200", True), ("0033563221200", True),
    ("3949", True), ("15", True), ("112", True), ("+44 20 7946 0958", True),
    ("+1 202 555 0143", True), ("12", False), ("06 12 34 56", False), ("0612345678", True),
    ("+33 6 12 34 56 78", True), ("08 00 00 00 00", True), ("abc", False),
    ("+262 262 00 00 00", True), ("0262 20 00 00", False), ("tel: 0563221200", True),
    ("05 63 22 12 00 / 05 63 22 12 01", False),
]  # fmt: skip
OPENING_HOURS = [
    ("24/7", True), ("Mo-Fr 08:30-12:00,13:30-17:30; Sa 08:30-12:00", True),
    ("lundi 9h-12h", False), ("Mo-Fr 9:00-12:00", False), ("Mo-Fr 25:00-26:00", False),
    ("Mo-Su 00:00-24:00", True), ("Tu,Th 14:00-18:00; PH off", True), ("sunrise-sunset", True),
    ("Mo-Fr 08:00-12:00 ||", False), ("Mo-Fr 08:00-12:00;", False), ("off", True),
    ("Jan-Mar Mo 10:00-12:00", True), ('Mo 08:00-18:00 "sur rendez-vous"', True),
    ("9h-12h", False),
]  # fmt: skip
P = {
    "fields": [
        {"name": "telephone", "type": "string"},
        {"name": "horaires", "type": "string", "customCheck": "opening-hours-value"},
    ],
    "custom_checks": [{"name": "phone-number-value", "params": {"column": "telephone"}}],
}


def _pairs(values: list[tuple[str, bool]], other: str, column: str) -> list[dict[str, str]]:
    return [{column: v, other: ""} for v, _ in values]


PHONE_ROWS = _pairs(PHONES, "horaires", "telephone") + _pairs(
    OPENING_HOURS, "telephone", "horaires"
)
PHONE_ERRORS: list[tuple[str, int | None, str | None]] = [
    ("phone-number-value", n + 2, "telephone") for n, (_, ok) in enumerate(PHONES) if not ok
]
PHONE_ERRORS += [
    ("opening-hours-value", n + 2 + len(PHONES), "horaires")
    for n, (_, ok) in enumerate(OPENING_HOURS)
    if not ok
]

# frformat's French codes and names, each as a field-level customCheck (name or object).
CODE_CHECKS = {
    "insee": ({"name": "code-commune-insee", "cog": "2024"}, "82121", "82999"),
    "postal": ("code-postal", "82000", "82999"),
    "commune": ({"name": "commune", "cog": "2024"}, "Montauban", "montauban"),
    "departement": ({"name": "departement", "cog": "2024"}, "Tarn-et-Garonne", "Tarn et Garonne"),
    "numero": ({"name": "numero-departement", "cog": "2024"}, "82", "20"),
    "code_region": ({"name": "code-region", "cog": "2024"}, "76", "99"),
    "region": ({"name": "region", "cog": "2024"}, "Occitanie", "Midi-Pyrénées"),
    "pays": ({"name": "pays", "cog": "2024"}, "France", "FRANCE"),
    "iso2": ({"name": "code-pays-iso2", "cog": "2024"}, "FR", "fr"),
    "iso3": ({"name": "code-pays-iso3", "cog": "latest"}, "FRA", "XXX"),
    "canton": ({"name": "canton", "cog": "2024"}, "Montauban-1", "Montauban-9"),
    "fantoir": ("code-fantoir", "0995A", "0995"),
    "siren": ("siren", "200061257", "200061258"),
}  # fmt: skip
C = {
    "fields": [
        {"name": name, "type": "string", "customCheck": check}
        for name, (check, _, _) in CODE_CHECKS.items()
    ]
}
CODES_OK = {name: good for name, (_, good, _) in CODE_CHECKS.items()}
CODES_KO = {name: bad for name, (_, _, bad) in CODE_CHECKS.items()}
CODE_ERRORS: list[tuple[str, int | None, str | None]] = [
    (check if isinstance(check, str) else check["name"], 3, name)
    for name, (check, _, _) in CODE_CHECKS.items()
]

# French GPS points (a geopoint column is "lon,lat").
G = {
    "fields": [{"name": "nom", "type": "string"}, {"name": "point", "type": "geopoint"}],
    "custom_checks": [{"name": "french-gps-coordinates", "params": {"column": "point"}}],
}
G2 = dict(G, custom_checks=[{"name": "coordonnees-gps-francaises", "params": {"column": "point"}}])
POINTS = [
    {"nom": "Montauban", "point": "1.3550,44.0176"},
    {"nom": "Montauban, à l'envers", "point": "44.0176,1.3550"},
    {"nom": "Londres", "point": "-0.1276,51.5072"},
    {"nom": "Saint-Denis (La Réunion)", "point": "55.45,-20.88"},
    {"nom": "sans point", "point": ""},
]

# A schema whose checks are faulty: a typo in a name, top level and field level, and a
# frformat check without its required vintage (cog).
DU = with_checks(
    D,
    [
        {"name": "code-ommune-insee", "params": {"column": "COLL_NOM"}},
        {"name": "code-commune-insee", "params": {"column": "COLL_NOM"}},
    ],
    {"DELIB_OBJET": "objet-deliberation"},
)

SCHEMAS = {
    "deliberations-2.1.5": D,
    "subventions-2.1.1": S,
    "equipements-0.1.5": E,
    "equipements-0.1.5-with-checks": EC,
    "phones-and-opening-hours": P,
    "french-codes": C,
    "french-gps": G,
    "coordonnees-gps-francaises": G2,
    "deliberations-2.1.5-faulty-checks": DU,
}


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
    Case("subventions-before-2.1.0", S,
         csv_file("sans-rna", [subvention(1), subvention(2, idBeneficiaire="")],
                  [c for c in SUBVENTION_COLUMNS if c != "rnaBeneficiaire"]),
         "invalide", [("one-of-required", 3, "idBeneficiaire")],
         warnings=["missing-optional-column"]),
    Case("subventions-rna-only", S,
         csv_file("sans-siret", [subvention(1), subvention(2, rnaBeneficiaire="")],
                  [c for c in SUBVENTION_COLUMNS if c != "idBeneficiaire"]),
         "invalide", [("one-of-required", 3, "rnaBeneficiaire")],
         warnings=["missing-optional-column"]),
    Case("equipements-valid", E, csv_file("equipements", [equipement(1), equipement(2)]),
         "valide"),
    Case("equipements-checks-valid", EC,
         csv_file("equipements", [equipement(1),
                                  equipement(2, EQUIP_TEL="+33 563221200", EQUIP_OUVERTURE="24/7"),
                                  equipement(3, EQUIP_TEL="", EQUIP_OUVERTURE="")]),
         "valide"),
    Case("equipements-checks-invalid", EC,
         csv_file("equipements", [equipement(1, EQUIP_OUVERTURE="lundi 9h-12h"),
                                  equipement(2, EQUIP_TEL="06 12 34 56"),
                                  equipement(3, ADR_CODEPOSTAL="82999"),
                                  equipement(4, ADR_COMMUNE="Montauban de Bretagne")]),
         "invalide", [("opening-hours-value", 2, "EQUIP_OUVERTURE"),
                      ("phone-number-value", 3, "EQUIP_TEL"),
                      ("code-postal", 4, "ADR_CODEPOSTAL"),
                      ("commune", 5, "ADR_COMMUNE")]),
    Case("phones-and-opening-hours", P,
         csv_file("telephones", PHONE_ROWS, ["telephone", "horaires"], quoting=csv.QUOTE_ALL),
         "invalide", PHONE_ERRORS),
    Case("french-codes-valid", C, csv_file("codes", [CODES_OK]), "valide"),
    Case("french-codes-invalid", C, csv_file("codes", [CODES_OK, CODES_KO]),
         "invalide", CODE_ERRORS),
    Case("french-gps", G, csv_file("points", POINTS),
         "invalide", [("french-gps-coordinates", 3, "point"),
                      ("french-gps-coordinates", 4, "point")]),
    Case("coordonnees-gps-francaises-invalid", G2, csv_file("points", POINTS),
         "invalide", [("coordonnees-gps-francaises", 3, "point"),
                      ("coordonnees-gps-francaises", 4, "point")]),
    Case("deliberations-faulty-checks", DU, csv_file("valide", ROWS3),
         "invalide", [("check-error", None, None)] * 3),
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
