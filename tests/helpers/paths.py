"""Where things are, from any depth of tests/: the repository and ../shared beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ckanext-tgn" / "ckanext" / "tgn"
# Standards and references read in place, never copied into the project (CI puts them beside
# the clone).
SHARED = ROOT.parent / "shared"
STANDARDS = SHARED / "standards"
