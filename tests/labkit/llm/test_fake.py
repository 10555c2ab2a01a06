"""FakeChatModel: the test double for the ChatModel port."""

from __future__ import annotations

import pytest

from labkit.errors import LLMRateLimited
from labkit.llm import ChatModel, ChatRequest, Completion, FakeChatModel, Message, ToolCall, Usage


def echo(request: ChatRequest) -> str:
    return f"you said: {request.messages[-1].content}"


def test_does_the_handler_answer_complete() -> None:
    """Does complete return the handler's text, with word counts as usage?"""
    answer = FakeChatModel(echo).complete([{"role": "user", "content": "hello there"}])
    assert answer.text == "you said: hello there"
    assert answer.usage == Usage(2, 4)
    assert answer.model == "fake"
    assert answer.finish_reason == "stop"


def test_is_the_fake_a_chat_model() -> None:
    """Does FakeChatModel satisfy the ChatModel Protocol?"""
    assert isinstance(FakeChatModel(echo), ChatModel)


def test_does_the_handler_see_the_normalised_request() -> None:
    """Does the handler get Message objects and every keyword argument?"""
    model = FakeChatModel(echo)
    model.complete(
        [{"role": "system", "content": "be brief"}, Message("user", "hi")],
        max_tokens=7,
        temperature=0.5,
        stop=["\n"],
        timeout=3.0,
        response_format="json",
    )
    (request,) = model.requests
    assert request.messages == (Message("system", "be brief"), Message("user", "hi"))
    assert (request.max_tokens, request.temperature, request.stop, request.timeout) == (
        7,
        0.5,
        ("\n",),
        3.0,
    )
    assert request.response_format == "json"


def test_can_the_handler_fake_a_tool_call() -> None:
    """Can a handler return a Completion with tool calls, and does stream deliver them?"""
    call = ToolCall("get_weather", {"city": "Paris"}, "call_1")
    model = FakeChatModel(lambda request: Completion("", tool_calls=(call,)))
    assert model.complete([{"role": "user", "content": "weather?"}]).tool_calls == (call,)
    deltas = list(model.stream([{"role": "user", "content": "weather?"}]))
    assert [d.tool_call for d in deltas if d.tool_call] == [call]


def test_does_stream_yield_words_then_usage() -> None:
    """Does stream yield the answer word by word and end with the usage?"""
    deltas = list(FakeChatModel(echo).stream([{"role": "user", "content": "a b"}]))
    assert [d.text for d in deltas] == ["you", " said:", " a", " b", ""]
    assert deltas[-1].usage == Usage(2, 4)
    assert deltas[-1].finish_reason == "stop"


def test_does_a_raised_llm_error_reach_the_caller() -> None:
    """Does an LLMError raised by the handler reach the caller unchanged?"""

    def limited(request: ChatRequest) -> str:
        raise LLMRateLimited("slow down")

    with pytest.raises(LLMRateLimited, match="slow down"):
        FakeChatModel(limited).complete([{"role": "user", "content": "hi"}])


def test_is_a_bare_string_rejected_as_messages() -> None:
    """Does passing a string instead of a list of messages fail with a clear error?"""
    with pytest.raises(TypeError, match="list of messages"):
        FakeChatModel(echo).complete("hello")  # type: ignore[arg-type]


def test_is_a_dict_without_a_role_rejected() -> None:
    """Does a message dict without a valid role fail with a clear error?"""
    with pytest.raises(ValueError, match="role"):
        FakeChatModel(echo).complete([{"content": "hello"}])
