"""Speed and memory of our tabular validation on a ~100 MB délibérations CSV.

Usage: validation.py [--mb 100] [--keep PATH] [--no-validata] [--validata-timeout 1800]

Generates a realistic délibérations CSV (SCDL 2.1.5, ``;`` separator, UTF-8) of about
``--mb`` megabytes with a few hundred invalid rows (bad SIRET key, prefecture date before
the deliberation, subject outside the Actes nomenclature, vote totals that do not add up),
then validates it, each contender in its own process so peak memory is its own:

- ours: ``ckanext.tgn.validation.engine.validate_table`` (frictionless + the SCDL custom
  checks, columns matched by name), as the worker runs it;
- frictionless: plain ``frictionless validate --schema`` (the CLI) with the same schema,
  without the custom checks it does not know;
- validata: validata-table's Python API (``.cache/validata-venv``, installed by
  ``make install``), when present.

Prints seconds, MB/s, peak RSS and errors found, then the ratio ours / frictionless. Needs
only the project's .venv and ../shared (the schema); no database.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared/standards/schema.data.gouv.fr/scdl/deliberations/2.1.5/schema.json"
VALIDATA_PYTHON = ROOT / ".cache" / "validata-venv" / "bin" / "python"
FRICTIONLESS = Path(sys.executable).with_name("frictionless")
SEED = 82

COLLECTIVITES = [
    ("CA Grand Montauban", "24820009900013"),
    ("CC Terres des Confluences", "20006632200013"),
    ("Commune de Moissac", "21820112700014"),
]
MATIERES = [
    ("1.1", "Commande publique/Marchés publics"),
    ("2.1", "Urbanisme/Documents d'urbanisme"),
    ("3.2", "Domaine et patrimoine/Aliénations"),
    ("4.1", "Fonction publique/Personnel titulaire"),
    ("5.2", "Institutions et vie politique/Fonctionnement des assemblées"),
    ("7.1", "Finances locales/Décisions budgétaires"),
    ("8.3", "Domaines de compétences par thèmes/Voirie"),
]
OBJETS = [
    "Approbation du compte administratif de l'exercice",
    "Attribution d'une subvention à l'association sportive",
    "Modification du tableau des effectifs",
    "Convention de mise à disposition de locaux avec le SDIS",
    "Tarifs de la restauration scolaire pour l'année scolaire",
]


def generate(path: Path, megabytes: int) -> tuple[int, int]:
    """Write the CSV; return (rows, invalid rows)."""
    rng = random.Random(SEED)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    columns = [f["name"] for f in schema["fields"]]
    target = megabytes * 1_000_000
    rows = invalid = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        while f.tell() < target:
            rows += 1
            coll, siret = COLLECTIVITES[rows % len(COLLECTIVITES)]
            code, matiere = MATIERES[rng.randrange(len(MATIERES))]
            day = 1 + rng.randrange(27)
            pour, contre, abst = rng.randint(10, 40), rng.randint(0, 5), rng.randint(0, 4)
            reel = pour + contre + abst
            row = {
                "COLL_NOM": coll,
                "COLL_SIRET": siret,
                "DELIB_ID": f"DEL-{rows:08d}",
                "DELIB_DATE": f"2024-{1 + rows % 12:02d}-{day:02d}",
                "DELIB_MATIERE_CODE": code,
                "DELIB_MATIERE_NOM": matiere,
                "DELIB_OBJET": f"{OBJETS[rng.randrange(len(OBJETS))]} n°{rows}",
                "BUDGET_ANNEE": "2024" if rows % 3 else "",
                "BUDGET_NOM": "Budget principal" if rows % 3 else "",
                "PREF_ID": f"082-{siret[:9]}-2024{rows:06d}-DE",
                "PREF_DATE": f"2024-{1 + rows % 12:02d}-{day + 1:02d}",
                "VOTE_EFFECTIF": reel + rng.randint(0, 6),
                "VOTE_REEL": reel,
                "VOTE_POUR": pour,
                "VOTE_CONTRE": contre,
                "VOTE_ABSTENTION": abst,
                "DELIB_URL": f"https://actes.tarnetgaronne.fr/{siret}/DEL-{rows:08d}.pdf",
            }
            if rows % 1500 == 0:  # about 300 invalid rows in 100 MB
                invalid += 1
                kind = (rows // 1500) % 4
                if kind == 0:
                    row["COLL_SIRET"] = siret[:-1] + str((int(siret[-1]) + 1) % 10)
                elif kind == 1:
                    row["PREF_DATE"] = f"2024-{1 + rows % 12:02d}-{day - 1 if day > 1 else 1:02d}"
                    row["DELIB_DATE"] = f"2024-{1 + rows % 12:02d}-{day + 1:02d}"
                elif kind == 2:
                    row["DELIB_MATIERE_NOM"] = "Finances / Budget"
                else:
                    row["VOTE_POUR"] = pour + 1
            writer.writerow([row[c] for c in columns])
    return rows, invalid


# --- contenders, each run in a child process -------------------------------------------


def run_ours(table: Path) -> dict:
    from ckanext.tgn.validation.engine import validate_table

    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    outcome = validate_table(table, descriptor, error_limit=1000, time_limit=24 * 3600)
    return {"errors": outcome.error_count, "status": outcome.status}


def run_frictionless(table: Path) -> dict:
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    descriptor.pop("custom_checks", None)
    schema = table.with_name("schema-without-custom-checks.json")
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    try:
        result = subprocess.run(
            # frictionless refuses absolute paths: run it beside the files.
            [str(FRICTIONLESS), "validate", "--schema", schema.name, "--json", table.name],
            capture_output=True,
            text=True,
            check=False,
            cwd=table.parent,
        )
    finally:
        schema.unlink()
    report = json.loads(result.stdout)
    status = "valid" if report["valid"] else "invalid"
    return {"errors": report["stats"]["errors"], "status": status}


def run_validata(table: Path) -> dict:
    code = (
        "import json,sys\n"
        "from validata_core import resource_service, validation_service\n"
        "r = resource_service.from_file_content(sys.argv[1], open(sys.argv[1],'rb').read())\n"
        "rep = validation_service.validate_resource(r, json.load(open(sys.argv[2]))).to_dict()\n"
        "print(json.dumps({'errors': len(rep['errors']), 'status': rep['valid']}))\n"
    )
    result = subprocess.run(
        [str(VALIDATA_PYTHON), "-c", code, str(table), str(SCHEMA)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return {"errors": None, "status": "failed: " + result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


CONTENDERS = {"ours": run_ours, "frictionless": run_frictionless, "validata": run_validata}


def child(name: str, table: Path) -> None:
    started = time.perf_counter()
    result = CONTENDERS[name](table)
    result["seconds"] = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_mb"] = max(own, children) / 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps(result))


def measure(name: str, table: Path, timeout: float | None) -> dict:
    try:
        result = subprocess.run(
            [sys.executable, __file__, "--child", name, str(table)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"stopped after {timeout:.0f} s", "seconds": None}
    if result.returncode:
        return {"status": "crashed: " + (result.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=100, help="size of the CSV (MB)")
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    parser.add_argument("--no-validata", action="store_true")
    parser.add_argument("--validata-timeout", type=float, default=1800)
    parser.add_argument("--child", nargs=2, metavar=("NAME", "TABLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    folder = tempfile.TemporaryDirectory(prefix="bench-validation-")
    table = args.keep or Path(folder.name) / "deliberations.csv"
    started = time.perf_counter()
    rows, invalid = generate(table, args.mb)
    size_mb = table.stat().st_size / 1_000_000
    print(
        f"délibérations CSV: {size_mb:.1f} MB, {rows:,} rows, {invalid} invalid rows "
        f"(generated in {time.perf_counter() - started:.0f} s)"
    )
    contenders = ["ours", "frictionless"]
    if not args.no_validata and VALIDATA_PYTHON.exists():
        contenders.append("validata")
    results = {}
    for name in contenders:
        timeout = args.validata_timeout if name == "validata" else None
        results[name] = result = measure(name, table, timeout)
        seconds = result.get("seconds")
        speed = f"{size_mb / seconds:6.2f} MB/s" if seconds else "   -     "
        peak = f"{result['peak_mb']:7.0f} MB peak" if result.get("peak_mb") else ""
        print(
            f"{name:13s} {seconds or 0:7.1f} s  {speed}  {peak}  "
            f"errors: {result.get('errors')}  ({result.get('status')})"
        )
    ours, plain = results["ours"].get("seconds"), results["frictionless"].get("seconds")
    if ours and plain:
        print(f"ratio ours / frictionless: {ours / plain:.2f}x time (below 1: ours is faster)")


if __name__ == "__main__":
    main()
