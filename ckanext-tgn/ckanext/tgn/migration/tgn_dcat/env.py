"""Alembic environment of the tgn_dcat plugin: its own version table, its own tables."""

from __future__ import annotations

from ckanext.tgn.dcat.store import metadata
from ckanext.tgn.lib.migration_env import run

run(metadata, __file__)
