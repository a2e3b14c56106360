"""What kind of table a file is, read from its bytes, never from its name or declared format.

Agents label files loosely ("CSV" for an Excel export, ".csv" for a semicolon file in
Windows-1252), so the validator decides from content: ZIP containers are XLSX or ODS,
everything else must be text. Encoding and separator are decided here once, explicitly,
rather than left to frictionless' sampling (which reads a few kilobytes and can guess a
Latin-1 accent 90 MB in wrong).
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ckanext.tgn.lib.problems import Problem

_CHUNK = 1 << 20
_BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x00\x00\x01\x00",
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc...)
DELIMITERS = (";", ",", "\t", "|")


class NotATable(Problem):
    """The file cannot be read as a table."""


@dataclass(frozen=True)
class TableFile:
    format: str  # csv, xlsx, ods, xls
    encoding: str | None = None  # csv only: utf-8, utf-8-sig, cp1252, latin-1
    delimiter: str | None = None  # csv only


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
            if "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise NotATable("truncated", detail=str(e)) from e
    raise NotATable("not-a-table")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else Windows-1252/Latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        head = f.read(3)
        if head == codecs.BOM_UTF8:
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
            f.seek(0)
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            pass
    # cp1252 leaves five bytes undefined; a file using them is plain Latin-1.
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def _first_line(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        return f.readline(64 * 1024).rstrip("\r\n")


def detect_delimiter(header_line: str, field_names: list[str]) -> str:
    """The separator that splits the header into the most schema columns (then the most)."""
    wanted = set(field_names)

    def score(delimiter: str) -> tuple[int, int]:
        labels = [label.strip().strip('"') for label in header_line.split(delimiter)]
        return (sum(label in wanted for label in labels), len(labels))

    best = max(DELIMITERS, key=score)
    return best if score(best)[1] > 1 else ","


def sniff(path: Path, field_names: list[str]) -> TableFile:
    """Read the file's signature, then its encoding and separator if it is text."""
    size = path.stat().st_size
    if size == 0:
        raise NotATable("empty")
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith(b"PK\x03\x04"):
        return TableFile(format=_zip_kind(path))
    if head.startswith(_OLE2):
        return TableFile(format="xls")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NotATable("utf-16")  # a text export, in an encoding to change, not a non-table
    if head.startswith(_BINARY_SIGNATURES) or b"\x00" in head:
        raise NotATable("not-a-table")
    encoding = detect_encoding(path)
    line = _first_line(path, encoding)
    if not line.strip():
        raise NotATable("no-header")
    return TableFile(format="csv", encoding=encoding, delimiter=detect_delimiter(line, field_names))
