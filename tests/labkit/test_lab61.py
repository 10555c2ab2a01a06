"""Tests for lab61's checks: a right answer passes, plausible wrong answers fail."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab61 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


class SemanticCache:
    """A right answer: best cosine match per (tenant, model) scope, with a TTL."""

    def __init__(
        self,
        embed: Callable[[str], np.ndarray],
        *,
        threshold: float,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < threshold <= 1 or ttl_s <= 0:
            raise ValueError("need 0 < threshold <= 1 and ttl_s > 0")
        self.embed, self.threshold, self.ttl_s, self.clock = embed, threshold, ttl_s, clock
        self.entries: dict[tuple[str, str], list[tuple[np.ndarray, str, float]]] = {}

    def get(self, tenant_id: str, model: str, prompt: str) -> str | None:
        now = self.clock()
        live = [e for e in self.entries.get((tenant_id, model), []) if now - e[2] < self.ttl_s]
        if not live:
            return None
        query = self.embed(prompt)
        score, answer = max((float(query @ vector), text) for vector, text, _ in live)
        return answer if score >= self.threshold else None

    def put(self, tenant_id: str, model: str, prompt: str, response: str) -> None:
        entry = (self.embed(prompt), response, self.clock())
        self.entries.setdefault((tenant_id, model), []).append(entry)


class UnscopedCache(SemanticCache):
    """Wrong: one pool of entries for every tenant and model."""

    def get(self, tenant_id: str, model: str, prompt: str) -> str | None:
        return super().get("all", "all", prompt)

    def put(self, tenant_id: str, model: str, prompt: str, response: str) -> None:
        super().put("all", "all", prompt, response)


class NearestCache(SemanticCache):
    """Wrong: returns the nearest entry whatever its similarity."""

    def get(self, tenant_id: str, model: str, prompt: str) -> str | None:
        live = self.entries.get((tenant_id, model), [])
        query = self.embed(prompt)
        return max(((float(query @ v), t) for v, t, _ in live), default=(0.0, None))[1]


class Router:
    """A right answer: cheap first, strong on error or low confidence, every reply billed."""

    def __init__(self, cheap: Any, strong: Any, *, min_confidence: float) -> None:
        if not 0 <= min_confidence <= 1:
            raise ValueError("min_confidence must be in [0, 1]")
        self.cheap, self.strong, self.min_confidence = cheap, strong, min_confidence
        self.calls = {cheap.name: 0, strong.name: 0}
        self.fallbacks, self.cost = 0, 0.0

    def call(self, model: Any, prompt: str) -> Any:
        self.calls[model.name] += 1
        reply = model(prompt)
        self.cost += (reply.input_tokens + reply.output_tokens) / 1000 * model.price_per_1k_tokens
        return reply

    def route(self, prompt: str) -> Any:
        try:
            reply = self.call(self.cheap, prompt)
            if reply.confidence >= self.min_confidence:
                return reply
        except Exception:
            pass
        self.fallbacks += 1
        return self.call(self.strong, prompt)


class UnbilledFallbackRouter(Router):
    """Wrong: forgets to bill the cheap reply it threw away."""

    def route(self, prompt: str) -> Any:
        cost = self.cost
        reply = super().route(prompt)
        if reply.text.startswith("strong") and "crash" not in prompt:
            self.cost = cost + (reply.input_tokens + reply.output_tokens) / 1000 * 10.0
        return reply


def test_does_the_right_cache_pass_with_grading_cases() -> None:
    assert check.q1.evaluate(SemanticCache, grading_only=True).passed


def test_does_an_unscoped_cache_fail_only_the_tenant_case() -> None:
    feedback = check.q1.evaluate(UnscopedCache)
    assert [result.passed for result in feedback.results] == [True, True, True, False, True, True]


def test_does_a_cache_without_threshold_fail_with_golden_feedback() -> None:
    feedback = check.q1.evaluate(NearestCache)
    assert str(feedback).splitlines()[0] == (
        "lab61.q1 SemanticCache: 3/6 local cases passed (3/6 pts) + 2 grading-only cases "
        "(2 pts) not run here"
    )
    assert str(feedback.results[2].lines()[0]) == (
        "  ✗ near-misses miss: a false-hit rate of at most 0.1 on 10 labelled pairs: "
        "expected a false-hit rate <= 0.1 at threshold 0.8, got 1.0"
    )


def test_does_the_fake_embedder_score_paraphrases_above_near_misses() -> None:
    embed = check.FakeEmbedder()
    paraphrase = min(float(embed(a) @ embed(b)) for a, b in check.PARAPHRASES)
    near_miss = max(float(embed(a) @ embed(b)) for a, b in check.NEAR_MISSES)
    assert paraphrase > 0.9 > 0.3 > near_miss
    assert embed.calls == 4 * len(check.PARAPHRASES)


def test_does_the_right_router_pass_with_grading_cases() -> None:
    assert check.q2.evaluate(Router, grading_only=True).passed


def test_does_a_router_that_skips_billing_the_discarded_reply_fail_accounting() -> None:
    feedback = check.q2.evaluate(UnbilledFallbackRouter)
    assert [result.passed for result in feedback.results] == [True, True, True, False, True]
    assert feedback.results[3].lines()[1] == (
        "    hint: cost += (input_tokens + output_tokens) / 1000 * model.price_per_1k_tokens"
    )
