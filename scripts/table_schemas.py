"""Extract the Table Schemas of the national catalogue (schema.data.gouv.fr) for the forms.

Why: a resource says which national schema it follows by the exact versioned ``schema_url``
of that schema; the form offers them by name and the validator accepts only those (or an
"autre schéma" URL). The platform reads the compact file this writes, never the network.

Usage: python scripts/table_schemas.py [CATALOGUE]
CATALOGUE defaults to ../shared/standards/schema.data.gouv.fr/schemas.json (a copy of
https://schema.data.gouv.fr/schemas/schemas.json). Output, deterministic:
ckanext-tgn/ckanext/tgn/lib/vocabularies/table-schemas.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOGUE = ROOT.parent / "shared" / "standards" / "schema.data.gouv.fr" / "schemas.json"
OUTPUT = ROOT / "ckanext-tgn" / "ckanext" / "tgn" / "lib" / "vocabularies" / "table-schemas.json"


def extract(catalogue: dict) -> list[dict]:
    """Table Schemas only (not JSON Schemas or others), each version with its exact URL."""
    schemas = []
    for schema in catalogue["schemas"]:
        if schema.get("schema_type") != "tableschema":
            continue
        versions = [
            {"version": v["version_name"], "url": v["schema_url"]}
            for v in schema.get("versions", [])
            if v.get("schema_url")
        ]
        if versions:
            schemas.append({"name": schema["name"], "title": schema["title"], "versions": versions})
    return sorted(schemas, key=lambda s: s["name"])


def main(path: Path) -> None:
    raw = path.read_bytes()
    document = {
        "provenance": {
            "source": "https://schema.data.gouv.fr/schemas/schemas.json",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "licence": "Licence Ouverte 2.0",
        },
        "schemas": extract(json.loads(raw)),
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    versions = sum(len(s["versions"]) for s in document["schemas"])
    print(f"{len(document['schemas'])} Table Schemas, {versions} versions -> {OUTPUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CATALOGUE)
