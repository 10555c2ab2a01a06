"""Checks for lab61, a semantic cache and a cheap-first model router with fallback."""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from labkit.checks._clock import FakeClock
from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab61")
q1 = lab.question("q1", "SemanticCache")
q2 = lab.question("q2", "Router")
summary = lab.summary

_DIMENSIONS = 64
_CONCEPTS = {
    "cancel": ("cancel", "stop", "abort", "revoke", "cancellation"),
    "place": ("place", "make", "submit", "create", "new"),
    "track": ("track", "where", "status", "locate"),
    "return": ("return", "send", "refund", "money"),
    "reset": ("reset", "forgot", "change", "recover"),
    "delete": ("delete", "close", "remove", "erase"),
    "order": ("order", "purchase", "orders"),
    "password": ("password", "passphrase", "login"),
    "account": ("account", "profile"),
    "subscription": ("subscription", "plan", "membership"),
}
_INTENTS = {"cancel", "place", "track", "return", "reset", "delete"}
_STOP_WORDS = {"my", "the", "a", "an", "i", "to", "is", "of", "for", "me", "want", "please"}
_CONCEPT_OF = {word: concept for concept, words in _CONCEPTS.items() for word in words}
_CONCEPT_DIM = {concept: index for index, concept in enumerate(_CONCEPTS)}


class FakeEmbedder:
    """A test double for a sentence encoder: deterministic, instant, L2-normalised vectors.

    Synonyms share a dimension ("cancel", "stop", "abort" …), the intent word weighs 2 and
    other content words 1; unknown words land in a hashed dimension with weight 0.5. So a
    paraphrase scores near 1 and "cancel my order" against "place my order" scores low, as a
    good encoder would, but exactly and in microseconds. ``calls`` counts the texts embedded.
    """

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> np.ndarray:
        """Return the unit vector of ``text`` (64 floats)."""
        self.calls += 1
        vector = np.zeros(_DIMENSIONS)
        for word in re.findall(r"[a-z]+", text.lower()):
            if word in _STOP_WORDS:
                continue
            concept = _CONCEPT_OF.get(word)
            if concept is not None:
                vector[_CONCEPT_DIM[concept]] = 2.0 if concept in _INTENTS else 1.0
            else:
                digest = hashlib.sha256(word.encode()).digest()
                vector[len(_CONCEPTS) + digest[0] % (_DIMENSIONS - len(_CONCEPTS))] += 0.5
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector


PARAPHRASES = [
    ("cancel my order", "please cancel the order I made"),
    ("where is my order", "track my order status"),
    ("reset my password", "I forgot my password"),
    ("delete my account", "please close my account for good"),
    ("return my purchase", "I want a refund for my order"),
    ("cancel my subscription", "stop my membership plan"),
    ("place a new order", "I want to make a purchase"),
    ("change my password", "recover my login"),
    ("track my purchase", "where is my purchase"),
    ("close my profile", "remove my account"),
]
"""(stored prompt, paraphrase that should hit): the local labelled set."""

NEAR_MISSES = [
    ("cancel my order", "place my order"),
    ("track my order", "cancel my order"),
    ("reset my password", "delete my password"),
    ("delete my account", "reset my account"),
    ("return my order", "track my order"),
    ("cancel my subscription", "place my subscription"),
    ("place a new order", "return an order"),
    ("delete my order", "track my order"),
    ("cancel my account", "reset my account"),
    ("return my purchase", "cancel my purchase"),
]
"""(stored prompt, same words with another intent, which must miss)."""

_GRADING_PARAPHRASES = [
    ("abort my purchase", "cancel the order"),
    ("revoke my plan", "cancel my subscription now"),
    ("status of my order", "where is my order"),
    ("erase my profile", "delete my account"),
]
_GRADING_NEAR_MISSES = [
    ("abort my purchase", "track my purchase"),
    ("revoke my plan", "place a plan"),
    ("erase my profile", "reset my profile"),
    ("refund my order", "place my order"),
]


def _cache(cache_class: type, **overrides: Any) -> Any:
    options: dict[str, Any] = {"threshold": 0.8, "ttl_s": 60.0, "clock": FakeClock()}
    options.update(overrides)
    return cache_class(FakeEmbedder(), **options)


def _rates(cache_class: type, pairs: list[tuple[str, str]]) -> float:
    hits = 0
    for stored, asked in pairs:
        cache = _cache(cache_class)
        cache.put("acme", "small", stored, f"answer to {stored}")
        hits += cache.get("acme", "small", asked) is not None
    return hits / len(pairs)


