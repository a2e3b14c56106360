"""Authorisation of the territories actions: staff (sysadmins) only."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def tgn_territories_sync(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Only sysadmins (who bypass this function) may synchronise the territories."""
    return {"success": False, "msg": tk._("Only the platform staff can synchronise territories.")}


def tgn_territories_add_commune(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Only sysadmins (who bypass this function) may add a commune's organisation."""
    return {"success": False, "msg": tk._("Only the platform staff can add a commune.")}
