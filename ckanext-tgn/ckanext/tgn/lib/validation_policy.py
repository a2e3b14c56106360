"""The organisation field that says what happens to a dataset whose table breaks its schema.

The organisation schema offers and checks it; the validation plugin applies it. Both read
the allowed values from here.
"""

from __future__ import annotations

POLICY_FIELD = "validation_policy"
WARN = "warn"  # the dataset stays published, with its badge and report
PRIVATE = "private"  # the dataset is made private until its tables are valid
POLICIES = (WARN, PRIVATE)
