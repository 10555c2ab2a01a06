"""Alembic migrations of the ai_api schema."""
