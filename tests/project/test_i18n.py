"""The French catalogue is complete and its compiled .mo matches the .po (make i18n)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers.paths import PACKAGE, ROOT

pytestmark = pytest.mark.unit

I18N = PACKAGE / "i18n"
PO = I18N / "fr" / "LC_MESSAGES" / "ckanext-tgn.po"
MO = PO.with_suffix(".mo")


def _plain(value):
    """Plural messages come as lists or tuples (singular, plural): compare them as tuples."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _messages(catalog) -> dict:
    return {_plain(m.id): _plain(m.string) for m in catalog if m.id}


def test_every_source_string_of_the_code_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "extracted.pot"
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "_", "--omit-header", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        in_code = set(_messages(read_po(f)))
    with PO.open("rb") as f:
        in_catalogue = _messages(read_po(f))

    assert in_code, "no translatable string found: the extraction is broken"
    assert in_code - set(in_catalogue) == set(), "run make i18n, then translate"


def test_every_message_is_translated_and_compiled():
    with PO.open("rb") as f:
        po = _messages(read_po(f))
    with MO.open("rb") as f:
        mo = _messages(read_mo(f))

    untranslated = [
        msgid for msgid, text in po.items() if not (all(text) if isinstance(text, tuple) else text)
    ]
    assert untranslated == []
    assert mo == po, "the .mo is stale: run make i18n"
