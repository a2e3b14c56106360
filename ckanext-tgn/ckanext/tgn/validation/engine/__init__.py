"""The table engine: one local file, one Table Schema descriptor, one outcome.

It imports nothing of the CKAN application, so a plain Python process (the benchmark, a
script) can use it::

    from ckanext.tgn.validation.engine import validate_table

    outcome = validate_table(Path("deliberations.csv"), descriptor, error_limit=1000)
    outcome.status            # "valide", "invalide" or "erreur"
    outcome.to_dict()         # counts, errors with row/column/value, warnings, info

``descriptor`` is a schema.data.gouv.fr Table Schema as a dict (with its SCDL
``custom_checks``). Reading (``sniff``: format, encoding, separator), frictionless' fast
field readers (``fields``) and the SCDL checks (``scdl_checks``) are its parts.
"""

from __future__ import annotations

from .status import ERROR, INVALID, VALID
from .table import Outcome, TimeLimitExceeded, failure, table_schema, validate_table

__all__ = [
    "ERROR",
    "INVALID",
    "VALID",
    "Outcome",
    "TimeLimitExceeded",
    "failure",
    "table_schema",
    "validate_table",
]
