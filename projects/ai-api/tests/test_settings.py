"""Settings refuse what would be unsafe and accept the URL forms people paste."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ai_api.settings import Settings

SECRET = "x" * 32


def test_is_a_plain_postgres_url_given_the_psycopg_driver() -> None:
    settings = Settings(database_url="postgresql://u@db:5432/ai", jwt_secret=SECRET)
    assert settings.database_url == "postgresql+psycopg://u@db:5432/ai"


def test_is_a_short_jwt_secret_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters; make one with"):
        Settings(jwt_secret="short")


def test_is_a_url_without_scheme_refused_with_an_example() -> None:
    with pytest.raises(ValidationError, match=r"postgresql://"):
        Settings(database_url="db:5432", jwt_secret=SECRET)
