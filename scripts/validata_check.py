"""Validata's verdict on a table, as JSON, for the conformance tests of our validator.

Runs in its own virtualenv (.cache/validata-venv, scripts/validata-requirements.txt):
validata-table pins Flask and Werkzeug versions CKAN cannot share.

    .cache/validata-venv/bin/python scripts/validata_check.py SCHEMA.json TABLE [TABLE...]

Prints one JSON object per table: {"table", "valid", "errors": [{"type", "row", "column"}]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from validata_core import resource_service, validation_service


def verdict(schema: dict, table: Path) -> dict:
    try:
        resource = resource_service.from_file_content(table.name, table.read_bytes())
        report = validation_service.validate_resource(resource, schema).to_dict()
    except Exception as e:  # Validata refuses some files by raising: that is a verdict too
        return {"table": str(table), "valid": False, "errors": [], "refused": repr(e)}
    return {
        "table": str(table),
        "valid": report["valid"],
        "errors": [
            {
                "type": e.get("type"),
                "row": e.get("rowNumber"),
                "column": e.get("fieldName"),
                "message": e.get("message"),
            }
            for e in report["errors"]
        ],
    }


def main() -> None:
    schema = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for name in sys.argv[2:]:
        print(json.dumps(verdict(schema, Path(name)), ensure_ascii=False))


if __name__ == "__main__":
    main()
