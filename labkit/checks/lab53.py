"""Checks for lab53, an evaluation harness: IR metrics, per-component suites, regressions."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab53")
q1 = lab.question("q1", "recall_at_k, reciprocal_rank, ndcg_at_k")
q2 = lab.question("q2", "run_suites")
q3 = lab.question("q3", "find_regressions")
summary = lab.summary


def _close(got: Any, expected: float, call: str) -> None:
    ok = isinstance(got, int | float) and math.isclose(got, expected, abs_tol=1e-9)
    expect(ok, f"{call} == {expected:.6g}", got)


@q1.case("recall_at_k counts the relevant ids found in the top k")
def _recall(recall: Callable[..., Any], rr: Callable[..., Any], ndcg: Callable[..., Any]) -> None:
    _close(recall(["a", "b", "c", "d"], {"c", "x"}, 3), 0.5, "recall_at_k([a,b,c,d], {c,x}, 3)")
    _close(recall(["a"], {"a"}, 5), 1.0, "recall_at_k([a], {a}, 5)")
    _close(recall(["a", "b"], set(), 5), 0.0, "recall_at_k([a, b], set(), 5)")


@q1.case("reciprocal_rank is 1 / rank of the first relevant id, 0 if none")
def _rr(recall: Callable[..., Any], rr: Callable[..., Any], ndcg: Callable[..., Any]) -> None:
    _close(rr(["a", "b", "c"], {"c", "b"}), 0.5, "reciprocal_rank([a,b,c], {b,c})")
    _close(rr(["a"], {"z"}), 0.0, "reciprocal_rank([a], {z})")


@q1.case(
    "ndcg_at_k uses log2(rank + 1) discounts and the ideal order",
    hint="DCG = sum(1 / log2(i + 2)) over relevant positions i < k; divide by the ideal DCG",
)
def _ndcg(recall: Callable[..., Any], rr: Callable[..., Any], ndcg: Callable[..., Any]) -> None:
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    _close(ndcg(["a", "b", "c"], {"b", "z"}, 3), expected, "ndcg_at_k([a,b,c], {b,z}, 3)")
    _close(ndcg(["b", "a"], {"b"}, 2), 1.0, "ndcg_at_k([b, a], {b}, 2)")


@q1.case("ndcg_at_k agrees with sklearn.metrics.ndcg_score", grading_only=True)
def _sklearn(recall: Callable[..., Any], rr: Callable[..., Any], ndcg: Callable[..., Any]) -> None:
    from sklearn.metrics import ndcg_score

    rng = random.Random(53)
    for _ in range(20):
        ranked = [f"d{i}" for i in range(10)]
        relevant = {d for d in ranked if rng.random() < 0.3} or {"d9"}
        truth = [[1.0 if d in relevant else 0.0 for d in ranked]]
        reference = ndcg_score(truth, [[10.0 - i for i in range(10)]], k=5)
        _close(ndcg(ranked, relevant, 5), float(reference), f"ndcg_at_k(<{relevant}>, 5)")


CASES = [
    {"question": "q1", "relevant_ids": ["c1"], "evidence": "three years", "answerable": True},
    {"question": "q2", "relevant_ids": ["c2"], "evidence": "30 days", "answerable": True},
    {"question": "q3", "relevant_ids": [], "evidence": "", "answerable": False},
]
CHUNKS = {"c1": "Warranty: three  years.", "c2": "Returns within 30 da", "c3": "other"}
RETRIEVED = {"q1": ["c3", "c1"], "q2": ["c3", "c9"], "q3": ["c3"]}
RERANKED = {"q1": ["c1", "c3"], "q2": ["c3", "c9"], "q3": ["c3"]}
GENERATED = {
    "q1": {"answer": "3 years", "citations": ["c1", "c3"], "abstained": False},
    "q2": {"answer": "I don't know", "citations": [], "abstained": True},
    "q3": {"answer": "I don't know", "citations": [], "abstained": True},
}


def _suites(run_suites: Callable[..., Any]) -> Any:
    return run_suites(
        CASES,
        CHUNKS,
        lambda question, k: RETRIEVED[question][:k],
        lambda question, ids: RERANKED[question],
        lambda question: GENERATED[question],
    )


@q2.case("returns the four suites with their metrics")
def _shape(run_suites: Callable[..., Any]) -> None:
    result = _suites(run_suites)
    expected = {
        "chunking": {"evidence_coverage"},
        "retrieval": {"recall@5", "mrr"},
        "rerank": {"mrr", "mrr_gain"},
        "generation": {"abstention_accuracy", "citation_precision"},
    }
    got = {suite: set(metrics) for suite, metrics in result.items()}
    expect_equal(got, expected, "the suites and metric names")


@q2.case(
    "scores chunking and retrieval on answerable cases only",
    hint="coverage: evidence inside some chunk, ignoring case and repeated spaces",
)
def _retrieval(run_suites: Callable[..., Any]) -> None:
    result = _suites(run_suites)
    _close(result["chunking"]["evidence_coverage"], 0.5, "chunking.evidence_coverage")
    _close(result["retrieval"]["recall@5"], 0.5, "retrieval.recall@5")
    _close(result["retrieval"]["mrr"], 0.25, "retrieval.mrr")


@q2.case(
    "scores rerank against retrieval, and generation on every case",
    points=2,
    hint="citation_precision: cited ids that are relevant / all cited ids, answered cases only",
)
def _rerank_generation(run_suites: Callable[..., Any]) -> None:
    result = _suites(run_suites)
    _close(result["rerank"]["mrr"], 0.5, "rerank.mrr")
    _close(result["rerank"]["mrr_gain"], 0.25, "rerank.mrr_gain")
    _close(result["generation"]["abstention_accuracy"], 2 / 3, "generation.abstention_accuracy")
    _close(result["generation"]["citation_precision"], 0.5, "generation.citation_precision")


BASELINE = {"retrieval": {"recall@5": 0.80, "mrr": 0.60}, "generation": {"faith": 0.9}}


@q3.case("flags a metric that dropped by more than the tolerance")
def _drop(find_regressions: Callable[..., Any]) -> None:
    current = {"retrieval": {"recall@5": 0.70, "mrr": 0.59}, "generation": {"faith": 0.9}}
    expect_equal(list(find_regressions(BASELINE, current, 0.02)), ["retrieval.recall@5"],
                 "find_regressions(baseline, current, 0.02)")  # fmt: skip


@q3.case("ignores noise within the tolerance and improvements")
def _noise(find_regressions: Callable[..., Any]) -> None:
    current = {"retrieval": {"recall@5": 0.79, "mrr": 0.9}, "generation": {"faith": 0.95}}
    expect_equal(list(find_regressions(BASELINE, current, 0.02)), [], "find_regressions(...)")


@q3.case(
    "treats a metric missing from the current run as a regression, sorted",
    hint="a suite that stopped reporting must not pass silently",
)
def _missing(find_regressions: Callable[..., Any]) -> None:
    current = {"retrieval": {"recall@5": 0.5}}
    got = list(find_regressions(BASELINE, current, 0.02))
    expect_equal(got, ["generation.faith", "retrieval.mrr", "retrieval.recall@5"],
                 "find_regressions(baseline, <missing suites>, 0.02)")  # fmt: skip


@q3.case("uses the tolerance it is given", grading_only=True)
def _tolerance(find_regressions: Callable[..., Any]) -> None:
    current = {"retrieval": {"recall@5": 0.75, "mrr": 0.6}, "generation": {"faith": 0.9}}
    got = list(find_regressions(BASELINE, current, 0.1))
    expect(got == [], "no regression with tolerance 0.1", Text(repr(got)))
