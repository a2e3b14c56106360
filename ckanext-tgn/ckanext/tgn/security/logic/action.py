"""Purging a dataset hides its activity: CKAN keeps the activity rows (and the content they
carry) with the labels the dataset had."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.tgn.security import activity, unavailable


@tk.chained_action
def dataset_purge(up: Action, context: Context, data_dict: DataDict) -> Any:
    package = model.Package.get(data_dict.get("id") or "")
    package_id = package.id if package is not None else None  # the object goes with the purge
    result = up(context, data_dict)
    if package_id is not None:
        activity.sync(package_id, None)
        model.Session.commit()
    return result


def get_actions() -> dict[str, Any]:
    """Purge's activity hiding, and the actions that answer 503 when Solr is out of reach."""
    return {"dataset_purge": dataset_purge, **unavailable.actions()}
