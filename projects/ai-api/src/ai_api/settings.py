"""Typed settings read from ``AI_API_*`` environment variables when they are asked for."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    Attributes:
        database_url: SQLAlchemy URL of Postgres, e.g. ``postgresql+psycopg://u:p@db/ai``.
        redis_url: URL of the Redis-compatible server for quotas, cache and events.
        jwt_secret: The HMAC key that signs access tokens; at least 32 characters.
        jwt_issuer: The ``iss`` claim tokens carry and the API insists on.
        access_token_ttl_s: How long an access token is valid.
        cache_ttl_s: How long a cached completion is served before the model is asked again.
        summary_max_tokens: The most tokens the model may write per summary.
        events_stream: The Redis stream the outbox relay publishes to.
        host: Interface uvicorn binds to.
        port: Port uvicorn listens on.

    """

    model_config = SettingsConfigDict(env_prefix="AI_API_", extra="ignore")

    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379/0"
    jwt_secret: SecretStr
    jwt_issuer: str = "ai-api"
    access_token_ttl_s: int = Field(default=900, gt=0)
    cache_ttl_s: int = Field(default=3600, gt=0)
    summary_max_tokens: int = Field(default=48, gt=0, le=1024)
    events_stream: str = "ai-api.events"
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("jwt_secret")
    @classmethod
    def _long_secret(cls, secret: SecretStr) -> SecretStr:
        """Refuse guessable signing keys, and say how to make a good one."""
        if len(secret.get_secret_value()) < 32:
            raise ValueError(
                "AI_API_JWT_SECRET must be at least 32 characters; make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return secret

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, url: str) -> str:
        """Accept ``postgresql://`` URLs too, by naming SQLAlchemy's psycopg 3 driver."""
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise ValueError(f"AI_API_DATABASE_URL must look like postgresql://…, got {url!r}")
        return f"postgresql+psycopg://{rest}" if scheme in {"postgres", "postgresql"} else url
