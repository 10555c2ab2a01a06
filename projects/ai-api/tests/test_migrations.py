"""Alembic migrations go up and down on a real Postgres and match the ORM models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from ai_api.migrate import downgrade, upgrade
from ai_api.models import Base


def test_do_migrations_round_trip_and_match_the_models(database_url: str) -> None:
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS migration_check"))
        connection.execute(text("CREATE DATABASE migration_check"))
    url = make_url(database_url).set(database="migration_check").render_as_string(False)
    try:
        upgrade(url)
        engine = create_engine(url)
        with engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert drift == [], f"models and migrations differ: {drift}"
        downgrade(url)
        assert inspect(engine).get_table_names() == ["alembic_version"]
        upgrade(url)
        assert "outbox" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS migration_check WITH (FORCE)"))
        admin.dispose()
