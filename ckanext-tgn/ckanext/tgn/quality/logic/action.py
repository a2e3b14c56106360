"""The organisation dashboard through the API."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.tgn.quality import dashboard, obligations


@tk.side_effect_free
def tgn_quality_dashboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An organisation's datasets with their scores, lateness, gaps and tables to fix.

    :param id: the organisation's id or name
    :type id: string
    :returns: ``rows`` (lowest data.gouv.fr score first: ``name``, ``title``, ``private``,
        ``datagouv`` points out of 9, ``mqa`` points out of 405, ``band``, ``late``,
        ``missing`` criteria, ``invalid`` and ``unchecked`` tables) and ``totals``
    :rtype: dictionary
    """
    tk.check_access("tgn_quality_dashboard", context, data_dict)
    org = tk.get_action("organization_show")(
        {**context}, {"id": data_dict.get("id"), "include_datasets": False}
    )
    return {"organization": org["name"], **dashboard.build(context, org["id"])}


@tk.side_effect_free
def tgn_quality_obligations(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Each organisation's open-data obligation and the expected SCDL datasets it has
    published (public datasets only: anyone may read it).

    :returns: ``rows``: ``name``, ``title``, ``kind``, ``population``, ``agents`` and
        ``agents_source``, ``obliged`` (« oui », « non », « à vérifier »), ``published``
        (schema name -> latest dataset, ``date``, ``late``, ``invalid``), ``catalogue``
        (whether its SCDL catalogue can be exported); and ``expected``, the schema names
    :rtype: dictionary
    """
    tk.check_access("tgn_quality_obligations", context, data_dict)
    return {"rows": obligations.overview(context), "expected": list(obligations.EXPECTED)}
