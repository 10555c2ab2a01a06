"""The Anthropic adapter against recorded Messages API responses, through the real SDK."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import anthropic
import httpx2
import pytest
from llm_cases import WEATHER

from labkit.errors import LLMAuthError, LLMBadRequest, LLMProviderDown, LLMRateLimited, LLMTimeout
from labkit.llm import ChatModel, Message, MessageLike, ToolCall, Usage
from labkit.llm.anthropic import AnthropicChatModel

QUESTION = [
    {"role": "system", "content": "Answer in one sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]
PARIS_CALL = ToolCall("get_weather", {"city": "Paris"}, "toolu_01A09q90qw90lq917835lq9")


def claude(http_client: httpx2.Client) -> AnthropicChatModel:
    client = anthropic.Anthropic(api_key="sk-ant-test", http_client=http_client, max_retries=0)
    return AnthropicChatModel(client, "claude-haiku-4-5")


def test_does_complete_return_text_usage_and_model(replay: Callable[[str], Any]) -> None:
    """Does a plain answer come back as text, usage and model, with system sent apart?"""
    recording = replay("anthropic/messages")
    answer = claude(recording.client(httpx2)).complete(QUESTION, max_tokens=64, stop=["\n\n"])
    assert answer.text == "The capital of France is Paris."
    assert answer.usage == Usage(21, 10)
    assert answer.model == "claude-haiku-4-5-20251001"
    assert answer.finish_reason == "end_turn"
    sent = recording.sent
    assert sent["system"] == "Answer in one sentence."
    assert sent["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "What is the capital of France?"}]}
    ]
    assert (sent["max_tokens"], sent["stop_sequences"]) == (64, ["\n\n"])
    assert "temperature" not in sent  # API version 2026-10-21 rejects sampling parameters
    assert recording.requests[-1].headers["authorization"] == "Bearer sk-ant-test"


def test_is_the_adapter_a_chat_model(timing_out: Callable[[ModuleType], Any]) -> None:
    """Does the adapter satisfy the ChatModel Protocol, with a repr that hides the key?"""
    model = claude(timing_out(httpx2))
    assert isinstance(model, ChatModel)
    assert repr(model) == "AnthropicChatModel(model='claude-haiku-4-5')"


def test_does_a_tool_use_block_become_a_tool_call(replay: Callable[[str], Any]) -> None:
    """Does a tool_use block become a ToolCall, keeping the text beside it?"""
    recording = replay("anthropic/messages_tool_use")
    answer = claude(recording.client(httpx2)).complete(QUESTION, tools=[WEATHER])
    assert answer.text == "I'll check the weather in Paris."
    assert answer.tool_calls == (PARIS_CALL,)
    assert answer.finish_reason == "tool_use"
    assert recording.sent["tools"] == [
        {
            "name": "get_weather",
            "description": "Get the current weather for a city.",
            "input_schema": dict(WEATHER.parameters),
        }
    ]


def test_is_a_tool_result_sent_as_a_tool_result_block(replay: Callable[[str], Any]) -> None:
    """Are a tool call and its result sent as tool_use and tool_result blocks?"""
    recording = replay("anthropic/messages")
    history: list[MessageLike] = [
        *QUESTION,
        Message("assistant", "Checking.", tool_calls=(PARIS_CALL,)),
    ]
    claude(recording.client(httpx2)).complete([*history, Message.tool_result(PARIS_CALL, "21 C")])
    assert recording.sent["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking."},
                {
                    "type": "tool_use",
                    "id": PARIS_CALL.id,
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": PARIS_CALL.id, "content": "21 C"}],
        },
    ]


def test_does_json_format_become_a_system_instruction(replay: Callable[[str], Any]) -> None:
    """Does response_format="json" add a JSON instruction to the system prompt?"""
    recording = replay("anthropic/messages")
    claude(recording.client(httpx2)).complete(QUESTION, response_format="json")
    assert recording.sent["system"].startswith(
        "Answer in one sentence.\n\nAnswer with a single JSON"
    )


def test_does_a_schema_become_a_structured_output(replay: Callable[[str], Any]) -> None:
    """Does a JSON Schema response_format become output_config.format?"""
    recording = replay("anthropic/messages")
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    claude(recording.client(httpx2)).complete(QUESTION, response_format=schema)
    assert recording.sent["output_config"] == {"format": {"type": "json_schema", "schema": schema}}


def test_does_stream_yield_text_then_usage(replay: Callable[[str], Any]) -> None:
    """Does the stream yield the text deltas, then usage from message_start and message_delta?"""
    recording = replay("anthropic/messages_stream")
    deltas = list(claude(recording.client(httpx2)).stream(QUESTION))
    assert [d.text for d in deltas if d.text] == ["The capital", " of France is", " Paris."]
    assert deltas[-1].usage == Usage(21, 10)
    assert deltas[-1].finish_reason == "end_turn"
    assert recording.sent["stream"] is True


def test_does_stream_assemble_a_tool_call(replay: Callable[[str], Any]) -> None:
    """Does the stream join input_json_delta pieces into one tool call?"""
    recording = replay("anthropic/messages_tool_use_stream")
    deltas = list(claude(recording.client(httpx2)).stream(QUESTION, tools=[WEATHER]))
    assert "".join(d.text for d in deltas) == "I'll check the weather in Paris."
    assert [d.tool_call for d in deltas if d.tool_call] == [
        ToolCall("get_weather", {"city": "Paris"}, "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
    ]
    assert deltas[-1].usage == Usage(384, 58)
    assert deltas[-1].finish_reason == "tool_use"


@pytest.mark.parametrize(
    ("recording", "error"),
    [
        ("anthropic/error_429", LLMRateLimited),
        ("anthropic/error_401", LLMAuthError),
        ("anthropic/error_500", LLMProviderDown),
        ("anthropic/error_529", LLMProviderDown),
        ("anthropic/error_400", LLMBadRequest),
    ],
)
def test_do_http_errors_map_to_the_typed_hierarchy(
    replay: Callable[[str], Any], recording: str, error: type[Exception]
) -> None:
    """Does each HTTP error (529 overloaded included) become its LLMError subclass?"""
    model = claude(replay(recording).client(httpx2))
    with pytest.raises(error):
        model.complete(QUESTION)
    with pytest.raises(error):
        list(model.stream(QUESTION))


def test_does_an_auth_error_say_which_key_to_check(replay: Callable[[str], Any]) -> None:
    """Does an auth error name ANTHROPIC_API_KEY, and keep the provider's message?"""
    with pytest.raises(LLMAuthError, match=r"invalid x-api-key.*ANTHROPIC_API_KEY"):
        claude(replay("anthropic/error_401").client(httpx2)).complete(QUESTION)


def test_does_a_timeout_become_llm_timeout(timing_out: Callable[[ModuleType], Any]) -> None:
    """Does a request that times out raise LLMTimeout?"""
    with pytest.raises(LLMTimeout):
        claude(timing_out(httpx2)).complete(QUESTION, timeout=0.5)
