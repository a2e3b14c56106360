"""Validata's verdict on a table, as JSON, for the conformance tests of our validator.

Runs in its own virtualenv (.cache/validata-venv, scripts/validata-requirements.txt):
validata-table pins Flask and Werkzeug versions CKAN cannot share.

    .cache/validata-venv/bin/python scripts/validata_check.py SCHEMA.json TABLE [TABLE...]

Prints one JSON object per table: {"table", "valid", "errors": [{"type", "row", "column",
"message", "label"}]}, where "label" is the header's label at the error's column position
(Validata can name one column and point at another: see the conformance tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from validata_core import resource_service, validation_service


def verdict(schema: dict[str, Any], table: Path) -> dict[str, Any]:
    try:
        resource = resource_service.from_file_content(table.name, table.read_bytes())
        report = validation_service.validate_resource(resource, schema).to_dict()
        header = [str(label) for label in resource.header()]
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
                "label": _label_at(header, e.get("fieldNumber")),
            }
            for e in report["errors"]
        ],
    }


def _label_at(header: list[str], position: object) -> str | None:
    if isinstance(position, int) and 1 <= position <= len(header):
        return header[position - 1]
    return None


def main() -> None:
    schema = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for name in sys.argv[2:]:
        print(json.dumps(verdict(schema, Path(name)), ensure_ascii=False))


if __name__ == "__main__":
    main()
