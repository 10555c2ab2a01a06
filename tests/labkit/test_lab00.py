"""Tests for lab00's checks: golden feedback, and plausible wrong answers that must fail."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab00 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def numpy_top_k(query: np.ndarray, embeddings: np.ndarray, k: int) -> list[tuple[int, float]]:
    denominator = np.linalg.norm(embeddings, axis=1) * np.linalg.norm(query)
    scores = np.divide(
        embeddings @ query, denominator, out=np.zeros(len(embeddings)), where=denominator > 0
    )
    return check.rank_top_k(scores, k)


def test_does_rank_top_k_agree_with_the_baseline_on_ties_and_edges() -> None:
    query, embeddings = check.tied_corpus()
    for k in (0, 1, 3, 8, 20):
        expected = check.top_k_cosine(query.tolist(), embeddings.tolist(), k)
        assert numpy_top_k(query, embeddings, k) == expected


def test_does_a_correct_vectorised_answer_pass_q1_with_grading_cases() -> None:
    assert check.q1.evaluate(numpy_top_k, grading_only=True).passed


def test_does_an_argsort_without_ties_or_zero_handling_fail_only_that_case() -> None:
    def unstable(query: np.ndarray, embeddings: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0 or len(embeddings) == 0:
            return []
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = (
                embeddings @ query / (np.linalg.norm(embeddings, axis=1) * np.linalg.norm(query))
            )
        order = np.argsort(-scores, kind="quicksort")[:k]
        return [(int(i), float(scores[i])) for i in order]

    lines = str(check.q1.evaluate(unstable)).splitlines()
    assert lines[0] == (
        "lab00.q1 top_k_numpy: 3/4 local cases passed (4/5 pts) + 2 grading-only cases (2 pts) "
        "not run here"
    )
    assert lines[2] == (
        "  ✗ breaks ties by the lower row index and scores zero vectors 0.0, not nan: "
        "expected k=8 to rank rows [1, 3, 7, 2, 6, 0, 5, 4], got [1, 3, 7, 2, 6, 4, 0, 5]"
    )
    assert lines[3] == (
        "    hint: np.divide(dots, norms, out=np.zeros(n), where=norms > 0); "
        "then order by (-score, index) with np.lexsort"
    )


def test_does_a_python_loop_over_rows_fail_the_speed_case() -> None:
    def row_by_row(query: np.ndarray, embeddings: np.ndarray, k: int) -> list[tuple[int, float]]:
        return check.top_k_cosine(list(query), [list(row) for row in embeddings], k)

    feedback = str(check.q1.evaluate(row_by_row))
    assert (
        "  ✗ is at least 5x faster than the pure-Python baseline: expected at least 5x faster "
        "than the pure-Python baseline on 5,000 x 64, got slower than the baseline"
    ) in feedback


class UncachedSearch:
    def __init__(self, embeddings: np.ndarray) -> None:
        self.embeddings = embeddings

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return numpy_top_k(query, self.embeddings, k)


class SharedListCache(UncachedSearch):
    """Caches by id(query) and hands out the cached list itself: two classic bugs."""

    def __init__(self, embeddings: np.ndarray) -> None:
        super().__init__(embeddings)
        self.cache: dict[tuple[int, int], list[tuple[int, float]]] = {}

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        key = (id(query), k)
        if key not in self.cache:
            self.cache[key] = super().search(query, k)
        return self.cache[key]


def test_does_a_search_without_a_cache_fail_only_the_workload_case() -> None:
    feedback = check.q2.evaluate(UncachedSearch)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert failed == ["serves a log of repeated queries at least 4x faster than uncached NumPy"]


def test_does_a_cache_keyed_on_id_that_shares_its_lists_fail_two_cases() -> None:
    lines = str(check.q2.evaluate(SharedListCache)).splitlines()
    assert lines[0] == (
        "lab00.q2 CachedSearch: 2/5 local cases passed (2/6 pts) + 1 grading-only case (1 pt) "
        "not run here"
    )
    assert lines[3:7] == [
        "  ✗ a caller changing a returned list does not change the cache: expected search after "
        "clearing a result to rank rows [1, 19, 7], got []",
        "    hint: cache a tuple, which nobody can change, and return list(...) of it",
        "  ✗ keys the cache on the query's values and k, never on id(query): expected "
        "search(query, 3) after changing query in place to rank rows [20, 23, 33], got [9, 31, 22]",
        "    hint: an ndarray is not hashable: key on (query.tobytes(), k)",
    ]


TYPED = """
# cython: boundscheck=False, wraparound=False, cdivision=True
import numpy as np
from libc.math cimport sqrt

