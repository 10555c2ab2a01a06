"""Helpers for scripting a fake model: one step per model call."""

from __future__ import annotations

import json
from collections.abc import Callable

from labkit.llm import ChatRequest, Completion, FakeChatModel, ToolCall

Step = Callable[[ChatRequest], Completion | str]


def call(name: str, **arguments: object) -> Step:
    """A scripted step: the model asks for one tool call."""
    return lambda _: Completion("", tool_calls=(ToolCall(name, arguments, id=f"call_{name}"),))


def last_tool_result(request: ChatRequest) -> dict[str, object]:
    """The JSON of the newest tool result the model was shown."""
    content = next(m.content for m in reversed(request.messages) if m.role == "tool")
    parsed: dict[str, object] = json.loads(content)
    return parsed


def scripted(*steps: Step) -> FakeChatModel:
    """A test double that plays ``steps`` in order, one per model call."""
    queue = list(steps)

    def handler(request: ChatRequest) -> Completion | str:
        if not queue:
            raise AssertionError("the graph called the model more often than scripted")
        return queue.pop(0)(request)

    return FakeChatModel(handler, model="fake-scripted")
