"""Action contexts the platform's own work runs in."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context


def site_user_context() -> Context:
    """Act as CKAN's site user (a sysadmin): staff commands and the platform's own jobs run
    with every right, and their activity is recorded under that user."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}
