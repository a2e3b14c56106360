"""Metadata schemas: the département's dataset and resource schemas and validators."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.tgn import TgnTranslation


@tk.blanket.config_declarations
@tk.blanket.validators
class SchemaPlugin(p.SingletonPlugin, TgnTranslation):
    """Validators (French errors) used by the scheming schemas of schemas/."""

    p.implements(p.ITranslation)
