"""The report in words: what is wrong, and how to fix it, for an agent without a data team.

Reports store facts (type, row, column, value, params); wording happens here, at display
time, through CKAN's i18n (English source strings, French catalogue), so a correction of
the wording reaches old reports too.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .engine.scdl_checks import ALIASES
from .engine.status import ERROR, INVALID, PENDING, RUNNING, VALID


def _operator(op: str) -> str:
    words = {
        ">": tk._("greater than"),
        ">=": tk._("greater than or equal to"),
        "==": tk._("equal to"),
        "<=": tk._("less than or equal to"),
        "<": tk._("less than"),
    }
    return words.get(op, op)


def status_label(status: str | None) -> str:
    labels = {
        PENDING: tk._("pending"),
        RUNNING: tk._("running"),
        VALID: tk._("valid"),
        INVALID: tk._("invalid"),
        ERROR: tk._("error"),
    }
    return labels.get(status or "", tk._("not validated"))


def type_title(error_type: str) -> str:
    """The heading of a group of errors in the report."""
    titles = {
        "type-error": tk._("Value of the wrong type"),
        "constraint-error": tk._("Rule of the schema not met"),
        "missing-label": tk._("Required column missing"),
        "duplicate-label": tk._("Column present twice"),
        "blank-label": tk._("Column without a name"),
        "missing-cell": tk._("Row with too few cells"),
        "extra-cell": tk._("Row with too many cells"),
        "blank-row": tk._("Empty row"),
        "primary-key": tk._("Duplicate identifier"),
        "unique-error": tk._("Value that must be unique"),
        "french-siret-value": tk._("Invalid SIRET number"),
        "french-siren-value": tk._("Invalid SIREN number"),
        "year-interval-value": tk._("Invalid year or period"),
        "nomenclature-actes-value": tk._("Subject outside the Actes nomenclature"),
        "cohesive-columns-value": tk._("Columns to fill together"),
        "compare-columns-value": tk._("Values in the wrong order"),
        "sum-columns-value": tk._("Wrong total"),
        "one-of-required": tk._("One of two columns required"),
        "opening-hours-value": tk._("Invalid opening hours"),
        "phone-number-value": tk._("Invalid phone number"),
        "french-gps-coordinates": tk._("GPS coordinates outside France"),
        "check-error": tk._("Check of the schema that cannot run"),
    }
    # Another name of a check (frformat's) has the title of the check it names.
    check = ALIASES.get(error_type, error_type)
    if check in titles:
        return titles[check]
    listed = _code_list(error_type)
    if listed:
        return tk._("Value outside the list: {list}").format(list=listed)
    return error_type


def _code_list(check: str) -> str | None:
    """The list a frformat check (French codes and names) compares a value with."""
    lists = {
        "canton": tk._("cantons"),
        "code-commune-insee": tk._("INSEE commune codes"),
        "code-fantoir": tk._("FANTOIR codes"),
        "code-pays-iso2": tk._("two-letter ISO country codes"),
        "code-pays-iso3": tk._("three-letter ISO country codes"),
        "code-postal": tk._("postal codes"),
        "code-region": tk._("region codes"),
        "commune": tk._("commune names"),
        "departement": tk._("département names"),
        "numero-departement": tk._("département numbers"),
        "pays": tk._("country names"),
        "region": tk._("region names"),
    }
    return lists.get(check)


def _schema_fault(params: dict[str, Any]) -> str:
    """A check the schema names but that cannot run: the schema's fault, not the file's."""
    reason = params.get("reason")
    name = params.get("name")
    if reason == "unknown":
        return tk._(
            'The schema asks for a check "{name}" that does not exist: the mistake is in the '
            "schema, not in your file. Tell the schema's authors; the rest of your file was "
            "checked."
        ).format(name=name)
    if reason == "bad-params":
        return tk._(
            'The check "{name}" of the schema has wrong parameters ({param}): the mistake is in '
            "the schema, not in your file. Tell the schema's authors; the rest of your file "
            "was checked."
        ).format(name=name, param=params.get("param", ""))
    return tk._(
        "A check of the schema is not written the way checks are declared ({name}): the "
        "mistake is in the schema, not in your file. Tell the schema's authors; the rest of "
        "your file was checked."
    ).format(name=name)


def _type_hint(field_type: str, field_format: str | None) -> str:
    if field_type == "date":
        if field_format and field_format not in ("default", "any"):
            return tk._("Write a date in the format {format}.").format(format=field_format)
        return tk._("Write the date as YYYY-MM-DD, for example 2024-03-15.")
    if field_type == "integer":
        return tk._("Write a whole number, digits only, without spaces or decimals.")
    if field_type == "number":
        return tk._("Write a number with a point as decimal separator, for example 1234.56.")
    if field_type == "boolean":
        return tk._('Write "true" or "false".')
    if field_type == "year":
        return tk._("Write a year with 4 digits, for example 2024.")
    if field_type == "datetime":
        return tk._("Write a date and time as YYYY-MM-DDThh:mm:ss.")
    if field_type == "string" and field_format == "uri":
        return tk._("Write a full web address starting with http:// or https://.")
    if field_type == "string" and field_format == "email":
        return tk._("Write an email address, for example contact@mairie.fr.")
    return tk._("Expected type: {type}.").format(type=field_type)


def _constraint(params: dict[str, Any], value: Any) -> str:
    name = params.get("constraint")
    expected = params.get("expected")
    if name == "required":
        return tk._("This cell is required: fill it in.")
    if name == "enum":
        allowed = expected if isinstance(expected, list) else [expected]
        return tk._('"{value}" is not an allowed value. Allowed values: {allowed}.').format(
            value=value, allowed=", ".join(f"« {a} »" for a in allowed)
        )
    if name == "pattern":
        return tk._('"{value}" does not have the expected form (pattern {pattern}).').format(
            value=value, pattern=expected
        )
    if name == "maxLength":
        return tk._('"{value}" is too long: at most {limit} characters.').format(
            value=value, limit=expected
        )
    if name == "minLength":
        return tk._('"{value}" is too short: at least {limit} characters.').format(
            value=value, limit=expected
        )
    if name == "minimum":
        return tk._("{value} is too small: the minimum is {limit}.").format(
            value=value, limit=expected
        )
    if name == "maximum":
        return tk._("{value} is too large: the maximum is {limit}.").format(
            value=value, limit=expected
        )
    if name == "unique":
        return tk._('"{value}" appears more than once in this column; it must be unique.').format(
            value=value
        )
    return tk._('"{value}" breaks the rule {rule} = {expected}.').format(
        value=value, rule=name, expected=expected
    )


def _custom(error_type: str, params: dict[str, Any], value: Any, column: str | None) -> str:
    error_type = ALIASES.get(error_type, error_type)  # an alias says what its check says
    if error_type == "french-siret-value":
        return tk._(
            '"{value}" is not a valid SIRET number (14 digits with a check key). Check it on '
            "annuaire-entreprises.data.gouv.fr."
        ).format(value=value)
    if error_type == "french-siren-value":
        return tk._('"{value}" is not a valid SIREN number (9 digits with a check key).').format(
            value=value
        )
    if error_type == "year-interval-value":
        problem = params.get("problem")
        if problem == "same-years":
            return tk._('Period "{value}": the two years must differ.').format(value=value)
        if problem == "reversed":
            return tk._('Period "{value}": the second year must come after the first.').format(
                value=value
            )
        if params.get("allow_year_only"):
            return tk._('"{value}" is neither a year (YYYY) nor a period (YYYY/YYYY).').format(
                value=value
            )
        return tk._('"{value}" is not a period written YYYY/YYYY.').format(value=value)
    if error_type == "nomenclature-actes-value":
        problem = params.get("problem")
        if problem == "missing-slash":
            return tk._(
                '"{value}" lacks the slash "/" between the Actes subject and its detail, for '
                "example « Finances locales/Décisions budgétaires »."
            ).format(value=value)
        if problem == "space-around-slash":
            return tk._('"{value}": no space before or after the slash "/".').format(value=value)
        return tk._(
            '"{prefix}" is not a subject of the Actes nomenclature (for example « Commande '
            "publique », « Urbanisme », « Finances locales »)."
        ).format(prefix=params.get("prefix", value))
    if error_type == "cohesive-columns-value":
        columns = ", ".join(params.get("columns") or [])
        if params.get("problem") == "partly-missing":
            return tk._(
                "The columns {columns} go together: add the missing ones ({missing}) or remove "
                "them all."
            ).format(columns=columns, missing=", ".join(params.get("missing") or []))
        return tk._("The columns {columns} must all be filled in, or all left empty.").format(
            columns=columns
        )
    if error_type == "compare-columns-value":
        if params.get("problem") == "not-comparable":
            return tk._(
                '"{value}" ({column}) cannot be compared with "{value2}" ({column2}).'
            ).format(
                value=value,
                column=column,
                value2=params.get("value2"),
                column2=params.get("column2"),
            )
        return tk._('{column} ("{value}") should be {operator} {column2} ("{value2}").').format(
            column=column,
            value=value,
            operator=_operator(params.get("op", "")),
            column2=params.get("column2"),
            value2=params.get("value2"),
        )
    if error_type == "sum-columns-value":
        return tk._("{column} is {value} but {columns} add up to {total}.").format(
            column=column,
            value=value,
            columns=" + ".join(params.get("columns") or []),
            total=params.get("total"),
        )
    if error_type == "one-of-required":
        columns = params.get("columns") or []
        if params.get("problem") == "both-missing":
            return tk._("Add at least one of the columns {columns}.").format(
                columns=tk._(" or ").join(columns)
            )
        return tk._("Fill in at least one of {columns} on this row.").format(
            columns=tk._(" or ").join(columns)
        )
    if error_type == "opening-hours-value":
        return tk._(
            '"{value}" is not written in the OpenStreetMap opening hours syntax, for example '
            "« Mo-Fr 08:30-12:00,14:00-17:30; Sa 09:00-12:00 » (see "
            "wiki.openstreetmap.org/wiki/Key:opening_hours)."
        ).format(value=value)
    if error_type == "phone-number-value":
        return tk._(
            '"{value}" is not a valid phone number: write a French number with 10 digits '
            "(05 63 00 00 00), an international number with its country code "
            "(+33 5 63 00 00 00), or a short number (3949)."
        ).format(value=value)
    if error_type == "french-gps-coordinates":
        problem = params.get("problem")
        if problem == "not-a-point":
            return tk._(
                '"{value}" is not a GPS point: write the longitude, then the latitude, for '
                "example « 1.3550,44.0176 »."
            ).format(value=value)
        if problem == "reversed":
            return tk._(
                '"{value}" seems to give the latitude first: write the longitude first, then '
                "the latitude."
            ).format(value=value)
        return tk._(
            '"{value}" is not in France (metropolitan France or an overseas département): '
            "check the coordinates."
        ).format(value=value)
    if error_type == "check-error":
        return _schema_fault(params)
    listed = _code_list(error_type)
    if listed:
        cog = params.get("cog")
        if cog == "latest":
            return tk._(
                '"{value}" is not among the {list} of the latest Code officiel géographique: '
                "check its spelling or its code in the official list."
            ).format(value=value, list=listed)
        if cog:
            return tk._(
                '"{value}" is not among the {list} of the Code officiel géographique {cog}: '
                "check its spelling or its code in the official list."
            ).format(value=value, list=listed, cog=cog)
        return tk._(
            '"{value}" is not among the {list}: check its spelling or its code in the '
            "official list."
        ).format(value=value, list=listed)
    return tk._("The check {name} failed.").format(name=error_type)


def explain(error: dict[str, Any]) -> str:
    """One error of a report, in the reader's language, with the fix."""
    error_type = error.get("type", "")
    params = error.get("params") or {}
    value = error.get("value")
    column = error.get("column")
    if error_type == "type-error":
        if params.get("field_type") == "string":
            return tk._(
                '"{value}" is stored as a number or a date, but this column holds text: in '
                'the spreadsheet, set the column\'s cell format to "Text" and type it again.'
            ).format(value=value)
        return tk._('"{value}" is not of the expected type. {hint}').format(
            value=value, hint=_type_hint(params.get("field_type", ""), params.get("field_format"))
        )
    if error_type == "constraint-error":
        return _constraint(params, value)
    if error_type == "missing-label":
        return tk._('Add the required column "{column}" to the header (first row).').format(
            column=column
        )
    if error_type == "duplicate-label":
        return tk._('The column "{column}" appears {count} times: keep only one.').format(
            column=column, count=params.get("count", 2)
        )
    if error_type == "blank-label":
        return tk._("A column has no name in the header: name it or remove it.")
    if error_type == "missing-cell":
        return tk._(
            "This row has fewer cells than the header has columns: check the separator and "
            "the quotes around values."
        )
    if error_type == "extra-cell":
        return tk._(
            'This row has more cells than the header ("{value}" is extra): a value probably '
            "contains the separator without quotes around it."
        ).format(value=value)
    if error_type == "blank-row":
        return tk._("This row is empty: remove it.")
    if error_type in ("primary-key", "unique-error"):
        return tk._("This value appears on another row; it must be unique.")
    return _custom(error_type, params, value, column)


