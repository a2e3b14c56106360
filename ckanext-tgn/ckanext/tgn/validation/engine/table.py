"""One table, one Table Schema, one outcome: the only place that calls frictionless.

Input is a local file the platform chose (an upload in CKAN's storage or a download in a
temporary file), never a path from user input. Output is a plain dict (status, counts,
first errors with their facts) stored as the report; wording happens when it is shown.
Rows stream: memory depends on the error limit, not on the file's size.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import frictionless
from frictionless import (
    Check,
    Checklist,
    Detector,
    Dialect,
    FrictionlessException,
    Resource,
    formats,
)
from frictionless.resources import TableResource

from . import fields
from . import scdl_checks as custom
from .sniff import NotATable, TableFile, sniff
from .status import ERROR, INVALID, VALID

# Errors that mean "this file could not be read", not "this table breaks the schema".
_READ_ERRORS = {
    "source-error",
    "scheme-error",
    "format-error",
    "encoding-error",
    "compression-error",
}
_MAX_WARNINGS = 50
_CONSTRAINT_NOTE = re.compile(r'constraint "(?P<name>\w+)" is "(?P<value>.*)"$', re.S)


class TimeLimitExceeded(Exception):
    pass


@dataclass
class Outcome:
    """What a validation found; ``to_dict`` is what the report table stores."""

    status: str
    error_count: int = 0
    truncated: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    message: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def failure(code: str, **params: Any) -> Outcome:
    """An ``erreur`` outcome: the table could not be checked, and why."""
    return Outcome(status=ERROR, message={"code": code, "params": params})


class SchemaRefused(ValueError):
    """frictionless refuses the descriptor; ``reasons`` are its individual findings."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def table_schema(descriptor: dict[str, Any]) -> frictionless.Schema:
    """The Table Schema part of a schema.data.gouv.fr descriptor (raises SchemaRefused).

    frictionless sums a refused descriptor up as "descriptor is not valid" and lists what is
    wrong in the exception's reasons: the schema's authors need those, one by one.
    """
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise SchemaRefused(["not a Table Schema: no list of fields"])
    plain = {k: v for k, v in descriptor.items() if k != "custom_checks"}
    try:
        return frictionless.Schema.from_descriptor(plain)
    except FrictionlessException as e:
        found = e.reasons or [e.error]
        raise SchemaRefused([str(r.note or r.message) for r in found]) from e


def _resource(path: Path, table: TableFile, schema: frictionless.Schema | None) -> TableResource:
    controls: list[Any] = []
    if table.format == "csv":
        assert table.delimiter is not None  # sniff finds one for every csv
        controls.append(formats.CsvControl(delimiter=table.delimiter))
    elif table.format == "xlsx":
        # Cells as Excel displays them (a SIRET typed as a number stays 14 digits), as Validata.
        controls.append(formats.ExcelControl(sheet=1, preserve_formatting=True))
    elif table.format == "xls":
        controls.append(formats.ExcelControl(sheet=1))
    elif table.format == "ods":
        controls.append(formats.OdsControl(sheet=1))
    options: dict[str, Any] = {
        # frictionless refuses absolute paths; the file's own folder is the base.
        "path": path.name,
        "basepath": str(path.parent),
        "format": table.format,
        "dialect": Dialect(controls=controls),
    }
    if table.encoding:
        options["encoding"] = table.encoding
    if schema is not None:
        options["schema"] = schema
        # Columns are matched by name, as Validata does: order is a warning, not an error.
        options["detector"] = Detector(schema_sync=True)
    # frictionless' Resource is a factory: a table's file makes a TableResource.
    return cast(TableResource, Resource(**options))


def _read_labels(path: Path, table: TableFile) -> list[str]:
    resource = _resource(path, table, None)
    try:
        with resource:
            return [str(label) for label in (resource.labels or [])]
    except FrictionlessException as e:
        raise NotATable(_read_error_code(e.error.type), detail=e.error.note or "") from e


def _read_error_code(error_type: str) -> str:
    return "encoding" if error_type == "encoding-error" else "unreadable"


