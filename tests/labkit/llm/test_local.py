"""The local transformers adapter, on the real SmolLM2 (slow) and its pure helpers (fast)."""

from __future__ import annotations

from collections.abc import Generator
from typing import cast

import pytest
from llm_cases import WEATHER

from labkit.errors import LLMTimeout
from labkit.llm import ChatModel, Message, MessageLike, StreamDelta, ToolCall
from labkit.llm.local import LocalChatModel, _parse_tool_call, _releasable
from labkit.models import chat_model
from labkit.settings import Settings

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(scope="module")
def smollm2() -> LocalChatModel:
    settings = Settings(chat_model="local:smollm2-135m-instruct", _env_file=None)
    model = chat_model(settings)
    assert isinstance(model, LocalChatModel)
    return model


def test_is_a_tool_call_found_in_the_answer() -> None:
    """Is a {"tool": ..., "arguments": ...} object, even inside a code fence, a ToolCall?"""
    text = '```json\n{"tool": "get_weather", "arguments": {"city": "Paris"}}\n```'
    assert _parse_tool_call(text, (WEATHER,)) == ToolCall(
        "get_weather", {"city": "Paris"}, "call_0"
    )


def test_are_unknown_tools_and_prose_left_as_text() -> None:
    """Do prose, broken JSON and unknown tool names stay text rather than become calls?"""
    assert _parse_tool_call("It is sunny.", (WEATHER,)) is None
    assert _parse_tool_call('{"tool": "get_weather", ', (WEATHER,)) is None
    assert _parse_tool_call('{"tool": "launch_rocket", "arguments": {}}', (WEATHER,)) is None
    assert _parse_tool_call('{"tool": "get_weather"}', ()) is None


def test_is_a_possible_stop_string_held_back_while_streaming() -> None:
    """While streaming, is text that may start a stop string held back, and cut once found?"""
    assert _releasable("Hello EN", ("END",), final=False) == (6, False)
    assert _releasable("Hello END more", ("END",), final=False) == (6, True)
    assert _releasable("Hello EN", ("END",), final=True) == (8, False)
    assert _releasable("Hello", (), final=False) == (5, False)


@pytest.mark.slow
def test_does_smollm2_answer_deterministically(smollm2: LocalChatModel) -> None:
    """Does SmolLM2 answer a simple question, the same way twice, with usage counted?"""
    first = smollm2.complete(QUESTION, max_tokens=30)
    second = smollm2.complete(QUESTION, max_tokens=30)
    assert isinstance(smollm2, ChatModel)
    assert "Paris" in first.text
    assert first.text == second.text
    assert first.usage.input_tokens > 10
    assert 0 < first.usage.output_tokens <= 30
    assert first.finish_reason == "stop"
    assert first.model == "smollm2-135m-instruct"


@pytest.mark.slow
def test_does_the_stream_spell_out_the_same_answer(smollm2: LocalChatModel) -> None:
    """Does the stream yield several pieces that join into the greedy answer, then usage?"""
    expected = smollm2.complete(QUESTION, max_tokens=30)
    deltas = list(smollm2.stream(QUESTION, max_tokens=30))
    assert len([d for d in deltas if d.text]) > 3
    assert "".join(d.text for d in deltas) == expected.text
    assert deltas[-1].usage == expected.usage
    assert deltas[-1].finish_reason == "stop"


@pytest.mark.slow
def test_does_max_tokens_cut_the_answer(smollm2: LocalChatModel) -> None:
    """Does max_tokens bound the answer, with finish_reason "length"?"""
    answer = smollm2.complete([{"role": "user", "content": "Write a long story."}], max_tokens=5)
    assert answer.usage.output_tokens == 5
    assert answer.finish_reason == "length"


@pytest.mark.slow
def test_is_a_stop_string_honoured_and_cut(smollm2: LocalChatModel) -> None:
    """Does a stop string end the answer, in complete and in stream, without showing it?"""
    messages = [{"role": "user", "content": "Count from 1 to 10, separated by commas."}]
    full = smollm2.complete(messages, max_tokens=40).text
    assert "4" in full
    answer = smollm2.complete(messages, max_tokens=40, stop=["4"])
    streamed = "".join(d.text for d in smollm2.stream(messages, max_tokens=40, stop=["4"]))
    assert answer.text == streamed == full[: full.index("4")]
    assert answer.finish_reason == "stop"


@pytest.mark.slow
def test_does_a_timeout_raise_llm_timeout(smollm2: LocalChatModel) -> None:
    """Does a generation that runs past its timeout raise LLMTimeout?"""
    story = [{"role": "user", "content": "Write a long story about the sea."}]
    with pytest.raises(LLMTimeout, match="timeout="):
        smollm2.complete(story, max_tokens=200, timeout=0.01)
    with pytest.raises(LLMTimeout):
        list(smollm2.stream(story, max_tokens=200, timeout=0.01))


@pytest.mark.slow
def test_is_sampling_reproducible_with_the_seed(smollm2: LocalChatModel) -> None:
    """With a temperature, do two runs give the same text thanks to the seed?"""
    story = [{"role": "user", "content": "Invent a name for a cat."}]
    first = smollm2.complete(story, max_tokens=12, temperature=1.0).text
    assert first == smollm2.complete(story, max_tokens=12, temperature=1.0).text


@pytest.mark.slow
def test_does_smollm2_follow_the_tool_convention_given_an_example(
    smollm2: LocalChatModel,
) -> None:
    """Shown one example call, does SmolLM2 answer with a JSON tool call that gets parsed?"""
    example = ToolCall("get_weather", {"city": "Rome"}, "call_0")
    messages: list[MessageLike] = [
        {"role": "user", "content": "What's the weather in Rome?"},
        Message("assistant", tool_calls=(example,)),
        {"role": "user", "content": "What's the weather in Paris?"},
    ]
    answer = smollm2.complete(messages, tools=[WEATHER], max_tokens=40)
    assert answer.tool_calls == (ToolCall("get_weather", {"city": "Paris"}, "call_0"),)
    assert answer.finish_reason == "tool_calls"
    deltas = list(smollm2.stream(messages, tools=[WEATHER], max_tokens=40))
    assert [d.tool_call for d in deltas if d.tool_call] == list(answer.tool_calls)


@pytest.mark.slow
def test_does_an_abandoned_stream_leave_the_model_usable(smollm2: LocalChatModel) -> None:
    """After a caller stops reading a stream early, does the next call still work?"""
    story = [{"role": "user", "content": "Write a long story."}]
    stream = cast(Generator[StreamDelta, None, None], smollm2.stream(story, max_tokens=200))
    next(stream)
    stream.close()
    assert "Paris" in smollm2.complete(QUESTION, max_tokens=30).text
