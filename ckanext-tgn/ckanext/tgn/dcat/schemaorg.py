"""schema.org JSON-LD of dataset pages (ckanext-dcat's structured_data), with our fields."""

from __future__ import annotations

from ckanext.dcat.profiles import SchemaOrgProfile


class TgnSchemaOrgProfile(SchemaOrgProfile):
    """Placeholder, filled by the issue-14 work."""
