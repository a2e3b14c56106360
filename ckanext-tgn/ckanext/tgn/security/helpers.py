"""Template helpers: CKAN's ``h.check_access`` knows only "not authorized"; our auth
functions say "not found" for a dataset the user may not read, which means "no" there too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk


@tk.chained_helper
def check_access(
    next_helper: Callable[..., bool], action: str, data_dict: dict[str, Any] | None = None
) -> bool:
    try:
        return next_helper(action, data_dict)
    except tk.ObjectNotFound:
        return False
