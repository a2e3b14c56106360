"""Job functions that the tests enqueue; the worker subprocess imports them by name.

This folder is put on the worker's PYTHONPATH (tests/project/test_stack.py), so it holds this
module only: the job path is ``tgn_test_jobs.<function>``.
"""

from __future__ import annotations

from pathlib import Path


def write_marker(path: str, text: str) -> None:
    """Leave a trace that the test can check, proving the job really ran."""
    Path(path).write_text(text, encoding="utf-8")
