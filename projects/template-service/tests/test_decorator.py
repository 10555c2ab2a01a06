"""Decorators around a chat model: an LRU cache and telemetry, each a ChatModel itself."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from template_service.adapter import FakeChatModel
from template_service.decorator import CachedChatModel, CacheStats, TelemetryChatModel
from template_service.logs import configure_logging, get_logger
from template_service.ports import ChatModel, Message, ProviderError


def echo(messages: Sequence[Message]) -> str:
    return f"answer to {messages[-1].content}"


@given(st.lists(st.sampled_from("abcdef"), max_size=40), st.integers(min_value=1, max_value=8))
def test_does_the_cache_answer_like_the_model_it_wraps(prompts: list[str], maxsize: int) -> None:
    """For any prompts, same answers as uncached, at most one call per miss, <= maxsize kept?"""
    inner = FakeChatModel(echo)
    cached = CachedChatModel(inner, maxsize=maxsize)
    for prompt in prompts:
        assert cached.complete([Message("user", prompt)]).text == f"answer to {prompt}"
    stats = cached.stats
    assert stats.hits + stats.misses == len(prompts)
    assert len(inner.calls) == stats.misses
    assert stats.size <= maxsize
    if len(set(prompts)) <= maxsize:  # everything fits: one call per distinct prompt
        assert stats.misses == len(set(prompts))


def test_does_the_cache_evict_the_least_recently_used() -> None:
    """With room for 2, does using 'a' again keep it, so 'b' is the one evicted by 'c'?"""
    inner = FakeChatModel(echo)
    cached = CachedChatModel(inner, maxsize=2)
    for prompt in ["a", "b", "a", "c", "a", "b"]:
        cached.complete([Message("user", prompt)])
    assert [call[-1].content for call in inner.calls] == ["a", "b", "c", "b"]
    assert cached.stats == CacheStats(hits=2, misses=4, size=2)


def test_does_the_cache_skip_sampled_requests_and_size_zero() -> None:
    """Are temperature > 0 calls and a size-0 cache always passed through?"""
    inner = FakeChatModel(echo)
    for cached, temperature in (
        (CachedChatModel(inner), 0.7),
        (CachedChatModel(inner, maxsize=0), 0.0),
    ):
        for _ in range(2):
            assert not cached.complete([Message("user", "x")], temperature=temperature).cached
    assert len(inner.calls) == 4
    with pytest.raises(ValueError, match="maxsize must be 0 or more"):
        CachedChatModel(inner, maxsize=-1)


def test_does_telemetry_log_each_call_as_json() -> None:
    """Does each call log one JSON line with model, outcome, latency and tokens?"""
    stream = io.StringIO()
    configure_logging("INFO", stream)
    ticks = iter([10.0, 10.25])
    timed = TelemetryChatModel(FakeChatModel(echo, model="m"), clock=lambda: next(ticks))
    timed.complete([Message("user", "two words")])
    record = json.loads(stream.getvalue())
    assert record["message"] == "llm_call"
    assert record["logger"] == "template_service.llm"
    assert (record["model"], record["outcome"], record["latency_ms"]) == ("m", "ok", 250.0)
    assert (record["input_tokens"], record["output_tokens"], record["cached"]) == (2, 4, False)
    assert (timed.calls, timed.errors, timed.total_latency_s) == (1, 0, 0.25)


def test_does_telemetry_count_and_reraise_failures() -> None:
    """Does a ProviderError propagate unchanged, counted as an error and logged?"""

    def outage(messages: Sequence[Message]) -> str:
        raise ProviderError("provider down")

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = get_logger("test-telemetry")
    logger.addHandler(Keep())
    timed = TelemetryChatModel(FakeChatModel(outage), logger=logger)
    with pytest.raises(ProviderError, match="provider down"):
        timed.complete([Message("user", "x")])
    assert (timed.calls, timed.errors) == (1, 1)
    assert records[0].__dict__["outcome"] == "error"


def test_do_decorators_stack_and_still_satisfy_the_port() -> None:
    """Is Telemetry(Cache(model)) a ChatModel that reports cache hits and the inner name?"""
    stack = TelemetryChatModel(CachedChatModel(FakeChatModel(echo, model="inner")))
    assert isinstance(stack, ChatModel)
    assert stack.model == "inner"
    flags = [stack.complete([Message("user", "q")]).cached for _ in range(3)]
    assert flags == [False, True, True]