def warning_text(warning: dict[str, Any]) -> str:
    kind = warning.get("type")
    if kind == "missing-optional-column":
        return tk._('Optional column "{column}" is absent: add it if you have the data.').format(
            column=warning.get("column")
        )
    if kind == "extra-column":
        return tk._('Column "{column}" is not in the schema: it was not checked.').format(
            column=warning.get("column")
        )
    if kind == "disordered-columns":
        return tk._("The columns are not in the schema's order: {order}.").format(
            order=", ".join(warning.get("expected") or [])
        )
    if kind == "more-warnings":
        return tk._("… and {count} more warnings of this kind.").format(count=warning.get("count"))
    if kind == "legacy-encoding":
        return tk._(
            "The file is encoded in {encoding}, not UTF-8: it was read correctly, but save it "
            'as "CSV UTF-8" next time so every re-user reads the accents right.'
        ).format(encoding="Windows-1252" if warning.get("encoding") == "cp1252" else "Latin-1")
    return str(kind)


def unchecked_text(item: dict[str, Any]) -> str:
    if item.get("reason") == "failed":
        return tk._(
            'Check "{name}" of the schema stopped on an unexpected value at row {row}: the '
            "rest of the file was not checked against it."
        ).format(name=item.get("name"), row=item.get("row"))
    if item.get("reason") == "unknown":
        return tk._(
            'Check "{name}" of the schema is not known to the platform: not checked.'
        ).format(name=item.get("name"))
    return tk._('Check "{name}" of the schema has wrong parameters: not checked.').format(
        name=item.get("name")
    )


