"""The ``custom_checks`` of schema.data.gouv.fr's schemas, as frictionless checks.

Table Schema cannot say "this SIRET has a right key" or "VOTE_REEL is the sum of the
votes"; the SCDL schemas carry those rules in ``custom_checks`` and Validata (the national
validator) runs them. Each class here follows Validata's verdict for its check: when it
applies, which row and column it blames. Errors carry their facts as JSON in ``note``;
the French wording is made when the report is shown (``messages.py``).
"""

from __future__ import annotations

import datetime
import decimal
import inspect
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar, cast

import attrs
from frictionless import Check, errors
from frictionless.resources import TableResource

from ckanext.tgn.lib import siren as siren_rules

log = logging.getLogger(__name__)


def _note(**params: Any) -> str:
    return json.dumps(params, ensure_ascii=False, default=str)


# --- error types (one per check, so reports count them apart) ---------------------------


@attrs.define(kw_only=True, repr=False)
class CustomCellError(errors.CellError):
    type = "custom-cell-error"
    title = "Custom check"
    description = "A custom check of the schema failed on this cell."
    template = "{note}"
    tags: ClassVar[list[str]] = ["#table", "#row", "#cell", "#tgn"]


@attrs.define(kw_only=True, repr=False)
class CustomRowError(errors.RowError):
    type = "custom-row-error"
    title = "Custom check"
    description = "A custom check of the schema failed on this row."
    template = "{note}"
    tags: ClassVar[list[str]] = ["#table", "#row", "#tgn"]


@attrs.define(kw_only=True, repr=False)
class CustomTableError(errors.TableError):
    """A custom check that cannot run because of the table's columns (header level)."""

    type = "custom-table-error"
    title = "Custom check"
    description = "A custom check of the schema cannot apply to these columns."
    template = "{note}"
    tags: ClassVar[list[str]] = ["#table", "#header", "#tgn"]


_BASES = (CustomCellError, CustomRowError, CustomTableError)


@cache
def _error_class(base: type, check_type: str) -> type:
    """``base`` with the check's name as error type (one class per pair, made once)."""
    return attrs.define(kw_only=True, repr=False)(
        type(base.__name__, (base,), {"type": check_type, "__module__": __name__})
    )


# --- pure rules -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def siret_is_valid(value: str) -> bool:
    """INSEE's rule, as python-stdnum applies it (spaces and dots are tolerated)."""
    number = value.replace(" ", "").replace(".", "").strip()
    if len(number) != 14 or not number.isdigit():
        return False
    # La Poste's establishments share one SIREN and use a digit sum, not a Luhn key.
    if number.startswith("356000000") and number != "35600000000048":
        if sum(int(d) for d in number) % 5:
            return False
    elif not siren_rules.luhn_valid(number):
        return False
    return siren_rules.is_valid(number[:9])


_YEAR_INTERVAL = re.compile(r"^(\d{4})/(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


@lru_cache(maxsize=4096)
def year_interval_problem(value: str, allow_year_only: bool) -> str | None:
    """None when valid, else a reason code: format, same-years, reversed."""
    match = _YEAR_INTERVAL.match(value)
    if not match:
        if allow_year_only and _YEAR.match(value):
            return None
        return "format"
    first, second = int(match.group(1)), int(match.group(2))
    if first == second:
        return "same-years"
    if first > second:
        return "reversed"
    return None


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn"
    )


ACTES_PREFIXES = (
    "Commande publique",
    "Urbanisme",
    "Domaine et patrimoine",
    "Fonction publique",
    "Institutions et vie politique",
    "Libertés publiques et pouvoirs de police",
    "Finances locales",
    "Domaines de compétences par thèmes",
    "Autres domaines de compétences",
)
_FOLDED_PREFIXES = {_fold(p) for p in ACTES_PREFIXES}


