"""The chat model port: the one interface the service needs from any LLM provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One turn of a conversation.

    Attributes:
        role: ``system``, ``user`` or ``assistant``.
        content: The text of the turn.
    """

    role: Role
    content: str


@dataclass(frozen=True)
class Usage:
    """Tokens a call consumed, as the provider counted them."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A finished answer.

    Attributes:
        text: The answer's text.
        model: The model that answered, as the provider names it.
        usage: Tokens in and out.
        cached: True when a cache answered instead of the provider.
    """

    text: str
    model: str
    usage: Usage = Usage()
    cached: bool = False


class ProviderError(Exception):
    """A provider could not answer: network failure, bad status or a malformed response."""


@runtime_checkable
class ChatModel(Protocol):
    r"""The port every chat model adapter implements (OpenAI, Anthropic, extractive, fakes).

    Example:
        >>> from template_service.adapter import ExtractiveChatModel
        >>> chat_model: ChatModel = ExtractiveChatModel()
        >>> chat_model.complete([Message("user", "Tea is hot. Tea is tea.")], max_tokens=5).text
        'Tea is tea.'
    """

    @property
    def model(self) -> str:
        """The model's name, as the provider names it."""
        ...

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Answer the conversation.

        Args:
            messages: The conversation so far, oldest first.
            max_tokens: The most tokens to generate.
            temperature: 0 is (near) deterministic.

        Raises:
            ProviderError: The provider failed; the caller decides whether to retry.
        """
        ...
