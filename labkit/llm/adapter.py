"""What every chat model adapter shares: ``ChatModelBase`` and helpers for building requests."""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from labkit.errors import LLMError
from labkit.llm.base import (
    ChatRequest,
    Completion,
    Message,
    MessageLike,
    ResponseFormat,
    StreamDelta,
    Tool,
    as_message,
)


class ChatModelBase(ABC):
    """What every adapter shares: argument normalisation, timing, error mapping, a safe repr.

    Subclasses implement ``_complete`` and ``_stream`` over a ``ChatRequest`` and
    ``_map_error`` to turn their SDK's exceptions into ``LLMError`` subclasses.
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
        """Answer the conversation; see ``ChatModel.complete``."""
        request = _request(messages, tools, response_format, max_tokens, temperature, stop, timeout)
        start = time.perf_counter()
        with self._mapped_errors():
            completion = self._complete(request)
        return replace(
            completion,
            model=completion.model or self.model,
            latency_s=time.perf_counter() - start,
        )

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
        """Answer piece by piece; see ``ChatModel.stream``."""
        request = _request(messages, tools, response_format, max_tokens, temperature, stop, timeout)
        with self._mapped_errors():
            yield from self._stream(request)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r})"

    @abstractmethod
    def _complete(self, request: ChatRequest) -> Completion: ...

    @abstractmethod
    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]: ...

    def _map_error(self, error: Exception) -> LLMError | None:
        """Translate an SDK exception, or return None to let it through unchanged."""
        return None

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        try:
            yield
        except LLMError:
            raise
        except Exception as error:
            mapped = self._map_error(error)
            if mapped is None:
                raise
            raise mapped from error


def _request(
    messages: Sequence[MessageLike],
    tools: Sequence[Tool] | None,
    response_format: ResponseFormat | None,
    max_tokens: int,
    temperature: float | None,
    stop: Sequence[str] | None,
    timeout: float | None,
) -> ChatRequest:
    if isinstance(messages, str | Mapping | Message):
        raise TypeError("messages must be a list of messages, e.g. [{'role': 'user', ...}]")
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    return ChatRequest(
        messages=tuple(as_message(m) for m in messages),
        tools=tuple(tools or ()),
        response_format=None if response_format == "text" else response_format,
        max_tokens=max_tokens,
        temperature=temperature,
        stop=tuple(stop or ()),
        timeout=timeout,
    )


def parse_tool_arguments(text: str, tool: str) -> dict[str, Any]:
    """Parse a tool call's JSON arguments; an empty string means no arguments.

    Raises:
        LLMError: The model wrote arguments that are not a JSON object.

    """
    try:
        arguments = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise LLMError(
            f"the model called {tool} with arguments that are not JSON: {text!r}"
        ) from error
    if not isinstance(arguments, dict):
        raise LLMError(f"the model called {tool} with arguments that are not an object: {text!r}")
    return arguments


def json_instruction(response_format: ResponseFormat | None) -> str | None:
    """Write the system-prompt sentence that asks for JSON, for adapters without JSON mode."""
    if response_format is None or response_format == "text":
        return None
    if response_format == "json":
        return "Answer with a single JSON object and nothing else."
    schema = json.dumps(response_format, separators=(",", ":"))
    return f"Answer with a single JSON object, and nothing else, that follows this schema: {schema}"
