"""The alembic environment every plugin's migrations share: its own version table
(``<plugin>_alembic_version``), and autogenerate that compares only its own tables."""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import TYPE_CHECKING

from alembic import context
from sqlalchemy import MetaData, engine_from_config, pool

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterType
    from sqlalchemy.schema import SchemaItem


def run(metadata: MetaData, env_file: str) -> None:
    """Run the migrations of the plugin whose ``env.py`` is ``env_file``."""
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)
    version_table = f"{os.path.basename(os.path.dirname(env_file))}_alembic_version"

    def ours(
        obj: SchemaItem,
        name: str | None,
        type_: NameFilterType,
        reflected: bool,
        compare_to: SchemaItem | None,
    ) -> bool:
        return type_ != "table" or name in metadata.tables

    options = {"target_metadata": metadata, "version_table": version_table, "include_object": ours}
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
