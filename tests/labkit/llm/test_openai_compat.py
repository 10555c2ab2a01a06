"""The OpenAI adapter against recorded Chat Completions responses, through the real SDK."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import openai
import pytest
from llm_cases import WEATHER

from labkit.errors import LLMAuthError, LLMBadRequest, LLMProviderDown, LLMRateLimited, LLMTimeout
from labkit.llm import ChatModel, Message, MessageLike, ToolCall, Usage
from labkit.llm.openai_compat import OpenAIChatModel

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def openai_model(http_client: httpx.Client) -> OpenAIChatModel:
    client = openai.OpenAI(api_key="sk-test-not-a-key", http_client=http_client, max_retries=0)
    return OpenAIChatModel(client, "gpt-4o-mini")


def test_does_complete_return_text_usage_and_model(replay: Callable[[str], Any]) -> None:
    """Does a plain completion come back as text, usage and the dated model name?"""
    recording = replay("openai/chat")
    answer = openai_model(recording.client()).complete(QUESTION, max_tokens=50, stop=["\n\n"])
    assert answer.text == "The capital of France is Paris."
    assert answer.usage == Usage(24, 8)
    assert answer.model == "gpt-4o-mini-2024-07-18"
    assert answer.finish_reason == "stop"
    assert answer.latency_s > 0
    sent = recording.sent
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"] == QUESTION
    assert sent["max_completion_tokens"] == 50
    assert sent["temperature"] == 0.0
    assert sent["stop"] == ["\n\n"]


def test_is_the_adapter_a_chat_model(timing_out: Callable[[ModuleType], Any]) -> None:
    """Does the adapter satisfy the ChatModel Protocol?"""
    assert isinstance(openai_model(timing_out(httpx)), ChatModel)


def test_does_a_tool_call_come_back_parsed(replay: Callable[[str], Any]) -> None:
    """Does a tool call come back with its id, name and parsed arguments?"""
    recording = replay("openai/chat_tool_call")
    answer = openai_model(recording.client()).complete(QUESTION, tools=[WEATHER])
    assert answer.text == ""
    assert answer.tool_calls == (
        ToolCall("get_weather", {"city": "Paris"}, "call_Xk2mWq9RzV4pL7nB3cD8eF1g"),
    )
    assert answer.finish_reason == "tool_calls"
    assert recording.sent["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get the current weather for a city.",
                "parameters": dict(WEATHER.parameters),
            },
        }
    ]


def test_is_a_tool_result_sent_in_openai_shape(replay: Callable[[str], Any]) -> None:
    """Are the assistant's tool call and the tool's result sent as OpenAI expects?"""
    recording = replay("openai/chat")
    call = ToolCall("get_weather", {"city": "Paris"}, "call_1")
    history: list[MessageLike] = [*QUESTION, Message("assistant", tool_calls=(call,))]
    openai_model(recording.client()).complete([*history, Message.tool_result(call, "21 C")])
    assert recording.sent["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "21 C"},
    ]


def test_does_json_mode_ask_for_a_json_object(replay: Callable[[str], Any]) -> None:
    """Does response_format="json" turn on JSON mode and mention JSON in the prompt?"""
    recording = replay("openai/chat")
    openai_model(recording.client()).complete(QUESTION, response_format="json")
    assert recording.sent["response_format"] == {"type": "json_object"}
    assert "JSON" in recording.sent["messages"][0]["content"]


def test_does_a_schema_become_a_json_schema_format(replay: Callable[[str], Any]) -> None:
    """Does a JSON Schema response_format become OpenAI's json_schema format?"""
    recording = replay("openai/chat")
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    openai_model(recording.client()).complete(QUESTION, response_format=schema)
    assert recording.sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema},
    }


def test_does_stream_yield_text_then_usage(replay: Callable[[str], Any]) -> None:
    """Does the stream yield the text piece by piece, then the usage and finish reason?"""
    recording = replay("openai/chat_stream")
    deltas = list(openai_model(recording.client()).stream(QUESTION))
    assert "".join(d.text for d in deltas) == "The capital of France is Paris."
    assert len([d for d in deltas if d.text]) == 7
    assert deltas[-1].usage == Usage(24, 8)
    assert deltas[-1].finish_reason == "stop"
    assert recording.sent["stream"] is True
    assert recording.sent["stream_options"] == {"include_usage": True}


