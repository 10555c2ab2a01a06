"""The Anthropic adapter, through the official ``anthropic`` SDK (the Messages API)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import anthropic

from labkit.errors import LLMError
from labkit.llm._errors import error_for_status, timeout_error
from labkit.llm.adapter import ChatModelBase, json_instruction, parse_tool_arguments
from labkit.llm.base import ChatRequest, Completion, Message, StreamDelta, ToolCall, Usage


class AnthropicChatModel(ChatModelBase):
    """A ``ChatModel`` over Anthropic's Messages API.

    System turns go to the ``system`` parameter and tool results become ``tool_result``
    blocks in a user turn. A JSON Schema ``response_format`` becomes a structured output
    (``output_config.format``); ``"json"`` becomes an instruction in the system prompt.
    ``temperature`` is not sent: the Messages API the SDK speaks (2.x, API version
    2026-10-21) has no sampling parameters and rejects them.

    Example:
        >>> import anthropic
        >>> llm = AnthropicChatModel(anthropic.Anthropic(), "claude-haiku-4-5")

    """

    def __init__(self, client: anthropic.Anthropic, model: str) -> None:
        """Wrap an SDK client.

        Args:
            client: A configured ``anthropic.Anthropic``.
            model: The model to call, e.g. ``claude-haiku-4-5``.

        """
        self.client = client
        self.model = model

    def _complete(self, request: ChatRequest) -> Completion:
        response = self.client.messages.create(**self._params(request))
        text = "".join(block.text for block in response.content if block.type == "text")
        calls = tuple(
            ToolCall(block.name, dict(block.input), block.id)
            for block in response.content
            if block.type == "tool_use"
        )
        return Completion(
            text=text,
            tool_calls=calls,
            usage=Usage(response.usage.input_tokens, response.usage.output_tokens),
            model=response.model,
            finish_reason=response.stop_reason,
        )

    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]:
        input_tokens = output_tokens = 0
        finish: str | None = None
        calls: dict[int, dict[str, str]] = {}
        with self.client.messages.create(**self._params(request), stream=True) as events:
            for event in events:
                if event.type == "message_start":
                    input_tokens = event.message.usage.input_tokens
                elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                    block = event.content_block
                    calls[event.index] = {"id": block.id, "name": block.name, "args": ""}
                elif event.type == "content_block_delta":
                    if event.delta.type == "text_delta":
                        yield StreamDelta(text=event.delta.text)
                    elif event.delta.type == "input_json_delta":
                        calls[event.index]["args"] += event.delta.partial_json
                elif event.type == "content_block_stop" and event.index in calls:
                    call = calls.pop(event.index)
                    arguments = parse_tool_arguments(call["args"], call["name"])
                    yield StreamDelta(tool_call=ToolCall(call["name"], arguments, call["id"]))
                elif event.type == "message_delta":
                    output_tokens = event.usage.output_tokens
                    finish = event.delta.stop_reason or finish
        yield StreamDelta(usage=Usage(input_tokens, output_tokens), finish_reason=finish)

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": _to_anthropic(request.messages),
            "max_tokens": request.max_tokens,
            "timeout": request.timeout,
        }
        if isinstance(request.response_format, Mapping):
            schema = dict(request.response_format)
            params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        system = request.system_text(
            json_instruction("json") if request.response_format == "json" else None
        )
        if system:
            params["system"] = system
        if request.stop:
            params["stop_sequences"] = list(request.stop)
        if request.tools:
            params["tools"] = [
                {
                    "name": tool.name,
                    "description": tool.description,
                    "input_schema": dict(tool.parameters),
                }
                for tool in request.tools
            ]
        return params

    def _map_error(self, error: Exception) -> LLMError | None:
        key = "ANTHROPIC_API_KEY"
        if isinstance(error, anthropic.APITimeoutError):
            return timeout_error("anthropic")
        if isinstance(error, anthropic.APIStatusError):
            return error_for_status(error.status_code, "anthropic", error.message, key)
        if isinstance(error, anthropic.APIConnectionError):
            return error_for_status(None, "anthropic", str(error), key)
        return None


def _to_anthropic(messages: tuple[Message, ...]) -> list[dict[str, Any]]:
    """Turn the non-system turns into Messages API turns, merging neighbours of one role."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        blocks: list[dict[str, Any]]
        if message.role == "tool":
            result = {"type": "tool_result", "tool_use_id": message.tool_call_id}
            blocks = [{**result, "content": message.content}]
        else:
            blocks = [{"type": "text", "text": message.content}] if message.content else []
            blocks += [
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.name,
                    "input": dict(call.arguments),
                }
                for call in message.tool_calls
            ]
        role = "assistant" if message.role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns
