"""Tests for lab50's checks: reference answers pass, plausible wrong answers fail."""

from __future__ import annotations

import hashlib

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab50 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test asks for them."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def exact_only(docs: list[dict[str, str]]) -> list[dict[str, str]]:
    seen, kept = set(), []
    for doc in docs:
        key = " ".join(doc["text"].lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(doc)
    return kept


def windows(title: str, heading: str, body: str, max_words: int, overlap: int) -> list[str]:
    if not 0 <= overlap < max_words:
        raise ValueError("bad overlap")
    words = body.split()
    starts = range(0, max(1, len(words) - overlap), max_words - overlap)
    return [f"{title} > {heading}\n" + " ".join(words[s : s + max_words]) for s in starts]


def no_overlap(title: str, heading: str, body: str, max_words: int, overlap: int) -> list[str]:
    return windows(title, heading, body, max_words, 0)


def plan(
    indexed: dict[str, tuple[str, str]], chunks: dict[str, str], model: str
) -> tuple[list[str], list[str]]:
    embed = [
        cid
        for cid, text in chunks.items()
        if indexed.get(cid) != (hashlib.sha256(text.encode()).hexdigest(), model)
    ]
    return embed, [cid for cid in indexed if cid not in chunks]


def plan_ignoring_model(
    indexed: dict[str, tuple[str, str]], chunks: dict[str, str], model: str
) -> tuple[list[str], list[str]]:
    hashes = {cid: digest for cid, (digest, _) in indexed.items()}
    embed = [
        c for c, t in chunks.items() if hashes.get(c) != hashlib.sha256(t.encode()).hexdigest()
    ]
    return embed, [cid for cid in indexed if cid not in chunks]


def test_does_exact_only_dedupe_miss_the_near_duplicate_case() -> None:
    feedback = check.q1.evaluate(exact_only)
    assert not feedback.passed
    assert "near duplicate" in str(feedback)


def test_do_correct_windows_pass_q2_and_windows_without_overlap_fail() -> None:
    assert check.q2.evaluate(windows, grading_only=True).passed
    feedback = check.q2.evaluate(no_overlap)
    assert not feedback.passed
    assert "share 3 words" in str(feedback)


def test_does_a_correct_sync_plan_pass_and_one_that_ignores_the_model_fail() -> None:
    assert check.q4.evaluate(plan, grading_only=True).passed
    feedback = check.q4.evaluate(plan_ignoring_model)
    assert not feedback.passed
    assert "re-embeds everything when the embedding model changes" in str(feedback)


def test_does_a_search_that_returns_unknown_ids_fail_q3() -> None:
    feedback = check.q3.evaluate(lambda question, k: ["no-such-doc#x"] * k)
    assert not feedback.passed
    assert "ids of real sections" in str(feedback)
