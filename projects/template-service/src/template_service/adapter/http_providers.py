"""HTTP adapters for two provider APIs whose requests and responses differ in shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from template_service.ports import Completion, Message, ProviderError, Usage


def _post_json(client: httpx.Client, url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST ``payload`` and return the JSON body; every failure becomes ``ProviderError``."""
    try:
        response = client.post(url, json=payload)
        response.raise_for_status()
        body = response.json()
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise ProviderError(f"{url} answered HTTP {status}: {error.response.text[:200]}") from error
    except (httpx.HTTPError, ValueError) as error:
        raise ProviderError(f"{url} failed: {error}") from error
    if not isinstance(body, dict):
        raise ProviderError(f"{url} returned JSON that is not an object")
    return body


class OpenAIChatModel:
    """The OpenAI Chat Completions shape (also vLLM, Ollama, LM Studio, Azure-compatible).

    Response: ``{"choices": [{"message": {"content": ...}}], "usage": {"prompt_tokens": ...,
    "completion_tokens": ...}, "model": ...}``.
    """

    def __init__(self, client: httpx.Client, *, model: str = "gpt-4o-mini") -> None:
        """Talk to the API through ``client``, whose base URL and auth header are set."""
        self.client = client
        self.model = model

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Call ``/chat/completions`` and map the answer to a ``Completion``."""
        body = _post_json(
            self.client,
            "/chat/completions",
            {
                "model": self.model,
                "messages": [{"role": m.role, "content": m.content} for m in messages],
                "max_tokens": max_tokens,
                "temperature": temperature,
            },
        )
        try:
            text = body["choices"][0]["message"]["content"] or ""
            usage = body.get("usage") or {}
            return Completion(
                text=text,
                model=body.get("model", self.model),
                usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
            )
        except (KeyError, IndexError, TypeError) as error:
            raise ProviderError(f"unexpected OpenAI response shape: {body!r:.200}") from error


class AnthropicChatModel:
    """The Anthropic Messages shape: the system prompt is a field, the answer a list of blocks.

    Response: ``{"content": [{"type": "text", "text": ...}], "usage": {"input_tokens": ...,
    "output_tokens": ...}, "model": ...}``.
    """

    def __init__(self, client: httpx.Client, *, model: str = "claude-3-5-haiku-latest") -> None:
        """Talk to the API through ``client``, whose base URL and auth headers are set."""
        self.client = client
        self.model = model

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Call ``/v1/messages`` and join the answer's text blocks into a ``Completion``."""
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        payload: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "messages": [
                {"role": m.role, "content": m.content} for m in messages if m.role != "system"
            ],
        }
        if system:
            payload["system"] = system
        body = _post_json(self.client, "/v1/messages", payload)
        try:
            text = "".join(b["text"] for b in body["content"] if b.get("type") == "text")
            usage = body.get("usage") or {}
            return Completion(
                text=text,
                model=body.get("model", self.model),
                usage=Usage(usage.get("input_tokens", 0), usage.get("output_tokens", 0)),
            )
        except (KeyError, TypeError) as error:
            raise ProviderError(f"unexpected Anthropic response shape: {body!r:.200}") from error