@lru_cache(maxsize=4096)
def nomenclature_actes_problem(value: str) -> str | None:
    """None when valid, else: missing-slash, space-around-slash, unknown-prefix."""
    if "/" not in value:
        return "missing-slash"
    prefix = value[: value.find("/")]
    if "/ " not in value and _fold(prefix) in _FOLDED_PREFIXES:
        return None
    if "/ " in value or _fold(prefix.rstrip()) in _FOLDED_PREFIXES:
        return "space-around-slash"
    return "unknown-prefix"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, decimal.Decimal)):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


_OPERATORS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def compare(first: Any, op: str, second: Any) -> bool | None:
    """The comparison Validata makes; None when the two values are not comparable."""
    kind = type(first)
    if kind is type(second) and kind in (int, datetime.date):
        return _OPERATORS[op](first, second)  # the common case, same verdict, no Decimal
    if _is_number(first) and _is_number(second):
        try:
            return _OPERATORS[op](decimal.Decimal(str(first)), decimal.Decimal(str(second)))
        except decimal.InvalidOperation:  # NaN, which frictionless reads as a number
            return None
    if isinstance(first, str) and isinstance(second, str):
        return _OPERATORS[op](first, second)
    if type(first) is type(second):
        if isinstance(first, (datetime.date, datetime.time)):
            return _OPERATORS[op](first.isoformat(), second.isoformat())
        return _OPERATORS[op](str(first), str(second))
    return None


# --- frictionless checks ----------------------------------------------------------------


@attrs.define(kw_only=True, repr=False)
class _SchemaCheck(Check):
    """Common ground: the check's name as error type, columns looked up in the header.

    What the header decides (a column missing, the cell to blame) is settled once in
    ``start``; ``skip`` then spares the rows a test whose answer cannot change.
    """

    type = "tgn-custom-check"
    # Every check of ours has a name (frictionless' base allows None): the error type.
    name: str = ""  # pyright: ignore[reportIncompatibleVariableOverride]
    present: set[str] = attrs.field(factory=set)
    skip: bool = False
    failed_at: int | None = None

    # frictionless declares Errors a ClassVar but reads it on the check (checklist.py).
    @property
    def Errors(self) -> list[type]:  # pyright: ignore[reportIncompatibleVariableOverride]
        """frictionless keeps only the error types its checks declare."""
        return [_error_class(base, self.name) for base in _BASES]

    def validate_start(self) -> Iterable[errors.Error]:
        # frictionless runs row checks on tables only: the resource is a TableResource.
        self.present = set(cast(TableResource, self.resource).labels or [])
        self.skip = False
        return list(self.start())

    def start(self) -> Iterable[errors.Error]:
        """The header's errors, once; sets ``skip`` when no row can fail the check."""
        return []

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        raise NotImplementedError

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        """frictionless' hook: one rule that breaks on an odd value stops, not the file."""
        if self.skip:
            return []
        try:
            return list(self.check_row(row))
        except Exception:
            log.exception("Custom check %s failed on row %s", self.name, row.row_number)
            self.failed_at = row.row_number
            self.skip = True
            return []

    def cell_error(self, row: Any, column: str, **params: Any) -> errors.Error:
        error_class = _error_class(CustomCellError, self.name)
        error = error_class.from_row(row, note=_note(**params), field_name=column)
        if row[column] is None:
            error.cell = ""  # frictionless writes "None" for an empty cell
        return error

    def row_error(self, row: Any, **params: Any) -> errors.Error:
        return _error_class(CustomRowError, self.name).from_row(row, note=_note(**params))

    def table_error(self, **params: Any) -> errors.Error:
        return _error_class(CustomTableError, self.name)(note=_note(**params))


@attrs.define(kw_only=True, repr=False)
class _OneCellCheck(_SchemaCheck):
    """A rule on one column's non-empty cells; ``problem`` says what is wrong, or None.

    ``problem`` gets the value as frictionless read it (a number in a column typed
    ``integer``): each rule decides whether its text form counts.
    """

    column: str

    def start(self) -> Iterable[errors.Error]:
        self.skip = self.column not in self.present
        return []

    def problem(self, value: Any) -> dict[str, Any] | None:
        raise NotImplementedError

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        value = row[self.column]
        if value is not None:
            facts = self.problem(value)
            if facts is not None:
                yield self.cell_error(row, self.column, **facts)


