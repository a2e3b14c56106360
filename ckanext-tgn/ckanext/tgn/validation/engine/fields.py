"""Faster readers for the two field types that dominate SCDL tables, with frictionless' verdicts.

Profiling a 100 MB délibérations file showed a quarter of frictionless' time in rfc3986
(``"format": "uri"`` strings) and a seventh in ``strptime`` (dates). The common cases get a
shortcut whose answer is the one frictionless' own reader gives (tested value by value in
``tests/validation/engine/test_fields.py``); every other value goes to frictionless' reader.
Registered through frictionless' plugin system, the documented way to supply field types.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import attrs
from frictionless import Plugin, fields, system

# What strptime("%Y-%m-%d") can accept when the value has exactly this shape (ASCII digits:
# strptime also takes other Unicode digits, which go to the slow path).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# rfc3986 accepts any reference with a scheme; these prefixes always have one.
_WEB_PREFIXES = ("http://", "https://")


@attrs.define(kw_only=True, repr=False)
class DateField(fields.DateField):
    def create_value_reader(self):
        slow = super().create_value_reader()
        if self.format != "default":
            return slow

        def value_reader(cell: Any) -> Any:
            if type(cell) is str and len(cell) == 10 and _ISO_DATE.fullmatch(cell):
                try:
                    return datetime.date(int(cell[:4]), int(cell[5:7]), int(cell[8:]))
                except ValueError:
                    return None
            return slow(cell)

        return value_reader


@attrs.define(kw_only=True, repr=False)
class StringField(fields.StringField):
    def create_value_reader(self):
        slow = super().create_value_reader()
        if self.format != "uri":
            return slow

        def value_reader(cell: Any) -> Any:
            if type(cell) is str and cell.startswith(_WEB_PREFIXES):
                return cell
            return slow(cell)

        return value_reader


class FastFieldsPlugin(Plugin):
    """Hands frictionless our two field classes; other types stay frictionless' own."""

    def select_field_class(self, type: str | None = None):
        return {"date": DateField, "string": StringField}.get(type or "")


_NAME = "tgn_fast_fields"


def register() -> None:
    """Once per process; frictionless then picks our classes for "date" and "string"."""
    if system.select_field_class("date") is DateField:
        return
    system.register(_NAME, FastFieldsPlugin())
    # frictionless caches its plugin list (functools.cached_property): drop a stale copy.
    for cached in ("plugins", "methods"):
        system.__dict__.pop(cached, None)
