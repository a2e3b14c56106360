"""Why a table could not be checked: one exception shape for every stage of the job.

Each stage (reading the file, downloading, finding the schema, the job itself) raises a
``Problem`` with a code and its facts; the job turns any of them into an ``erreur``
report whose code is the stage's prefix plus the code ("fetch-timeout", "schema-...").
"""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """A reason code and its facts, worded in French by ``messages.failure_text``."""

    prefix = ""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{self.prefix}{code} {params}")
        self.code = code
        self.params = params

    @property
    def report_code(self) -> str:
        return self.prefix + self.code
