"""Template helpers of the schema plugin: vocabulary choices for the forms."""

from __future__ import annotations

from typing import Any

from ckanext.tgn.schema import vocab


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


def tgn_licence_url(licence_id: str) -> str | None:
    """The canonical URL of a licence of the platform (the one data.gouv.fr matches)."""
    return next((lic["url"] for lic in vocab.licences() if lic["id"] == licence_id), None)
