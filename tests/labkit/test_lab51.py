"""Tests for lab51's checks: reference answers pass, plausible wrong answers fail."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab51 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test asks for them."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def rrf(rankings: Sequence[Sequence[str]], k: float = 60) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])


def rrf_fixed_k(rankings: Sequence[Sequence[str]], k: float = 60) -> list[str]:
    return rrf(rankings, 60)


def rerank(
    question: str,
    candidates: Sequence[tuple[str, str]],
    score_pairs: Callable[[list[tuple[str, str]]], Sequence[float]],
    top_n: int,
) -> list[str]:
    if not candidates:
        return []
    scores = score_pairs([(question, text) for _, text in candidates])
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    return [candidates[i][0] for i in order[:top_n]]


def rerank_one_by_one(
    question: str,
    candidates: Sequence[tuple[str, str]],
    score_pairs: Callable[[list[tuple[str, str]]], Sequence[float]],
    top_n: int,
) -> list[str]:
    scores = [score_pairs([(question, text)])[0] for _, text in candidates]
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    return [candidates[i][0] for i in order[:top_n]]


def test_does_rrf_pass_and_a_hard_coded_k_fail() -> None:
    assert check.q1.evaluate(rrf, grading_only=True).passed
    feedback = check.q1.evaluate(rrf_fixed_k)
    assert not feedback.passed
    assert "use the k argument" in str(feedback)


def test_does_a_batched_rerank_pass_and_a_per_pair_one_fail() -> None:
    assert check.q3.evaluate(rerank, grading_only=True).passed
    feedback = check.q3.evaluate(rerank_one_by_one)
    assert not feedback.passed
    assert "ONE batched call" in str(feedback)


def test_does_hybrid_equal_to_a_broken_dense_baseline_fail_q2() -> None:
    def nothing(question: str, k: int) -> list[str]:
        return ["unknown#x"]

    feedback = check.q2.evaluate(nothing, nothing)
    assert not feedback.passed
    assert "a dense baseline with MRR@10 >= 0.4" in str(feedback)