@attrs.define(kw_only=True, repr=False)
class SiretCheck(_OneCellCheck):
    def problem(self, value: Any) -> dict[str, Any] | None:
        return None if siret_is_valid(str(value)) else {"rule": "siret"}


@attrs.define(kw_only=True, repr=False)
class SirenCheck(_OneCellCheck):
    def problem(self, value: Any) -> dict[str, Any] | None:
        number = str(value).replace(" ", "").replace(".", "").strip()
        return None if siren_rules.is_valid(number) else {"rule": "siren"}


@attrs.define(kw_only=True, repr=False)
class YearIntervalCheck(_OneCellCheck):
    allow_year_only: bool = False

    def problem(self, value: Any) -> dict[str, Any] | None:
        problem = year_interval_problem(str(value), self.allow_year_only)
        return {"problem": problem, "allow_year_only": self.allow_year_only} if problem else None


@attrs.define(kw_only=True, repr=False)
class NomenclatureActesCheck(_OneCellCheck):
    def problem(self, value: Any) -> dict[str, Any] | None:
        text = str(value)
        problem = nomenclature_actes_problem(text)
        if problem is None:
            return None
        return {"problem": problem, "prefix": text.split("/", 1)[0].strip()}


@attrs.define(kw_only=True, repr=False)
class CohesiveColumnsCheck(_SchemaCheck):
    """All of the columns filled, or none: blamed on the first column."""

    column: str
    others: list[str]

    def start(self) -> Iterable[errors.Error]:
        columns = [self.column, *self.others]
        missing = [c for c in columns if c not in self.present]
        # None of the columns: every row has them all empty, nothing to blame.
        self.skip = bool(missing)
        if missing and len(missing) < len(columns):
            # Validata reports the header once and stops checking rows.
            yield self.table_error(problem="partly-missing", columns=columns, missing=missing)

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        first_empty = row.get(self.column) is None
        if any((row.get(c) is None) != first_empty for c in self.others):
            yield self.cell_error(row, self.column, columns=[self.column, *self.others])


@attrs.define(kw_only=True, repr=False)
class CompareColumnsCheck(_SchemaCheck):
    column: str
    column2: str
    op: str

    def start(self) -> Iterable[errors.Error]:
        self.skip = self.column not in self.present or self.column2 not in self.present
        return []

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        first, second = row[self.column], row[self.column2]
        if first is None or second is None:
            return
        verdict = compare(first, self.op, second)
        if verdict is None or not verdict:
            yield self.cell_error(
                row,
                self.column,
                problem="not-comparable" if verdict is None else "comparison",
                op=self.op,
                column2=self.column2,
                value2=str(second),
            )


@attrs.define(kw_only=True, repr=False)
class SumColumnsCheck(_SchemaCheck):
    column: str
    columns: list[str]
    names: list[str] = attrs.field(factory=list, init=False)

    def start(self) -> Iterable[errors.Error]:
        self.names = [self.column, *self.columns]
        self.skip = any(n not in self.present for n in self.names)
        return []

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        values = [row[n] for n in self.names]
        if any(v is None for v in values):
            return
        total = sum(values[1:])
        if total != values[0]:
            yield self.cell_error(row, self.column, columns=self.columns, total=str(total))


