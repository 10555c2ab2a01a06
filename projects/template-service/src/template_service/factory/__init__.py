"""Factory: build the configured chat model from settings, in one place."""

from template_service.factory.chat_models import PROVIDERS, ConfigError, build_chat_model

__all__ = ["PROVIDERS", "ConfigError", "build_chat_model"]