def _structure(
    labels: list[str], schema: frictionless.Schema
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Duplicate columns (errors), and what Validata only warns about."""
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    seen: Counter[str] = Counter(labels)
    for label, count in seen.items():
        if count > 1:
            errors.append(_entry("duplicate-label", row=1, column=label, count=count))
    names = schema.field_names
    required = {f.name for f in schema.fields if f.constraints.get("required")}
    for name in names:
        if name not in seen and name not in required:
            warnings.append({"type": "missing-optional-column", "column": name})
    for label in labels:
        if label not in names:
            warnings.append({"type": "extra-column", "column": label})
    if not errors and set(labels) == set(names) and labels != names:
        warnings.append({"type": "disordered-columns", "expected": names})
    if len(warnings) > _MAX_WARNINGS:
        more = len(warnings) - _MAX_WARNINGS
        warnings = [*warnings[:_MAX_WARNINGS], {"type": "more-warnings", "count": more}]
    return errors, warnings


def _entry(
    error_type: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: Any = None,
    **params: Any,
) -> dict[str, Any]:
    return {"type": error_type, "row": row, "column": column, "value": value, "params": params}


def _convert(error: frictionless.Error, schema: frictionless.Schema) -> dict[str, Any]:
    """frictionless' error as a report entry: type, row, column, value and the facts."""
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or None
    value = getattr(error, "cell", None)
    note = error.note or ""
    if isinstance(error, (custom.CustomCellError, custom.CustomRowError, custom.CustomTableError)):
        params = json.loads(note) if note else {}
        if isinstance(error, custom.CustomTableError):
            row = 1
        return _entry(error.type, row=row, column=column, value=value, **params)
    params: dict[str, Any] = {}
    if error.type == "constraint-error":
        match = _CONSTRAINT_NOTE.match(note)
        if match:
            params = {"constraint": match["name"], "expected": match["value"]}
            if match["name"] == "enum" and column in schema.field_names:
                params["expected"] = schema.get_field(column).constraints.get("enum")
    elif error.type == "type-error" and column in schema.field_names:
        schema_field = schema.get_field(column)
        params = {"field_type": schema_field.type, "field_format": schema_field.format}
    elif error.type == "missing-label":
        row = 1
        column = column or getattr(error, "label", None)
    if error.type in ("missing-cell", "missing-label") or (params.get("constraint") == "required"):
        value = None
    return _entry(error.type, row=row, column=column, value=value or None, **params)


def validate_table(
    path: Path,
    descriptor: dict[str, Any],
    *,
    error_limit: int,
    time_limit: float,
) -> Outcome:
    """Validate ``path`` against ``descriptor`` (a Table Schema, custom checks included)."""
    deadline = time.monotonic() + time_limit
    fields.register()
    try:
        schema = table_schema(descriptor)
    except SchemaRefused as e:
        return failure("schema-invalid", detail=str(e), reasons=e.reasons)
    try:
        table = sniff(path, schema.field_names)
        labels = _read_labels(path, table)
    except NotATable as e:
        return failure(e.report_code, **e.params)
    info: dict[str, Any] = {"format": table.format, "bytes": path.stat().st_size}
    if table.encoding:
        info["encoding"] = table.encoding
        info["delimiter"] = table.delimiter
    if not labels or not set(labels) & set(schema.field_names):
        return failure("no-matching-column", labels=labels[:20], delimiter=table.delimiter)

    structure_errors, warnings = _structure(labels, schema)
    if table.encoding in ("cp1252", "latin-1"):
        warnings.insert(0, {"type": "legacy-encoding", "encoding": table.encoding})
    checks, faults = custom.build_checks(descriptor)
    # The schema's own faults (a check that does not exist...) make the table invalid, as in
    # Validata; they name no row or column of the file.
    schema_errors = [_entry("check-error", **fault) for fault in faults]
    outcome = Outcome(status=VALID, warnings=warnings, info=info)
    if structure_errors:
        # frictionless cannot match columns by name when two share a name.
        return _finish(outcome, schema_errors + structure_errors, error_limit, truncated=False)

    def watch(row: frictionless.Row) -> None:
        if row.row_number % 1024 == 0 and time.monotonic() > deadline:
            raise TimeLimitExceeded

    try:
        report = _resource(path, table, schema).validate(
            # frictionless only reads the list; its List[Check] refuses a list of a subclass.
            Checklist(checks=cast("list[Check]", checks)),
            limit_errors=error_limit,
            on_row=watch,
        )
    except TimeLimitExceeded:
        return failure("time-limit", seconds=int(time_limit))
    except FrictionlessException as e:
        return failure(_read_error_code(e.error.type), detail=e.error.note or "")
    task = report.tasks[0] if report.tasks else None
    found = task.errors if task else report.errors
    read_errors = [e for e in found if e.type in _READ_ERRORS or e.type == "error"]
    if read_errors:
        first = read_errors[0]
        return failure(_read_error_code(first.type), detail=first.note or first.message)
    info["rows"] = task.stats.get("rows") if task else None
    for check in checks:
        if check.failed_at is not None:
            outcome.unchecked.append(
                {"name": check.name, "reason": "failed", "row": check.failed_at}
            )
    truncated = bool(task and any("reached error limit" in w for w in task.warnings))
    table_errors = [_convert(e, schema) for e in found]
    return _finish(outcome, schema_errors + table_errors, error_limit, truncated)


def _finish(
    outcome: Outcome, errors: list[dict[str, Any]], error_limit: int, truncated: bool
) -> Outcome:
    errors = errors[:error_limit]
    outcome.errors = errors
    outcome.error_count = len(errors)
    outcome.truncated = truncated
    outcome.counts = dict(Counter(e["type"] for e in errors))
    outcome.status = INVALID if errors else VALID
    return outcome
