"""Typed settings, read from ``TEMPLATE_SERVICE_*`` environment variables when called."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Provider = Literal["extractive", "openai", "anthropic"]


class Settings(BaseSettings):
    """Everything the service can be configured with.

    Each field comes from the environment with the ``TEMPLATE_SERVICE_`` prefix, e.g.
    ``TEMPLATE_SERVICE_CHAT_PROVIDER=openai``, or from a ``.env`` file. Secrets are
    ``SecretStr``, so they never appear in a repr or a log line.

    Example:
        >>> Settings(chat_provider="extractive").cache_size
        256
    """

    model_config = SettingsConfigDict(
        env_prefix="TEMPLATE_SERVICE_", env_file=".env", extra="ignore", frozen=True
    )

    app_name: str = "template-service"
    environment: Literal["dev", "test", "prod"] = "dev"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    chat_provider: Provider = Field(
        "extractive", description="extractive (offline, no key) | openai | anthropic"
    )
    chat_model: str = Field("", description="The provider's model name; empty for its default.")
    api_key: SecretStr | None = Field(None, description="The provider's API key.")
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_base_url: str = "https://api.anthropic.com"
    request_timeout_s: float = Field(30.0, gt=0)

    cache_size: int = Field(256, ge=0, description="Cached completions; 0 turns the cache off.")
    max_input_words: int = Field(2_000, ge=1, description="Longer texts are refused with 413.")


def get_settings() -> Settings:
    """Read the settings from the environment now (never at import time)."""
    return Settings()
