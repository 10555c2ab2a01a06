"""Alembic environment: online migrations against the URL the caller passes in."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from ai_api.models import Base
from ai_api.settings import Settings


def _database_url() -> str:
    url = context.config.attributes.get("database_url") or os.environ.get("AI_API_DATABASE_URL")
    if not url:
        raise RuntimeError("set AI_API_DATABASE_URL, or call ai_api.migrate.upgrade(url)")
    return str(Settings._psycopg_driver(url))


def run_migrations_online() -> None:
    """Run the migrations in one transaction (Postgres has transactional DDL)."""
    engine = create_engine(_database_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
