"""Quality of each dataset: data.gouv.fr's metadata score and MQA-style points, shown to
the dataset's editors with what to fix, indexed for search, and gathered per organisation
on a dashboard for its editors (with a CSV export)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.i18n import TgnTranslation

from . import indexing


@tk.blanket.helpers
@tk.blanket.cli
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
class TgnQualityPlugin(p.SingletonPlugin, TgnTranslation):
    """Scores computed from the dataset as saved (search) and as shown (dataset page)."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.add_scores(pkg_dict)
