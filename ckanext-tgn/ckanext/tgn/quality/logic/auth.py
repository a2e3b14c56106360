"""Who sees an organisation's dashboard: its editors and administrators, and staff."""

from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict


def tgn_quality_dashboard(context: Context, data_dict: DataDict) -> AuthResult:
    """An editor or administrator of the organisation (sysadmins pass before this)."""
    org = model.Group.get(str(data_dict.get("id") or ""))
    user = context.get("user") or ""
    if org is None or not authz.has_user_permission_for_group_or_org(
        org.id, user, "update_dataset"
    ):
        return {
            "success": False,
            "msg": tk._("Only the editors of this organisation may see its dashboard."),
        }
    return {"success": True}


@tk.auth_allow_anonymous_access
def tgn_quality_obligations(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: built from public datasets and the organisations' public fields."""
    return {"success": True}
