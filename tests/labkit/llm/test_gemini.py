"""The Gemini adapter against recorded generateContent responses, through the real SDK."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import httpx2
import pytest
from google import genai
from google.genai import types
from llm_cases import WEATHER

from labkit.errors import LLMAuthError, LLMBadRequest, LLMProviderDown, LLMRateLimited, LLMTimeout
from labkit.llm import ChatModel, Message, MessageLike, ToolCall, Usage
from labkit.llm.gemini import GeminiChatModel

QUESTION = [
    {"role": "system", "content": "Answer in one sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]


def gemini(http_client: Any) -> GeminiChatModel:
    options = types.HttpOptions(httpx_client=http_client)
    return GeminiChatModel(
        genai.Client(api_key="gemini-test-key", http_options=options), "gemini-2.5-flash"
    )


def test_does_complete_return_text_usage_and_model(replay: Callable[[str], Any]) -> None:
    """Does an answer come back as text, with thinking tokens counted as output?"""
    recording = replay("gemini/generate")
    answer = gemini(recording.client()).complete(QUESTION, max_tokens=64, stop=["\n\n"])
    assert answer.text == "The capital of France is Paris."
    assert answer.usage == Usage(9, 7 + 24)
    assert answer.model == "gemini-2.5-flash"
    assert answer.finish_reason == "STOP"
    sent = recording.sent
    assert sent["systemInstruction"]["parts"] == [{"text": "Answer in one sentence."}]
    assert sent["contents"] == [
        {"role": "user", "parts": [{"text": "What is the capital of France?"}]}
    ]
    config = sent["generationConfig"]
    assert (config["maxOutputTokens"], config["temperature"], config["stopSequences"]) == (
        64,
        0.0,
        ["\n\n"],
    )
    assert recording.requests[-1].headers["x-goog-api-key"] == "gemini-test-key"


def test_is_the_adapter_a_chat_model(timing_out: Callable[[ModuleType], Any]) -> None:
    """Does the adapter satisfy the ChatModel Protocol, with a repr that hides the key?"""
    model = gemini(timing_out(httpx))
    assert isinstance(model, ChatModel)
    assert "gemini-test-key" not in repr(model)


def test_does_a_function_call_become_a_tool_call(replay: Callable[[str], Any]) -> None:
    """Does a functionCall part become a ToolCall, with the tool declared in the request?"""
    recording = replay("gemini/generate_function_call")
    answer = gemini(recording.client()).complete(QUESTION, tools=[WEATHER])
    assert answer.text == ""
    assert answer.tool_calls == (ToolCall("get_weather", {"city": "Paris"}),)
    declaration = recording.sent["tools"][0]["functionDeclarations"][0]
    assert declaration["name"] == "get_weather"
    schema = declaration.get("parametersJsonSchema", declaration.get("parameters_json_schema"))
    assert schema == dict(WEATHER.parameters)


def test_is_a_tool_result_sent_as_a_function_response(replay: Callable[[str], Any]) -> None:
    """Are a tool call and its result sent as functionCall and functionResponse parts?"""
    recording = replay("gemini/generate")
    call = ToolCall("get_weather", {"city": "Paris"})
    history: list[MessageLike] = [*QUESTION, Message("assistant", tool_calls=(call,))]
    gemini(recording.client()).complete([*history, Message.tool_result(call, "21 C")])
    assert recording.sent["contents"][1:] == [
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"result": "21 C"}}}
            ],
        },
    ]


def test_does_a_schema_turn_on_json_mode(replay: Callable[[str], Any]) -> None:
    """Does a JSON Schema response_format set Gemini's JSON mime type and schema?"""
    recording = replay("gemini/generate")
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    gemini(recording.client()).complete(QUESTION, response_format=schema)
    config = recording.sent["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == schema


def test_does_stream_yield_text_then_usage(replay: Callable[[str], Any]) -> None:
    """Does the stream yield each chunk's text, then the last chunk's usage?"""
    recording = replay("gemini/stream")
    deltas = list(gemini(recording.client()).stream(QUESTION))
    assert [d.text for d in deltas if d.text] == ["The capital", " of France is", " Paris."]
    assert deltas[-1].usage == Usage(9, 7)
    assert deltas[-1].finish_reason == "STOP"
    assert recording.requests[-1].url.params["alt"] == "sse"


def test_does_stream_yield_a_tool_call(replay: Callable[[str], Any]) -> None:
    """Does a streamed functionCall arrive as one tool call delta?"""
    recording = replay("gemini/stream_function_call")
    deltas = list(gemini(recording.client()).stream(QUESTION, tools=[WEATHER]))
    assert [d.tool_call for d in deltas if d.tool_call] == [
        ToolCall("get_weather", {"city": "Paris"})
    ]
    assert deltas[-1].usage == Usage(58, 16)


@pytest.mark.parametrize(
    ("recording", "error"),
    [
        ("gemini/error_429", LLMRateLimited),
        ("gemini/error_400_api_key", LLMAuthError),
        ("gemini/error_403", LLMAuthError),
        ("gemini/error_500", LLMProviderDown),
        ("gemini/error_503", LLMProviderDown),
        ("gemini/error_400", LLMBadRequest),
    ],
)
def test_do_http_errors_map_to_the_typed_hierarchy(
    replay: Callable[[str], Any], recording: str, error: type[Exception]
) -> None:
    """Does each HTTP error (a bad key's 400 included) become its LLMError subclass?"""
    with pytest.raises(error):
        gemini(replay(recording).client()).complete(QUESTION)


def test_does_a_bad_key_say_which_key_to_check(replay: Callable[[str], Any]) -> None:
    """Does Gemini's 400 for a bad key become an auth error naming GEMINI_API_KEY?"""
    with pytest.raises(LLMAuthError, match="GEMINI_API_KEY"):
        gemini(replay("gemini/error_400_api_key").client()).complete(QUESTION)


@pytest.mark.parametrize("http", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_does_a_timeout_become_llm_timeout(
    timing_out: Callable[[ModuleType], Any], http: ModuleType
) -> None:
    """Does a timeout raise LLMTimeout, whichever httpx the SDK runs on (httpx2 by default)?"""
    with pytest.raises(LLMTimeout):
        gemini(timing_out(http)).complete(QUESTION, timeout=0.5)
    with pytest.raises(LLMTimeout):
        list(gemini(timing_out(http)).stream(QUESTION, timeout=0.5))