def test_does_stream_assemble_a_tool_call(replay: Callable[[str], Any]) -> None:
    """Does the stream join the argument fragments into one whole tool call?"""
    recording = replay("openai/chat_tool_call_stream")
    deltas = list(openai_model(recording.client()).stream(QUESTION, tools=[WEATHER]))
    calls = [d.tool_call for d in deltas if d.tool_call]
    assert calls == [ToolCall("get_weather", {"city": "Paris"}, "call_Xk2mWq9RzV4pL7nB3cD8eF1g")]
    assert deltas[-1].finish_reason == "tool_calls"
    assert deltas[-1].usage == Usage(61, 15)


@pytest.mark.parametrize(
    ("recording", "error"),
    [
        ("openai/error_429", LLMRateLimited),
        ("openai/error_401", LLMAuthError),
        ("openai/error_500", LLMProviderDown),
        ("openai/error_400", LLMBadRequest),
    ],
)
def test_do_http_errors_map_to_the_typed_hierarchy(
    replay: Callable[[str], Any], recording: str, error: type[Exception]
) -> None:
    """Does each HTTP error become its LLMError subclass, for complete and for stream?"""
    model = openai_model(replay(recording).client())
    with pytest.raises(error):
        model.complete(QUESTION)
    with pytest.raises(error):
        list(model.stream(QUESTION))


def test_does_an_auth_error_name_the_key_but_not_its_value(
    replay: Callable[[str], Any],
) -> None:
    """Does an auth error say which variable to check, without printing the key?"""
    client = openai.OpenAI(
        api_key="sk-secret-value-123",
        http_client=replay("openai/error_401").client(),
        max_retries=0,
    )
    model = OpenAIChatModel(client, "gpt-4o-mini")
    with pytest.raises(LLMAuthError, match="OPENAI_API_KEY") as raised:
        model.complete(QUESTION)
    assert "sk-secret-value-123" not in str(raised.value)
    assert "sk-secret-value-123" not in repr(model)


def test_does_a_timeout_become_llm_timeout(timing_out: Callable[[ModuleType], Any]) -> None:
    """Does a request that times out raise LLMTimeout?"""
    with pytest.raises(LLMTimeout, match="timeout="):
        openai_model(timing_out(httpx)).complete(QUESTION, timeout=0.5)


def test_does_azure_call_the_deployment_url(replay: Callable[[str], Any]) -> None:
    """Does Azure OpenAI call the deployment's URL with an api-version and the api-key header?"""
    recording = replay("openai/azure_chat")
    client = openai.AzureOpenAI(
        api_key="azure-test-key",
        azure_endpoint="https://course.openai.azure.com",
        api_version="2024-10-21",
        http_client=recording.client(),
        max_retries=0,
    )
    model = OpenAIChatModel(client, "course-gpt-4o-mini", provider="azure-openai")
    assert model.complete(QUESTION).text == "The capital of France is Paris."
    request = recording.requests[-1]
    assert request.url.params["api-version"] == "2024-10-21"
    assert request.headers["api-key"] == "azure-test-key"


def test_does_an_openai_compatible_server_work(replay: Callable[[str], Any]) -> None:
    """Does an OpenAI-compatible server (Ollama) answer through the same adapter?"""
    recording = replay("openai/ollama_chat")
    client = openai.OpenAI(
        base_url="http://127.0.0.1:11434/v1",
        api_key="unused",
        http_client=recording.client(),
        max_retries=0,
    )
    model = OpenAIChatModel(client, "qwen2.5:0.5b", token_limit_param="max_tokens")
    answer = model.complete(QUESTION, max_tokens=32)
    assert answer.text == "Paris is the capital of France."
    assert recording.requests[-1].url.host == "127.0.0.1"
    assert recording.sent["max_tokens"] == 32
