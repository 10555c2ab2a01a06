"""Decorator: caching and telemetry wrapped around any chat model, without touching it."""

from template_service.decorator.chat_models import CachedChatModel, CacheStats, TelemetryChatModel

__all__ = ["CacheStats", "CachedChatModel", "TelemetryChatModel"]
