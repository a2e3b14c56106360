"""Validators of the organisation's validation policy (staff decide it, not the agents)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.tgn.lib.validation_policy import POLICIES


def tgn_validation_policy(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """ "" (site default), "warn" or "private"; only sysadmins may change it.

    An organisation admin's update that leaves the field out keeps the staff's choice.
    """
    value = data.get(key)
    value = "" if value is tk.missing or value is None else str(value).strip()
    group = context.get("group")
    previous = (group.extras or {}).get(key[-1], "") if group is not None else ""
    user = context.get("auth_user_obj")
    is_sysadmin = bool(getattr(user, "sysadmin", False)) or context.get("ignore_auth", False)
    if value not in ("", *POLICIES):
        errors[key].append(
            tk._('Choose "publish with a warning" or "keep private until fixed", or leave empty.')
        )
        return
    if not is_sysadmin and value != previous:
        if data.get(key) in (tk.missing, None):
            data[key] = previous
            return
        errors[key].append(
            tk._("Only the platform team may change this rule; ask them if you need it changed.")
        )
        return
    data[key] = value
