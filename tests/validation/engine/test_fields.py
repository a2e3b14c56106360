"""The fast field readers give frictionless' own verdict, value by value."""

from __future__ import annotations

import pytest
from frictionless import fields as frictionless_fields

from ckanext.tgn.validation.engine import fields

pytestmark = pytest.mark.unit


_DATES = [
    f"{y}-{m:02d}-{d:02d}"
    for y in ("0000", "0001", "0999", "1900", "2023", "2024", "9999")
    for m in range(0, 14)
    for d in range(0, 33)
] + [
    "2024-3-15", "2024-03-5", "2024-03-15 ", " 2024-03-15", "\uff12\uff10\uff12\uff14-03-15",
    "2024/03/15", "2024-03-15T00:00", "20240315", "2024-0315-", "abcd-ef-gh", "2024-03- 5",
]  # fmt: skip


_URIS = [
    "https://www.montauban.com/deliberations/1.pdf",
    "http://",
    "https://",
    "https://exa mple.fr/x y",
    "https://[::1",
    "http://ä.fr/é",
    "https://x/%zz",
    "HTTP://x.fr",
    "ftp://x.fr",
    "//x.fr/a",
    "mailto:mairie@exemple.fr",
    "https:x",
    "www.montauban.com",
    "",
    "http//x",
    "https://x.fr/#frag?q",
]


@pytest.mark.parametrize(
    "ours,theirs,format,values",
    [
        (fields.DateField, frictionless_fields.DateField, "default", _DATES),
        (fields.StringField, frictionless_fields.StringField, "uri", _URIS),
        (fields.StringField, frictionless_fields.StringField, "default", _URIS),
    ],
)
def test_fast_readers_give_frictionless_verdicts(ours, theirs, format, values) -> None:
    fast = ours(name="x", format=format).create_value_reader()
    reference = theirs(name="x", format=format).create_value_reader()
    assert [fast(v) for v in values] == [reference(v) for v in values]
    if format != "default" or ours is fields.DateField:
        assert any(reference(v) is None for v in values)  # the cases include refusals
