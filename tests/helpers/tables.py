"""Tables the tests make: délibérations and subventions rows as a collectivité exports them.

Each builder starts from a row that follows the schema; tests change one thing and expect
exactly the errors that change causes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from frictionless import Resource

from tests.helpers.paths import STANDARDS

SDGF = STANDARDS / "schema.data.gouv.fr"
DELIBERATIONS_SCHEMA = SDGF / "scdl" / "deliberations" / "2.1.5" / "schema.json"
SUBVENTIONS_SCHEMA = SDGF / "scdl" / "subventions" / "2.1.1" / "schema.json"
DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"

SIRET_MONTAUBAN = "24820009900013"
SIRET_MOISSAC = "21820112700014"
SIRET_ASSOCIATION = "77568098600012"

DELIBERATION_COLUMNS = [
    "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM", "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE",
    "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL",
]  # fmt: skip

SUBVENTION_COLUMNS = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention",
    "dispositifAide",
]  # fmt: skip


def deliberation(number: int = 1, **changes: Any) -> dict[str, Any]:
    """A deliberation of the Grand Montauban that follows the schema, with ``changes``."""
    row = {
        "COLL_NOM": "CA Grand Montauban",
        "COLL_SIRET": SIRET_MONTAUBAN,
        "DELIB_ID": f"DEL-2024-{number:03d}",
        "DELIB_DATE": "2024-03-15",
        "DELIB_MATIERE_CODE": "7.1",
        "DELIB_MATIERE_NOM": "Finances locales/Décisions budgétaires",
        "DELIB_OBJET": "Vote du budget primitif de l'exercice 2024",
        "BUDGET_ANNEE": "2024",
        "BUDGET_NOM": "Budget principal",
        "PREF_ID": f"082-248200099-20240315-DEL{number:03d}-DE",
        "PREF_DATE": "2024-03-18",
        "VOTE_EFFECTIF": "45",
        "VOTE_REEL": "40",
        "VOTE_POUR": "35",
        "VOTE_CONTRE": "3",
        "VOTE_ABSTENTION": "2",
        "DELIB_URL": f"https://www.montauban.com/deliberations/DEL-2024-{number:03d}.pdf",
    }
    row.update(changes)
    return row


def subvention(number: int = 1, **changes: Any) -> dict[str, Any]:
    """A grant of the commune of Moissac that follows the schema, with ``changes``."""
    row = {
        "nomAttribuant": "Commune de Moissac",
        "idAttribuant": SIRET_MOISSAC,
        "dateConvention": "2024-02-01",
        "referenceDecision": f"DEL-2024-{number:03d}",
        "nomBeneficiaire": "Association sportive moissagaise",
        "idBeneficiaire": SIRET_ASSOCIATION,
        "rnaBeneficiaire": "W821000123",
        "objet": "Fonctionnement annuel du club",
        "montant": "1500.50",
        "nature": "aide en numéraire",
        "conditionsVersement": "Unique",
        "datesPeriodeVersement": "2024-03-01",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "0.25",
        "dispositifAide": "",
    }
    row.update(changes)
    return row


def csv_bytes(
    rows: list[dict[str, Any]],
    columns: list[str] | None = None,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    quoting: int = csv.QUOTE_MINIMAL,
) -> bytes:
    """The rows as a CSV file; ``columns`` chooses (and orders) the header."""
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


VALID_CSV = csv_bytes([deliberation(n) for n in (1, 2, 3)])
INVALID_CSV = csv_bytes(
    [
        deliberation(1),
        deliberation(2, COLL_SIRET="24820009900014"),
        deliberation(3, PREF_DATE="2024-03-01"),
    ]
)


def spreadsheet(
    path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None, *, typed: bool = False
) -> Path:
    """The rows as XLS, XLSX or ODS (from the suffix), every cell text as agents are told to do.

    ``typed``: numbers and dates become numeric and date cells, as a spreadsheet does by
    itself when nobody sets the columns to "Text".
    """
    columns = columns or list(rows[0])
    data = [columns] + [[str(row.get(c, "")) for c in columns] for row in rows]
    if typed:
        Resource(data=data).write(str(path))
        return path
    if path.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("Feuille1")
        for r, line in enumerate(data):
            for c, value in enumerate(line):
                sheet.write(r, c, value)
        book.save(str(path))
        return path
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        for line in data:
            sheet.append(line)
        for cells in sheet.iter_rows():
            for cell in cells:
                cell.data_type = "s"
                cell.number_format = "@"
        book.save(path)
        return path
    import ezodf

    document = ezodf.newdoc(doctype="ods", filename=str(path))
    sheet = ezodf.Sheet("Feuille1", size=(len(data), len(columns)))
    document.sheets += sheet
    for r, line in enumerate(data):
        for c, value in enumerate(line):
            sheet[r, c].set_value(value, value_type="string")
    document.save()
    return path


EQUIPEMENTS_SCHEMA = SDGF / "scdl" / "equipements" / "0.1.5" / "schema.json"

EQUIPEMENT_COLUMNS = [
    "COLL_NOM", "COLL_SIRET", "EQUIP_UID", "EQUIP_THEME", "EQUIP_CODE", "EQUIP_TYPE",
    "EQUIP_NOM", "ADR_NUMERO", "ADR_NOMVOIE", "ADR_CODEPOSTAL", "ADR_COMMUNE",
    "ADR_CLE_INTEROP", "ERP_ID", "ERP_TYPE", "ERP_CATEGORIE", "EQUIP_LAT", "EQUIP_LONG",
    "EQUIP_OUVERTURE", "EQUIP_TEL", "EQUIP_EMAIL", "EQUIP_WEB",
]  # fmt: skip


def equipement(number: int = 1, **changes: Any) -> dict[str, Any]:
    """A public building of the Grand Montauban that follows équipements 0.1.5, with ``changes``."""
    row = {
        "COLL_NOM": "CA Grand Montauban",
        "COLL_SIRET": SIRET_MONTAUBAN,
        "EQUIP_UID": f"82121-01010401-{number:03d}",
        "EQUIP_THEME": "Equipement administratif",
        "EQUIP_CODE": f"01010401-{number:03d}",
        "EQUIP_TYPE": "Mairie",
        "EQUIP_NOM": "Hôtel de ville de Montauban",
        "ADR_NUMERO": "9",
        "ADR_NOMVOIE": "Rue de l'Hôtel de Ville",
        "ADR_CODEPOSTAL": "82000",
        "ADR_COMMUNE": "Montauban",
        "ADR_CLE_INTEROP": "82121_1234_00009",
        "ERP_ID": "",
        "ERP_TYPE": "W",
        "ERP_CATEGORIE": "3",
        "EQUIP_LAT": "44.0176",
        "EQUIP_LONG": "1.3550",
        "EQUIP_OUVERTURE": "Mo-Fr 08:30-12:00,13:30-17:30; Sa 08:30-12:00",
        "EQUIP_TEL": "0563221200",
        "EQUIP_EMAIL": "contact@montauban.com",
        "EQUIP_WEB": "https://www.montauban.com",
    }
    row.update(changes)
    return row
