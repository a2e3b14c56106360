"""The statuses of a validation, defined once: the engine gives the last three, the report
table stores all five (they are the API's ``status`` values, so they stay as they are)."""

from __future__ import annotations

PENDING = "en attente"
RUNNING = "en cours"
VALID = "valide"
INVALID = "invalide"
ERROR = "erreur"
STATUSES = (PENDING, RUNNING, VALID, INVALID, ERROR)
