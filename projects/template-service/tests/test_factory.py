"""The factory builds the configured adapter, and explains a bad configuration."""

from __future__ import annotations

import httpx
import pytest

from template_service.adapter import AnthropicChatModel, ExtractiveChatModel, OpenAIChatModel
from template_service.factory import ConfigError, build_chat_model
from template_service.ports import Message
from template_service.settings import Provider, Settings


def test_is_the_default_provider_offline(settings: Settings) -> None:
    """Do default settings build the extractive model, which needs no key or network?"""
    assert isinstance(build_chat_model(settings), ExtractiveChatModel)


@pytest.mark.parametrize(
    ("provider", "adapter_class", "header", "value"),
    [
        ("openai", OpenAIChatModel, "authorization", "Bearer sk-test"),
        ("anthropic", AnthropicChatModel, "x-api-key", "sk-test"),
    ],
)
def test_does_the_factory_configure_auth_and_model(
    provider: Provider, adapter_class: type, header: str, value: str
) -> None:
    """Does each provider get its auth header, base URL and model name from settings?"""
    seen: list[httpx.Request] = []
    body = {
        "choices": [{"message": {"content": "ok"}}],
        "content": [{"type": "text", "text": "ok"}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    settings = Settings(
        _env_file=None, chat_provider=provider, api_key="sk-test", chat_model="my-model"
    )
    chat_model = build_chat_model(settings, transport=httpx.MockTransport(handler))
    assert isinstance(chat_model, adapter_class)
    assert chat_model.model == "my-model"
    assert chat_model.complete([Message("user", "hi")]).text == "ok"
    assert seen[0].headers[header] == value


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_does_a_missing_key_say_what_to_set(provider: Provider) -> None:
    """Does a paid provider without a key fail at build time, naming the variable to set?"""
    settings = Settings(_env_file=None, chat_provider=provider)
    with pytest.raises(ConfigError, match="TEMPLATE_SERVICE_API_KEY"):
        build_chat_model(settings)


def test_does_an_unknown_provider_list_the_known_ones() -> None:
    """Does a provider missing from the registry raise ConfigError with the choices?"""
    settings = Settings.model_construct(chat_provider="llama-farm")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="choose one of: anthropic, extractive, openai"):
        build_chat_model(settings)


def test_are_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does TEMPLATE_SERVICE_* configure the service, with the key kept secret?"""
    monkeypatch.setenv("TEMPLATE_SERVICE_CHAT_PROVIDER", "openai")
    monkeypatch.setenv("TEMPLATE_SERVICE_API_KEY", "sk-secret")
    monkeypatch.setenv("TEMPLATE_SERVICE_CACHE_SIZE", "3")
    from template_service.settings import get_settings

    settings = get_settings()
    assert (settings.chat_provider, settings.cache_size) == ("openai", 3)
    assert "sk-secret" not in repr(settings)