@attrs.define(kw_only=True, repr=False)
class OneOfRequiredCheck(_SchemaCheck):
    """At least one of two columns filled on each row.

    The blamed cell is the check's ``column`` when the schema names one (a field-level
    check names its field); otherwise, when the file has only one of the two columns, its
    empty cell (the usual shape of files made before a schema added the second column);
    otherwise the row, since neither column is more to blame.
    """

    column1: str
    column2: str
    blame: str | None = None
    blamed: str | None = attrs.field(default=None, init=False)

    def start(self) -> Iterable[errors.Error]:
        present = [c for c in (self.column1, self.column2) if c in self.present]
        if not present:
            self.skip = True
            yield self.table_error(
                problem="both-missing", columns=sorted([self.column1, self.column2])
            )
        elif self.blame is not None:
            self.blamed = self.blame if self.blame in self.present else None
        else:
            self.blamed = present[0] if len(present) == 1 else None

    def check_row(self, row: Any) -> Iterable[errors.Error]:
        # Validata's test is truthiness: a 0 read from a number column counts as empty.
        if not row.get(self.column1) and not row.get(self.column2):
            columns = [self.column1, self.column2]
            if self.blamed is None:
                yield self.row_error(row, columns=columns)
            else:
                yield self.cell_error(row, self.blamed, columns=columns)


@lru_cache(maxsize=4096)
def opening_hours_is_valid(value: str) -> bool:
    """OpenStreetMap's ``opening_hours`` syntax, by the parser Validata uses."""
    import opening_hours  # a compiled parser: loaded when a schema asks for it

    return bool(opening_hours.validate(value))  # pyright: ignore[reportAttributeAccessIssue]


def _phone_parses_as_valid(value: str, region: str | None) -> bool:
    import phonenumbers  # its metadata is large: loaded when a schema asks for it

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    # Short numbers (15, 3949) exist only within a country: accepted as French ones.
    return region is not None and phonenumbers.is_valid_short_number(number)


@lru_cache(maxsize=4096)
def phone_number_is_valid(value: str) -> bool:
    """A French number (national, international or short) or any valid international one."""
    return _phone_parses_as_valid(value, "FR") or _phone_parses_as_valid(value, None)


@cache
def _france_test() -> Callable[[tuple[float, float]], bool]:
    """frformat's test, imported on first need (frformat's package loads its referentials)."""
    from frformat.geo.coordonnees_gps_francaises import is_point_in_france

    return is_point_in_france


@lru_cache(maxsize=4096)
def point_in_france(lon: float, lat: float) -> bool:
    """Within the bounding boxes of metropolitan France and the five DROM (frformat's).

    Cached: the same places (a town hall, a school) come back row after row.
    """
    return _france_test()((lon, lat))


@attrs.define(kw_only=True, repr=False)
class TextRuleCheck(_OneCellCheck):
    """A yes/no rule on text (``rule``), failed with no further facts.

    A value frictionless read as something else fails: a number column loses a phone
    number's leading 0, and a number cannot be a schedule.
    """

    rule: Callable[[str], bool]

    def problem(self, value: Any) -> dict[str, Any] | None:
        return None if isinstance(value, str) and self.rule(value) else {}


@attrs.define(kw_only=True, repr=False)
class FrenchGpsCheck(_OneCellCheck):
    """A ``geopoint`` cell inside France; ``reversed`` says when latitude came first."""

    detect_reversed: bool = True

    def problem(self, value: Any) -> dict[str, Any] | None:
        try:  # frictionless reads a geopoint as (lon, lat) decimals
            lon, lat = float(value.lon), float(value.lat)
        except (AttributeError, TypeError, ValueError):
            return {"problem": "not-a-point"}
        if point_in_france(lon, lat):
            return None
        reversed_ = self.detect_reversed and point_in_france(lat, lon)
        return {"problem": "reversed" if reversed_ else "outside"}


@attrs.define(kw_only=True, repr=False)
class FrFormatCheck(_OneCellCheck):
    """One of frformat's French formats (codes of the Code officiel géographique...).

    Validata takes these from frformat; so do we, at the same version, so the referentials
    (and their vintages, ``cog``) are the same. The cell's value goes as frictionless read
    it, as Validata passes it: a code in a column typed ``integer`` is not a code.
    """

    format: Any
    params: dict[str, Any] = attrs.field(factory=dict)

    def problem(self, value: Any) -> dict[str, Any] | None:
        return None if self.format.is_valid(value) else self.params


