"""Alembic environment of the tgn_validation plugin: its own version table, its own tables."""

from __future__ import annotations

from ckanext.tgn.lib.migration_env import run
from ckanext.tgn.validation.reports import metadata

run(metadata, __file__)
