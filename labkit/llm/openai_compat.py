"""The OpenAI adapter, via the ``openai`` SDK: OpenAI, Azure OpenAI, vLLM, llama.cpp, Ollama."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import openai

from labkit.errors import LLMError
from labkit.llm._errors import error_for_status, timeout_error
from labkit.llm.adapter import ChatModelBase, json_instruction, parse_tool_arguments
from labkit.llm.base import ChatRequest, Completion, Message, StreamDelta, ToolCall, Usage


class OpenAIChatModel(ChatModelBase):
    """A ``ChatModel`` over the Chat Completions API of OpenAI or any compatible server.

    The same class serves OpenAI (``openai.OpenAI``), Azure OpenAI (``openai.AzureOpenAI``,
    where ``model`` is the deployment name) and servers that speak the same protocol, such as
    vLLM, the llama.cpp server and Ollama (``openai.OpenAI(base_url=...)``).

    Example:
        >>> import openai
        >>> client = openai.OpenAI(base_url="http://127.0.0.1:11434/v1", api_key="unused")
        >>> llm = OpenAIChatModel(client, "qwen2.5:0.5b", provider="ollama",
        ...                       token_limit_param="max_tokens")

    """

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        provider: str = "openai",
        key_name: str = "OPENAI_API_KEY",
        token_limit_param: str = "max_completion_tokens",
    ) -> None:
        """Wrap an SDK client.

        Args:
            client: A configured ``openai.OpenAI`` or ``openai.AzureOpenAI``.
            model: The model (or Azure deployment) to call.
            provider: The name used in error messages.
            key_name: The environment variable an auth error points to.
            token_limit_param: ``max_completion_tokens`` (OpenAI, Azure) or ``max_tokens``
                (older compatible servers).

        """
        self.client = client
        self.model = model
        self.provider = provider
        self.key_name = key_name
        self.token_limit_param = token_limit_param

    def _complete(self, request: ChatRequest) -> Completion:
        response = self.client.chat.completions.create(**self._params(request))
        choice = response.choices[0]
        calls = tuple(
            ToolCall(
                call.function.name,
                parse_tool_arguments(call.function.arguments, call.function.name),
                call.id,
            )
            for call in choice.message.tool_calls or ()
            if call.type == "function"
        )
        return Completion(
            text=choice.message.content or "",
            tool_calls=calls,
            usage=_usage(response.usage),
            model=response.model,
            finish_reason=choice.finish_reason,
        )

    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]:
        params = self._params(request)
        pending: dict[int, dict[str, str]] = {}
        usage, finish = Usage(), None
        with self.client.chat.completions.create(
            **params, stream=True, stream_options={"include_usage": True}
        ) as chunks:
            for chunk in chunks:
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield StreamDelta(text=choice.delta.content)
                    for part in choice.delta.tool_calls or ():
                        slot = pending.setdefault(part.index, {"id": "", "name": "", "args": ""})
                        slot["id"] = part.id or slot["id"]
                        if part.function is not None:
                            slot["name"] = part.function.name or slot["name"]
                            slot["args"] += part.function.arguments or ""
                    finish = choice.finish_reason or finish
        for slot in pending.values():
            arguments = parse_tool_arguments(slot["args"], slot["name"])
            yield StreamDelta(tool_call=ToolCall(slot["name"], arguments, slot["id"]))
        yield StreamDelta(usage=usage, finish_reason=finish)

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        messages = [_to_openai(message) for message in request.messages]
        if request.response_format == "json":  # JSON mode insists the prompt says "JSON"
            messages.insert(0, {"role": "system", "content": json_instruction("json")})
        params: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            self.token_limit_param: request.max_tokens,
            "timeout": request.timeout,
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.stop:
            params["stop"] = list(request.stop)
        if request.tools:
            params["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": dict(tool.parameters),
                    },
                }
                for tool in request.tools
            ]
        if request.response_format == "json":
            params["response_format"] = {"type": "json_object"}
        elif isinstance(request.response_format, Mapping):
            schema = {"name": "answer", "schema": dict(request.response_format)}
            params["response_format"] = {"type": "json_schema", "json_schema": schema}
        return params

    def _map_error(self, error: Exception) -> LLMError | None:
        if isinstance(error, openai.APITimeoutError):
            return timeout_error(self.provider)
        if isinstance(error, openai.APIStatusError):
            return error_for_status(error.status_code, self.provider, error.message, self.key_name)
        if isinstance(error, openai.APIConnectionError):
            return error_for_status(None, self.provider, str(error), self.key_name)
        return None


def _to_openai(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    item: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        item["content"] = message.content or None
        item["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(dict(call.arguments))},
            }
            for call in message.tool_calls
        ]
    return item


def _usage(usage: openai.types.CompletionUsage | None) -> Usage:
    if usage is None:  # some compatible servers leave it out
        return Usage()
    return Usage(usage.prompt_tokens, usage.completion_tokens)