@q1.case("get returns what put stored for the same prompt, and None for a new one")
def _exact(cache_class: type) -> None:
    cache = _cache(cache_class)
    cache.put("acme", "small", "reset my password", "Use the reset link.")
    got = cache.get("acme", "small", "reset my password")
    expect_equal(got, "Use the reset link.", "get('acme', 'small', 'reset my password')")
    expect_equal(cache.get("acme", "small", "track my order"), None, "get(… 'track my order')")


@q1.case(
    "paraphrases hit: a hit rate of at least 0.8 on 10 labelled pairs",
    hint="similarity = dot product of unit vectors (cosine); hit when it is >= threshold",
)
def _paraphrases(cache_class: type) -> None:
    rate = _rates(cache_class, PARAPHRASES)
    expect(rate >= 0.8, "a paraphrase hit rate >= 0.8 at threshold 0.8", Text(f"{rate:.1f}"))


@q1.case(
    "near-misses miss: a false-hit rate of at most 0.1 on 10 labelled pairs",
    hint="compare the best similarity with the threshold; don't return a miss as a hit",
)
def _near_misses(cache_class: type) -> None:
    rate = _rates(cache_class, NEAR_MISSES)
    expect(rate <= 0.1, "a false-hit rate <= 0.1 at threshold 0.8", Text(f"{rate:.1f}"))


@q1.case(
    "tenants and models never share entries",
    hint="scope entries by (tenant_id, model): keep one list of entries per scope",
)
def _scoped(cache_class: type) -> None:
    cache = _cache(cache_class)
    cache.put("acme", "small", "cancel my order", "acme's answer")
    expect_equal(cache.get("globex", "small", "cancel my order"), None, "get for tenant globex")
    expect_equal(cache.get("acme", "large", "cancel my order"), None, "get for model 'large'")
    cache.put("globex", "small", "cancel my order", "globex's answer")
    got = cache.get("acme", "small", "cancel my order")
    expect_equal(got, "acme's answer", "acme's get after globex stored the same prompt")


@q1.case(
    "entries expire after ttl_s seconds of the injected clock",
    hint="store clock() with each entry; treat it as a miss once clock() - stored_at >= ttl_s",
)
def _ttl(cache_class: type) -> None:
    clock = FakeClock()
    cache = _cache(cache_class, ttl_s=10.0, clock=clock)
    cache.put("acme", "small", "cancel my order", "done")
    clock.advance(9.0)
    expect_equal(cache.get("acme", "small", "cancel my order"), "done", "get after 9 s")
    clock.advance(1.0)
    expect_equal(cache.get("acme", "small", "cancel my order"), None, "get after 10 s (ttl 10)")


@q1.case(
    "rejects a bad configuration with ValueError",
    hint="raise ValueError unless 0 < threshold <= 1 and ttl_s > 0",
)
def _config(cache_class: type) -> None:
    for options in ({"threshold": 0.0}, {"threshold": 1.5}, {"ttl_s": 0.0}):
        try:
            _cache(cache_class, **options)
        except ValueError:
            continue
        expect(False, f"ValueError for {options}", Text("no error"))


@q1.case("meets both rates on unseen labelled pairs", grading_only=True)
def _unseen(cache_class: type) -> None:
    hit_rate = _rates(cache_class, _GRADING_PARAPHRASES)
    false_rate = _rates(cache_class, _GRADING_NEAR_MISSES)
    expect(hit_rate >= 0.75, "a hit rate >= 0.75", Text(f"{hit_rate:.2f}"))
    expect(false_rate <= 0.25, "a false-hit rate <= 0.25", Text(f"{false_rate:.2f}"))


@q1.case("returns the most similar entry, not the first one above the threshold", grading_only=True)
def _best(cache_class: type) -> None:
    cache = _cache(cache_class, threshold=0.5)
    cache.put("acme", "small", "cancel my order today", "close match")
    cache.put("acme", "small", "cancel my order", "best match")
    got = cache.get("acme", "small", "please cancel the order")
    expect_equal(got, "best match", "get(… 'please cancel the order')")


@dataclass(frozen=True)
class Reply:
    """What a model returns: the text, how sure it is (0 to 1) and the tokens it used."""

    text: str
    confidence: float
    input_tokens: int
    output_tokens: int


class FakeModel:
    """A test double for a priced model: ``answer(prompt)`` gives its ``Reply`` or raises."""

    def __init__(
        self, name: str, price_per_1k_tokens: float, answer: Callable[[str], Reply]
    ) -> None:
        self.name = name
        self.price_per_1k_tokens = price_per_1k_tokens
        self.answer = answer
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> Reply:
        """Answer ``prompt`` (and remember it)."""
        self.prompts.append(prompt)
        return self.answer(prompt)