def cosine_scores(const double[::1] query, const double[:, ::1] embeddings):
    cdef Py_ssize_t n = embeddings.shape[0], dim = embeddings.shape[1], i, j
    cdef double dot, row_norm, query_norm = 0.0, denominator
    scores = np.zeros(n)
    cdef double[::1] out = scores
    for j in range(dim):
        query_norm += query[j] * query[j]
    query_norm = sqrt(query_norm)
    for i in range(n):
        dot = 0.0
        row_norm = 0.0
        for j in range(dim):
            dot += embeddings[i, j] * query[j]
            row_norm += embeddings[i, j] * embeddings[i, j]
        denominator = sqrt(row_norm) * query_norm
        if denominator > 0.0:
            out[i] = dot / denominator
    return scores
"""

UNTYPED = """
import math

import numpy as np

def cosine_scores(query, embeddings):
    query_norm = math.sqrt(sum(x * x for x in query))
    scores = []
    for row in embeddings:
        dot = sum(a * b for a, b in zip(row, query))
        denominator = math.sqrt(sum(a * a for a in row)) * query_norm
        scores.append(dot / denominator if denominator > 0 else 0.0)
    return np.array(scores, dtype=float)
"""


@pytest.mark.slow
def test_does_typed_cython_pass_q3_and_untyped_cython_fail_the_speed_case() -> None:
    assert check.q3.evaluate(TYPED, grading_only=True).passed
    feedback = check.q3.evaluate(UNTYPED)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert failed == ["is at least 10x faster than the pure-Python baseline"]


def test_does_source_that_does_not_compile_fail_with_fixed_words() -> None:
    lines = str(check.q3.evaluate("def cosine_scores(q, e):\n    return q +* e\n")).splitlines()
    assert lines[1] == (
        "  ✗ compiles and matches the baseline on 300 random rows: expected Cython source that "
        "compiles, got compile errors, printed above this feedback"
    )


def speedup_table(timings: Mapping[str, Sequence[float]], baseline: str) -> pd.DataFrame:
    medians = {name: statistics.median(seconds) for name, seconds in timings.items()}
    speedups = {name: medians[baseline] / median for name, median in medians.items()}
    table = pd.DataFrame({"median s": medians, "speed-up": speedups})
    return table.sort_values("speed-up", ascending=False)


def test_does_a_median_table_pass_q4() -> None:
    assert check.q4.evaluate(speedup_table, grading_only=True).passed


def test_does_a_table_of_means_fail_with_golden_feedback() -> None:
    def mean_table(timings: Mapping[str, Sequence[float]], baseline: str) -> Any:
        means = {name: sum(seconds) / len(seconds) for name, seconds in timings.items()}
        speedups = {name: means[baseline] / mean for name, mean in means.items()}
        table = pd.DataFrame({"median s": means, "speed-up": speedups})
        return table.sort_values("speed-up", ascending=False)

    lines = str(check.q4.evaluate(mean_table)).splitlines()
    assert lines[0].startswith("lab00.q4 speedup_table: 1/3 local cases passed (1/3 pts)")
    assert lines[2].startswith("  ✗ uses the median, so one slow outlier does not move it: ")
    assert lines[3] == "    hint: statistics.median, not the mean or the sum"
