"""Alembic wiring shared by every service: run a service's migrations programmatically on its database."""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade_to_head(script_location: Path, database_url: str) -> None:
    """Run in the pre-start step (`python -m <service> migrate`), never at import time."""
    # "heads": a service may carry independent migration branches (e.g. directory and accounts).
    command.upgrade(alembic_config(script_location, database_url), "heads")


def run_env(target_metadata: MetaData | None) -> None:
    """Body of every service's alembic env.py (online mode, async engine)."""

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        url = context.config.get_main_option("sqlalchemy.url")
        assert url, "sqlalchemy.url must be set"
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