def _size(size: Any) -> str:
    number = int(size or 0)
    if number >= 1_000_000:
        return tk._("{number} MB").format(number=round(number / 1_000_000))
    return tk._("{number} kB").format(number=max(1, round(number / 1_000)))


def failure_text(message: dict[str, Any] | None) -> str:
    """Why a table could not be validated (status "erreur"), and what to do."""
    if not message:
        return ""
    code: str = message.get("code", "")
    p = message.get("params") or {}
    texts = {
        "empty": tk._("The file is empty: upload the complete table."),
        "no-header": tk._("The first row is empty: it must hold the column names."),
        "not-a-table": tk._(
            "The file is not a table (CSV, XLSX or ODS): check that you attached the right file."
        ),
        "truncated": tk._(
            "The file is damaged or incomplete (truncated archive): export it again and "
            "re-upload it."
        ),
        "unreadable": tk._("The file could not be read as a table ({detail}).").format(
            detail=p.get("detail", "")
        ),
        "encoding": tk._("The file's text encoding could not be read: save it as CSV UTF-8."),
        "utf-16": tk._(
            'The file is encoded in UTF-16 ("Unicode text"): save it as "CSV UTF-8" and upload '
            "it again."
        ),
        "no-matching-column": tk._(
            "No column of the file matches the schema (columns read: {labels}). Check the "
            "header row, the separator, and that the schema is the right one."
        ).format(labels=", ".join(p.get("labels") or []) or "—"),
        "schema-invalid": tk._("The schema is not a valid Table Schema ({detail}).").format(
            detail=p.get("detail", "")
        )
        if not p.get("reasons")
        else tk._(
            "The schema is not a valid Table Schema; what is wrong in it: {reasons}. The "
            "mistake is in the schema, not in your file: tell the schema's authors."
        ).format(reasons=" ; ".join(f"« {r} »" for r in p["reasons"])),
        "time-limit": tk._(
            "Validation took longer than {seconds} s and was stopped: split the file or ask "
            "the platform team."
        ).format(seconds=p.get("seconds", "")),
        "too-large": tk._(
            "The file is larger than the {limit} the platform validates: split it into "
            "smaller files."
        ).format(limit=_size(p.get("limit", 0))),
        "upload-missing": tk._("The uploaded file is missing from storage: upload it again."),
        "resource-missing": tk._("The resource no longer exists."),
        "no-schema": tk._("The resource has no schema to validate against."),
        "fetch-scheme": tk._("Only http:// and https:// addresses can be validated."),
        "fetch-bad-url": tk._("The address {url} is not valid.").format(url=p.get("url", "")),
        # Also "fetch-private-address": the same words for both, so reports do not map the
        # servers' internal network.
        "fetch-dns": tk._(
            "The server {host} cannot be found or is not on the public web (private network): "
            "only public web addresses can be validated."
        ).format(host=p.get("host", "")),
        "fetch-http-status": tk._(
            "The server answered with error {status}: check that the file is still online."
        ).format(status=p.get("status", "")),
        "fetch-timeout": tk._("The server did not answer in time: try again later."),
        "fetch-connection": tk._("The server could not be reached: try again later."),
        "fetch-redirects": tk._("The address redirects too many times."),
        "fetch-time-limit": tk._("The download took too long and was stopped."),
        "schema-catalog-unreachable": tk._(
            "The schema catalogue ({url}) cannot be reached: the validation will work again "
            "when it answers. Use the button to try again later."
        ).format(url=p.get("url", "")),
        "schema-catalog-malformed": tk._("The schema catalogue ({url}) is not readable.").format(
            url=p.get("url", "")
        ),
        "schema-unknown-schema": tk._(
            "The schema {url} is not in the catalogue of schema.data.gouv.fr: choose a listed "
            "version."
        ).format(url=p.get("url", "")),
        "schema-not-a-table-schema": tk._(
            "The schema {url} is not a Table Schema: tables can only be checked against one."
        ).format(url=p.get("url", "")),
        "schema-unreachable": tk._("The schema {url} cannot be downloaded ({reason}).").format(
            url=p.get("url", ""), reason=p.get("reason", "")
        ),
        "schema-not-json": tk._("The schema {url} is not JSON.").format(url=p.get("url", "")),
        "schema-too-large": tk._("The schema {url} is too large.").format(url=p.get("url", "")),
        "schema-uploaded-schema-missing": tk._(
            "The uploaded schema file cannot be read: upload it again as a resource of a "
            "dataset of your organisation."
        ),
        "internal": tk._(
            "An unexpected problem stopped the validation; it is logged for the platform team."
        ),
    }
    aliases = {"fetch-too-large": "too-large", "fetch-private-address": "fetch-dns"}
    return texts.get(aliases.get(code, code), code)


def worded(report: dict[str, Any]) -> dict[str, Any]:
    """A stored report (``ValidationReport.as_dict``) with its wording in the reader's language."""
    data = dict(report)
    data["status_label"] = status_label(data["status"])
    data["errors"] = [
        dict(e, title=type_title(e["type"]), message=explain(e)) for e in data["errors"]
    ]
    data["counts_labelled"] = [
        {"type": t, "title": type_title(t), "count": n}
        for t, n in sorted(data["counts"].items(), key=lambda item: -item[1])
    ]
    data["warnings"] = [dict(w, message=warning_text(w)) for w in data["warnings"]]
    data["unchecked"] = [dict(u, message=unchecked_text(u)) for u in data["unchecked"]]
    data["message_text"] = failure_text(data["message"])
    return data
