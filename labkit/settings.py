"""Course-wide settings, read from ``LABKIT_*`` environment variables when called."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "labkit"


class Settings(BaseSettings):
    """Everything a notebook, lab or capstone may be configured with.

    Each field is read from the environment with the ``LABKIT_`` prefix, e.g.
    ``LABKIT_SMOKE=1`` or ``LABKIT_CHAT_MODEL=openai:gpt-4o-mini``. A ``.env`` file in the
    working directory is read too. Provider keys keep their usual names
    (``OPENAI_API_KEY`` …) and are never printed.

    Example:
        >>> settings = get_settings()
        >>> settings.smoke
        False

    """

    model_config = SettingsConfigDict(
        env_prefix="LABKIT_", env_file=".env", extra="ignore", frozen=True
    )

    smoke: bool = Field(False, description="Shrink data, steps and epochs; CI sets it.")
    chat_model: str = Field(
        "local:smollm2-135m-instruct",
        description=(
            "local:<name> | hf:<repo> | openai:<model> | azure-openai:<deployment> | "
            "anthropic:<model> | gemini:<model> | openai-compatible:<base_url>#<model>"
        ),
    )
    embedding_model: str = Field("local:all-minilm-l6-v2", description="local:<name> | hf:<repo>")
    device: str = Field("auto", description="auto | cpu | cuda | mps")
    offline: bool = Field(
        True, description="Never reach a model or dataset hub; set false to opt in."
    )
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    data_dir: Path | None = Field(
        None, description="Where the shipped datasets live; defaults to the repo's data/."
    )
    seed: int = 0

    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    azure_openai_api_key: SecretStr | None = Field(None, validation_alias="AZURE_OPENAI_API_KEY")
    azure_openai_endpoint: str | None = Field(None, validation_alias="AZURE_OPENAI_ENDPOINT")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    gemini_api_key: SecretStr | None = Field(None, validation_alias="GEMINI_API_KEY")

    def provider_keys(self) -> list[str]:
        """Names (never values) of the provider keys that are set."""
        names = {
            "OPENAI_API_KEY": self.openai_api_key,
            "AZURE_OPENAI_API_KEY": self.azure_openai_api_key,
            "ANTHROPIC_API_KEY": self.anthropic_api_key,
            "GEMINI_API_KEY": self.gemini_api_key,
        }
        return sorted(name for name, value in names.items() if value is not None)

    def smoke_size(self, full: int, smoke: int) -> int:
        """Pick a size: ``full`` normally, ``smoke`` in smoke mode. The code path is the same.

        Example:
            >>> n_epochs = settings.smoke_size(full=20, smoke=2)

        """
        return smoke if self.smoke else full


@cache
def _cached() -> Settings:
    return Settings()


def get_settings(*, reload: bool = False) -> Settings:
    """Return the settings, read from the environment on first call (or when ``reload``)."""
    if reload:
        _cached.cache_clear()
    return _cached()