def _kebab(name: str) -> str:
    """frformat's class name as the check's name: CodeCommuneInsee → code-commune-insee."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1-\2", name))


@cache
def _frformat_classes() -> dict[str, Any]:
    """frformat's formats by check name, imported on first need (its referentials are big)."""
    import frformat

    return {_kebab(f.__name__).lower(): f for f in frformat.all_formats}


def _frformat(name: str, column: str, params: dict[str, Any]) -> _SchemaCheck:
    """A check from frformat, its keyword parameters taken from the check's ``params``."""
    format_class = _frformat_classes()[name]
    signature = inspect.signature(format_class.__init__)
    accepted = {
        p.name: p
        for p in list(signature.parameters.values())[1:]
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    for parameter in accepted.values():
        if parameter.default is parameter.empty and parameter.name not in params:
            raise KeyError(parameter.name)
    kwargs = {k: v for k, v in params.items() if k in accepted}
    try:
        instance = format_class(**kwargs)
    except Exception as e:  # frformat refuses a vintage it has no data for, say
        raise ValueError(", ".join(kwargs) or "params") from e
    return FrFormatCheck(name=name, column=column, format=instance, params=kwargs)


# --- from the schema's descriptors to checks --------------------------------------------


@dataclass(frozen=True)
class CheckSpec:
    """One custom check a schema asks for, from ``custom_checks`` or a field's ``customCheck``.

    ``column`` is the column the check is about (``params.column`` of a ``custom_checks``
    entry, the field itself for a field-level check); ``field`` names that field when the
    check was declared inside it.
    """

    name: str
    column: str | None
    params: dict[str, Any]
    field: str | None = None


def _single(params: dict[str, Any], key: str) -> str:
    value = params[key]
    if not isinstance(value, str) or not value:
        raise ValueError(key)
    return value


def _several(params: dict[str, Any], key: str) -> list[str]:
    value = params[key]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(key)
    return value


def _column(spec: CheckSpec) -> str:
    if not spec.column:
        raise KeyError("column")
    return spec.column


class UnknownCheck(Exception):
    """The schema names a check that neither Validata nor the platform knows."""


# Names schemas also use for a check (frformat's, as Validata reads them): same rule, same
# words in the report; the error keeps the name the schema wrote.
ALIASES = {
    "siret": "french-siret-value",
    "siren": "french-siren-value",
    "nomenclature-acte": "nomenclature-actes-value",
    "coordonnees-gps-francaises": "french-gps-coordinates",
}


def _year_interval(name: str, spec: CheckSpec) -> _SchemaCheck:
    allow = str(spec.params.get("allow-year-only", "false")) in ("true", "yes")
    return YearIntervalCheck(name=name, column=_column(spec), allow_year_only=allow)


def _compare_columns(name: str, spec: CheckSpec) -> _SchemaCheck:
    op = _single(spec.params, "op")
    if op not in _OPERATORS:
        raise ValueError("op")
    return CompareColumnsCheck(
        name=name, column=_column(spec), column2=_single(spec.params, "column2"), op=op
    )


def _french_gps(name: str, spec: CheckSpec) -> _SchemaCheck:
    # frformat's coordonnees-gps-francaises only says in or out; Validata's own check also
    # tells a point written latitude first.
    reverse = name not in ALIASES
    return FrenchGpsCheck(name=name, column=_column(spec), detect_reversed=reverse)


def _text_rule(rule: Callable[[str], bool]) -> Callable[[str, CheckSpec], _SchemaCheck]:
    return lambda name, spec: TextRuleCheck(name=name, column=_column(spec), rule=rule)


# The checks of our own, by name (aliases resolved); frformat's formats are the others.
# Each builder gets the name the schema wrote (the error type) and the check's spec.
_BUILDERS: dict[str, Callable[[str, CheckSpec], _SchemaCheck]] = {
    "french-siret-value": lambda name, spec: SiretCheck(name=name, column=_column(spec)),
    "french-siren-value": lambda name, spec: SirenCheck(name=name, column=_column(spec)),
    "year-interval-value": _year_interval,
    "nomenclature-actes-value": lambda name, spec: NomenclatureActesCheck(
        name=name, column=_column(spec)
    ),
    "cohesive-columns-value": lambda name, spec: CohesiveColumnsCheck(
        name=name, column=_column(spec), others=_several(spec.params, "othercolumns")
    ),
    "compare-columns-value": _compare_columns,
    "sum-columns-value": lambda name, spec: SumColumnsCheck(
        name=name, column=_column(spec), columns=_several(spec.params, "columns")
    ),
    "one-of-required": lambda name, spec: OneOfRequiredCheck(
        name=name,
        column1=_single(spec.params, "column1"),
        column2=_single(spec.params, "column2"),
        blame=spec.column,
    ),
    "opening-hours-value": _text_rule(opening_hours_is_valid),
    "phone-number-value": _text_rule(phone_number_is_valid),
    "french-gps-coordinates": _french_gps,
}


def _build(spec: CheckSpec) -> _SchemaCheck:
    builder = _BUILDERS.get(ALIASES.get(spec.name, spec.name))
    if builder is not None:
        return builder(spec.name, spec)
    if spec.name in _frformat_classes():
        return _frformat(spec.name, _column(spec), spec.params)
    raise UnknownCheck(spec.name)


def check_specs(descriptor: dict[str, Any]) -> tuple[list[CheckSpec], list[dict[str, Any]]]:
    """The custom checks a schema declares, both ways Validata reads, and the malformed ones.

    ``custom_checks`` entries come first, then each field's ``customCheck`` (a name, or an
    object with ``name`` and the check's parameters), in the order of the fields.
    """
    specs: list[CheckSpec] = []
    malformed: list[dict[str, Any]] = []
    entries = descriptor.get("custom_checks")
    if entries is not None and not isinstance(entries, list):
        malformed.append({"name": "custom_checks", "reason": "malformed"})
        entries = []
    for entry in entries or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        params = entry.get("params") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(params, dict):
            malformed.append({"name": str(name), "reason": "malformed"})
            continue
        column = params.get("column")
        if column is not None and not isinstance(column, str):
            malformed.append({"name": name, "reason": "bad-params", "param": "column"})
            continue
        specs.append(CheckSpec(name, column, params))
    for field in descriptor.get("fields") or []:
        if not isinstance(field, dict) or "customCheck" not in field:
            continue
        field_name = str(field.get("name"))
        declared = field["customCheck"]
        if isinstance(declared, str):
            specs.append(CheckSpec(declared, field_name, {}, field=field_name))
        elif isinstance(declared, dict) and isinstance(declared.get("name"), str):
            params = {k: v for k, v in declared.items() if k != "name"}
            specs.append(CheckSpec(declared["name"], field_name, params, field=field_name))
        else:
            malformed.append({"name": str(declared), "reason": "malformed", "field": field_name})
    return specs, malformed


def build_checks(descriptor: dict[str, Any]) -> tuple[list[_SchemaCheck], list[dict[str, Any]]]:
    """Checks we run, and the schema's faults: a check that does not exist, bad parameters.

    Those faults are the schema's, not the file's; Validata counts them as errors of the
    table, and data.gouv.fr shows its verdict, so they are errors here too.
    """
    specs, faults = check_specs(descriptor)
    checks: list[_SchemaCheck] = []
    for spec in specs:
        where = {"field": spec.field} if spec.field else {}
        try:
            checks.append(_build(spec))
        except UnknownCheck:
            faults.append({"name": spec.name, "reason": "unknown", **where})
        except (KeyError, ValueError) as e:
            param = str(e).strip("'")
            faults.append({"name": spec.name, "reason": "bad-params", "param": param, **where})
    return checks, faults
