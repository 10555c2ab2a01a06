"""The Gemini adapter, through the official ``google-genai`` SDK."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from google import genai
from google.genai import errors, types

from labkit.errors import LLMAuthError, LLMError
from labkit.llm._errors import error_for_status, is_httpx_error, timeout_error
from labkit.llm.adapter import ChatModelBase
from labkit.llm.base import ChatRequest, Completion, Message, StreamDelta, ToolCall, Usage

_KEY = "GEMINI_API_KEY"


class GeminiChatModel(ChatModelBase):
    """A ``ChatModel`` over the Gemini API (``generateContent``).

    Assistant turns become ``model`` turns, tool results become ``functionResponse`` parts
    (they need the tool's name: build them with ``Message.tool_result``), and
    ``response_format`` becomes Gemini's JSON mode.

    Example:
        >>> from google import genai
        >>> llm = GeminiChatModel(genai.Client(api_key="..."), "gemini-2.5-flash")

    """

    def __init__(self, client: genai.Client, model: str) -> None:
        """Wrap an SDK client.

        Args:
            client: A configured ``google.genai.Client``.
            model: The model to call, e.g. ``gemini-2.5-flash``.

        """
        self.client = client
        self.model = model

    def _complete(self, request: ChatRequest) -> Completion:
        response = self.client.models.generate_content(
            model=self.model, contents=_contents(request.messages), config=_config(request)
        )
        delta = _delta(response)
        text = "".join(part.text for part in _parts(response) if part.text and not part.thought)
        return Completion(
            text=text,
            tool_calls=_calls(response),
            usage=delta.usage or Usage(),
            model=response.model_version or self.model,
            finish_reason=delta.finish_reason,
        )

    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]:
        last = StreamDelta()
        for chunk in self.client.models.generate_content_stream(
            model=self.model, contents=_contents(request.messages), config=_config(request)
        ):
            for part in _parts(chunk):
                if part.text and not part.thought:
                    yield StreamDelta(text=part.text)
            for call in _calls(chunk):
                yield StreamDelta(tool_call=call)
            delta = _delta(chunk)  # each chunk repeats the running usage; keep the latest
            last = StreamDelta(
                usage=delta.usage or last.usage,
                finish_reason=delta.finish_reason or last.finish_reason,
            )
        yield StreamDelta(usage=last.usage or Usage(), finish_reason=last.finish_reason)

    def _map_error(self, error: Exception) -> LLMError | None:
        if is_httpx_error(error, "TimeoutException"):
            return timeout_error("gemini")
        if isinstance(error, errors.APIError):
            detail = error.message or str(error)
            if "API_KEY_INVALID" in str(error.details):  # Gemini says 400, not 401, for a bad key
                return LLMAuthError(f"gemini rejected the API key: {detail} Check {_KEY}.")
            return error_for_status(error.code, "gemini", detail, _KEY)
        if is_httpx_error(error, "TransportError"):
            return error_for_status(None, "gemini", str(error), _KEY)
        return None


def _config(request: ChatRequest) -> types.GenerateContentConfig:
    config = types.GenerateContentConfig(
        system_instruction=request.system_text() or None,
        max_output_tokens=request.max_tokens,
        temperature=request.temperature,
        stop_sequences=list(request.stop) or None,
    )
    if request.timeout is not None:
        config.http_options = types.HttpOptions(timeout=int(request.timeout * 1000))
    if request.tools:
        declarations = [
            types.FunctionDeclaration(
                name=tool.name,
                description=tool.description,
                parameters_json_schema=dict(tool.parameters),
            )
            for tool in request.tools
        ]
        config.tools = [types.Tool(function_declarations=declarations)]
        config.automatic_function_calling = types.AutomaticFunctionCallingConfig(disable=True)
    if request.response_format is not None:
        config.response_mime_type = "application/json"
        if isinstance(request.response_format, Mapping):
            config.response_json_schema = dict(request.response_format)
    return config


def _contents(messages: tuple[Message, ...]) -> list[types.Content]:
    names = {call.id: call.name for m in messages for call in m.tool_calls}
    contents = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            name = message.name or names.get(message.tool_call_id or "", "")
            response = types.FunctionResponse(
                id=message.tool_call_id or None, name=name, response={"result": message.content}
            )
            contents.append(
                types.Content(role="user", parts=[types.Part(function_response=response)])
            )
            continue
        parts = [types.Part(text=message.content)] if message.content else []
        parts += [
            types.Part(
                function_call=types.FunctionCall(
                    id=call.id or None, name=call.name, args=dict(call.arguments)
                )
            )
            for call in message.tool_calls
        ]
        contents.append(
            types.Content(role="model" if message.role == "assistant" else "user", parts=parts)
        )
    return contents


def _parts(response: types.GenerateContentResponse) -> list[types.Part]:
    if not response.candidates or response.candidates[0].content is None:
        return []
    return response.candidates[0].content.parts or []


def _calls(response: types.GenerateContentResponse) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(
            part.function_call.name or "",
            part.function_call.args or {},
            part.function_call.id or "",
        )
        for part in _parts(response)
        if part.function_call is not None
    )


def _delta(response: types.GenerateContentResponse) -> StreamDelta:
    """Read the usage and finish reason a response (or a stream chunk) reports, if any."""
    meta = response.usage_metadata
    usage = None
    if meta is not None and meta.prompt_token_count is not None:
        output = (meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0)
        usage = Usage(meta.prompt_token_count, output)
    reason = response.candidates[0].finish_reason if response.candidates else None
    return StreamDelta(usage=usage, finish_reason=reason.value if reason is not None else None)
