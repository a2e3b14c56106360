"""Signals one plugin sends and another listens to, named in one place (no plugin imports
another: the sender and the subscriber share only these names)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from blinker import NamedSignal

# Sent by tgn_validation's worker once a table's report is stored: sender is the resource id,
# ``status`` the report's status ("valide", "invalide", "erreur"). tgn_preview loads a valid
# table into the DataStore and drops the preview of one found invalid.
VALIDATION_FINISHED = "tgn_validation_finished"


def validation_finished() -> NamedSignal:
    return tk.signals.ckanext.signal(VALIDATION_FINISHED)


# The report statuses a subscriber tells apart (the values of tgn_validation's engine.status;
# tests/preview checks they agree).
VALID = "valide"
INVALID = "invalide"
