"""The chat model port: the ``ChatModel`` Protocol and the value types it speaks in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]
ResponseFormat: TypeAlias = Literal["text", "json"] | Mapping[str, Any]
"""``"text"``, ``"json"`` (any JSON object) or a JSON Schema the answer must follow."""


@dataclass(frozen=True)
class ToolCall:
    """The model asks the caller to run a tool.

    Attributes:
        name: The tool's name, as given in ``Tool.name``.
        arguments: The parsed JSON arguments.
        id: The provider's id for this call; a tool result refers back to it.

    """

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass(frozen=True)
class Message:
    """One turn of a conversation; plain ``{"role": ..., "content": ...}`` dicts work too.

    Attributes:
        role: ``system``, ``user``, ``assistant`` or ``tool`` (a tool's result).
        content: The text of the turn.
        tool_calls: The calls an assistant turn made.
        tool_call_id: For a tool result, the id of the call it answers.
        name: For a tool result, the tool's name.

    """

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def tool_result(cls, call: ToolCall, content: str) -> Message:
        """Build the ``tool`` turn that answers ``call`` with ``content``."""
        return cls("tool", content, tool_call_id=call.id, name=call.name)


MessageLike: TypeAlias = Message | Mapping[str, Any]


def as_message(message: MessageLike) -> Message:
    """Accept a ``Message`` or a plain dict such as ``{"role": "user", "content": "Hi"}``."""
    if isinstance(message, Message):
        return message
    if message.get("role") not in ("system", "user", "assistant", "tool"):
        raise ValueError(
            f"a message needs a role of system, user, assistant or tool; got {dict(message)!r}"
        )
    calls = tuple(
        call if isinstance(call, ToolCall) else ToolCall(**call)
        for call in message.get("tool_calls") or ()
    )
    return Message(
        message["role"],
        message.get("content") or "",
        tool_calls=calls,
        tool_call_id=message.get("tool_call_id"),
        name=message.get("name"),
    )


@dataclass(frozen=True)
class Tool:
    """A function the model may ask to call.

    Attributes:
        name: A short identifier such as ``get_weather``.
        description: What the tool does; the model reads it to decide.
        parameters: A JSON Schema object for the arguments.

    """

    name: str
    description: str
    parameters: Mapping[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )


@dataclass(frozen=True)
class Usage:
    """Tokens a call consumed, as the provider (or the local tokenizer) counted them."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens
        )


@dataclass(frozen=True)
class Completion:
    """A finished answer.

    Attributes:
        text: The answer's text; empty when the model only called tools.
        tool_calls: The tools the model asks the caller to run.
        usage: Tokens in and out.
        model: The model that answered, as the provider names it.
        latency_s: Wall-clock seconds the call took.
        finish_reason: Why it stopped, in the provider's words (``stop``, ``length`` …).

    """

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""
    latency_s: float = 0.0
    finish_reason: str | None = None


@dataclass(frozen=True)
class StreamDelta:
    """One piece of a streamed answer.

    Text arrives piece by piece. A tool call arrives whole, once its arguments are complete.
    The last delta carries the ``usage`` and the ``finish_reason``.
    """

    text: str = ""
    tool_call: ToolCall | None = None
    usage: Usage | None = None
    finish_reason: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    """Everything one ``complete`` or ``stream`` call asked for, normalised."""

    messages: tuple[Message, ...]
    tools: tuple[Tool, ...] = ()
    response_format: ResponseFormat | None = None
    max_tokens: int = 256
    temperature: float | None = 0.0
    stop: tuple[str, ...] = ()
    timeout: float | None = 60.0

    def system_text(self, *extra: str | None) -> str:
        """Join the system turns with ``extra`` instructions, for adapters with one system slot."""
        parts = [m.content for m in self.messages if m.role == "system"]
        return "\n\n".join(part for part in (*parts, *extra) if part)


@runtime_checkable
class ChatModel(Protocol):
    """The port every chat model adapter implements: local, OpenAI, Anthropic, Gemini, fake.

    Example:
        >>> from labkit.models import chat_model
        >>> llm = chat_model()  # LABKIT_CHAT_MODEL picks the adapter
        >>> answer = llm.complete([{"role": "user", "content": "Say hi"}], max_tokens=20)
        >>> answer.text, answer.usage.output_tokens, answer.latency_s  # doctest: +SKIP
        ('Hi! How can I help?', 9, 0.8)
        >>> for delta in llm.stream([{"role": "user", "content": "Count to 3"}]):
        ...     print(delta.text, end="")  # doctest: +SKIP
        1, 2, 3

    """

    model: str

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[Tool] | None = None,
        response_format: ResponseFormat | None = None,
        max_tokens: int = 256,
        temperature: float | None = 0.0,
        stop: Sequence[str] | None = None,
        timeout: float | None = 60.0,
    ) -> Completion:
        """Answer the conversation.

        Args:
            messages: The conversation so far, oldest first.
            tools: Functions the model may ask to call; see ``Completion.tool_calls``.
            response_format: ``"json"`` or a JSON Schema to ask for a JSON answer.
            max_tokens: The most tokens to generate.
            temperature: 0 is (near) deterministic; ``None`` keeps the provider's default.
            stop: Strings that end the answer; they are not included in it.
            timeout: Seconds to wait before raising ``LLMTimeout``.

        Raises:
            LLMError: One of its subclasses, whatever the provider.

        """
        ...

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[Tool] | None = None,
        response_format: ResponseFormat | None = None,
        max_tokens: int = 256,
        temperature: float | None = 0.0,
        stop: Sequence[str] | None = None,
        timeout: float | None = 60.0,
    ) -> Iterator[StreamDelta]:
        """Answer like ``complete``, yielding ``StreamDelta`` pieces as they arrive."""
        ...
