"""Build a ``ChatModel`` from ``Settings``: the only module that knows every provider."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from template_service.adapter import AnthropicChatModel, ExtractiveChatModel, OpenAIChatModel
from template_service.ports import ChatModel
from template_service.settings import Settings

Builder = Callable[[Settings, httpx.BaseTransport | None], ChatModel]


class ConfigError(ValueError):
    """The settings cannot build a chat model; the message says which setting to fix."""


def _api_key(settings: Settings) -> str:
    if settings.api_key is None:
        raise ConfigError(
            f"chat_provider={settings.chat_provider!r} needs an API key: "
            "set TEMPLATE_SERVICE_API_KEY, or use TEMPLATE_SERVICE_CHAT_PROVIDER=extractive"
        )
    return settings.api_key.get_secret_value()


def _extractive(settings: Settings, transport: httpx.BaseTransport | None) -> ChatModel:
    return ExtractiveChatModel()


def _openai(settings: Settings, transport: httpx.BaseTransport | None) -> ChatModel:
    client = httpx.Client(
        base_url=settings.openai_base_url,
        headers={"Authorization": f"Bearer {_api_key(settings)}"},
        timeout=settings.request_timeout_s,
        transport=transport,
    )
    return OpenAIChatModel(client, model=settings.chat_model or "gpt-4o-mini")


def _anthropic(settings: Settings, transport: httpx.BaseTransport | None) -> ChatModel:
    client = httpx.Client(
        base_url=settings.anthropic_base_url,
        headers={"x-api-key": _api_key(settings), "anthropic-version": "2023-06-01"},
        timeout=settings.request_timeout_s,
        transport=transport,
    )
    return AnthropicChatModel(client, model=settings.chat_model or "claude-3-5-haiku-latest")


PROVIDERS: dict[str, Builder] = {
    "extractive": _extractive,
    "openai": _openai,
    "anthropic": _anthropic,
}


def build_chat_model(
    settings: Settings, *, transport: httpx.BaseTransport | None = None
) -> ChatModel:
    """Build the chat model that ``settings.chat_provider`` names.

    Args:
        settings: The service's settings.
        transport: An httpx transport for the HTTP providers; tests pass
            ``httpx.MockTransport`` so that nothing reaches the network.

    Raises:
        ConfigError: The provider is unknown or its API key is missing.

    Example:
        >>> build_chat_model(Settings(chat_provider="extractive")).model
        'extractive-v1'
    """
    try:
        builder = PROVIDERS[settings.chat_provider]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigError(
            f"unknown chat_provider {settings.chat_provider!r}; choose one of: {known}"
        ) from None
    return builder(settings, transport)