def _cheap_answer(prompt: str) -> Reply:
    if "crash" in prompt:
        raise TimeoutError("cheap model timed out")
    confidence = 0.3 if "hard" in prompt else 0.9
    return Reply(f"cheap: {prompt}", confidence, 100, 20)


def _models(cheap: Callable[[str], Reply] = _cheap_answer) -> tuple[FakeModel, FakeModel]:
    strong = FakeModel("strong", 10.0, lambda prompt: Reply(f"strong: {prompt}", 0.95, 100, 50))
    return FakeModel("cheap", 0.5, cheap), strong


def _expected_cost(prompts: list[str]) -> float:
    cost = 0.0
    for prompt in prompts:
        if "crash" not in prompt:
            cost += 120 / 1000 * 0.5
        if "crash" in prompt or "hard" in prompt:
            cost += 150 / 1000 * 10.0
    return cost


@q2.case("a confident cheap answer is returned and the strong model is not called")
def _cheap_first(router_class: type) -> None:
    cheap, strong = _models()
    reply = router_class(cheap, strong, min_confidence=0.5).route("easy question")
    expect_equal(reply.text, "cheap: easy question", "route('easy question')")
    expect_equal(strong.prompts, [], "the prompts the strong model received")


@q2.case(
    "falls back to the strong model when the cheap one raises",
    hint="wrap the cheap call in try/except Exception and count a fallback",
)
def _on_error(router_class: type) -> None:
    cheap, strong = _models()
    router = router_class(cheap, strong, min_confidence=0.5)
    reply = router.route("crash now")
    expect_equal(reply.text, "strong: crash now", "route('crash now')")
    expect_equal(router.fallbacks, 1, "router.fallbacks")


@q2.case(
    "falls back on low confidence; confidence equal to min_confidence is accepted",
    hint="fall back when reply.confidence < min_confidence",
)
def _on_confidence(router_class: type) -> None:
    cheap, strong = _models()
    router = router_class(cheap, strong, min_confidence=0.3)
    expect_equal(router.route("hard one").text, "cheap: hard one", "route at min_confidence=0.3")
    router = router_class(cheap, strong, min_confidence=0.5)
    expect_equal(router.route("hard one").text, "strong: hard one", "route at min_confidence=0.5")


@q2.case(
    "counts calls per model and bills every reply, the low-confidence one too",
    hint="cost += (input_tokens + output_tokens) / 1000 * model.price_per_1k_tokens",
)
def _accounting(router_class: type) -> None:
    cheap, strong = _models()
    router = router_class(cheap, strong, min_confidence=0.5)
    prompts = ["easy", "hard", "crash", "easy again"]
    for prompt in prompts:
        router.route(prompt)
    expect_equal(router.calls, {"cheap": 4, "strong": 2}, "router.calls")
    expected = _expected_cost(prompts)
    expect(math.isclose(router.cost, expected), f"router.cost == {expected:.3f}", router.cost)


@q2.case(
    "raises when the strong model fails too, and rejects a bad min_confidence",
    hint="let the strong model's exception propagate; ValueError unless 0 <= min_confidence <= 1",
)
def _failures(router_class: type) -> None:
    def broken(prompt: str) -> Reply:
        raise ConnectionError("strong model down")

    cheap, _ = _models()
    router = router_class(cheap, FakeModel("strong", 10.0, broken), min_confidence=0.5)
    try:
        router.route("crash")
    except ConnectionError:
        pass
    else:
        expect(False, "ConnectionError when both models fail", Text("no error"))
    try:
        router_class(*_models(), min_confidence=1.5)
    except ValueError:
        return
    expect(False, "ValueError for min_confidence=1.5", Text("no error"))


@q2.case("matches the reference counts and cost on a mix of 200 requests", grading_only=True)
def _mix(router_class: type) -> None:
    rng = random.Random(61)
    prompts = [rng.choice(["easy", "hard", "crash"]) + f" {index}" for index in range(200)]
    cheap, strong = _models()
    router = router_class(cheap, strong, min_confidence=0.5)
    for prompt in prompts:
        router.route(prompt)
    fallbacks = sum("hard" in prompt or "crash" in prompt for prompt in prompts)
    expect_equal(router.fallbacks, fallbacks, "router.fallbacks")
    expected = _expected_cost(prompts)
    expect(math.isclose(router.cost, expected), f"router.cost == {expected:.3f}", router.cost)
