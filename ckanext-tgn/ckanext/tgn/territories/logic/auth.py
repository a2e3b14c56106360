"""Authorisation of the territories actions: staff (sysadmins) only."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


def tgn_territories_sync(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (who bypass this function) may synchronise the territories."""
    return {"success": False, "msg": tk._("Only the platform staff can synchronise territories.")}


def tgn_territories_add_commune(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (who bypass this function) may add a commune's organisation."""
    return {"success": False, "msg": tk._("Only the platform staff can add a commune.")}
