"""Metadata schemas: the département's dataset and resource schemas and validators."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import vocab
from ckanext.tgn.lib.i18n import TgnTranslation


@tk.blanket.config_declarations
@tk.blanket.validators
@tk.blanket.helpers
class TgnSchemaPlugin(p.SingletonPlugin, TgnTranslation):
    """Vocabularies, licences and French validators used by the scheming schemas."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        # The closed licence list ships with the schema; a site may still point elsewhere.
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = f"file://{vocab.licences_file()}"
