"""Template helpers of the schema plugin: the choices of the forms' controlled fields.

Every ``choices_helper`` that schemas/*.yaml names is here, so the forms do not depend on
another tgn_* plugin being switched on.
"""

from __future__ import annotations

from typing import Any

from ckanext.tgn.lib import refdata, vocab


def tgn_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a field from its ``vocabulary``: URI as value, French and English labels."""
    return [
        {"value": c.uri, "label": {"fr": c.fr, "en": c.en}}
        for c in vocab.vocabulary(field["vocabulary"]).concepts
    ]


def tgn_format_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """File types by code (CKAN's ``format`` stays short: CSV, XLSX...), labelled in French."""
    return [
        {"value": c.code, "label": {"fr": c.fr, "en": c.en}}
        for c in vocab.vocabulary("file-type").concepts
    ]


def tgn_table_schema_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Every version of every national Table Schema, then "autre schéma"."""
    choices = [
        {"value": url, "label": label}
        for url, label in sorted(vocab.table_schema_urls().items(), key=lambda item: item[1])
    ]
    other = {
        "fr": "Autre schéma (indiquez son adresse ci-dessous)",
        "en": "Other schema (give its URL below)",
    }
    return [*choices, {"value": vocab.OTHER_SCHEMA, "label": other}]


def tgn_territory_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Choices of the dataset field "Couverture territoriale": département, EPCI, communes.

    Used as a scheming ``choices_helper``, so the form lists territories by name.
    """
    order = {refdata.KIND_DEPARTEMENT: 0, refdata.KIND_EPCI: 1, refdata.KIND_COMMUNE: 2}
    found = sorted(refdata.territories().values(), key=lambda t: (order[t.kind], t.name))
    return [{"value": t.code, "label": refdata.territory_label(t)} for t in found]
