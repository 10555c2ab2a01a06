"""Checks for lab51, hybrid and rerank: reciprocal rank fusion, hybrid search, a reranker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.datasets import load_rag_eval

lab = Lab("lab51")
q1 = lab.question("q1", "reciprocal_rank_fusion")
q2 = lab.question("q2", "hybrid_search, dense_search", time_limit=240.0)
q3 = lab.question("q3", "rerank")
summary = lab.summary

MRR_MARGIN = 0.03
"""How much higher than dense search hybrid search's MRR@10 must be on held-out questions."""
DENSE_FLOOR = 0.4
"""The least MRR@10 a real dense baseline reaches; below it the baseline is not MiniLM search."""


@q1.case("adds 1 / (k + rank) over the lists, ranks starting at 1")
def _scores(rrf: Callable[..., Any]) -> None:
    fused = rrf([["a", "b", "c"], ["c", "a", "d"]], k=60)
    expect_equal(list(fused), ["a", "c", "b", "d"], "rrf([[a, b, c], [c, a, d]], k=60)")


@q1.case("lets a small k favour the top ranks", hint="use the k argument, not a constant 60")
def _small_k(rrf: Callable[..., Any]) -> None:
    lists = [["p", "s", "q"], ["u", "v", "q"]]
    expect_equal(next(iter(rrf(lists, k=60))), "q", "rrf([[p, s, q], [u, v, q]], k=60)[0]")
    expect_equal(list(rrf(lists, k=0.5)).index("q"), 2, "the rank of q with k=0.5")


@q1.case("handles an empty list and one list", grading_only=True)
def _edges(rrf: Callable[..., Any]) -> None:
    expect_equal(list(rrf([[], ["a", "b"]], k=60)), ["a", "b"], "rrf([[], [a, b]])")
    expect_equal(list(rrf([], k=60)), [], "rrf([])")


def _mrr(search: Callable[..., Any], questions: Sequence[dict[str, Any]]) -> float:
    total = 0.0
    for question in questions:
        docs = [section_id.split("#")[0] for section_id in search(question["question"], 10)]
        hit = next((r for r, d in enumerate(docs) if d in question["relevant_doc_ids"]), None)
        total += 0.0 if hit is None else 1.0 / (hit + 1)
    return total / len(questions)


@q2.case(
    f"beats the dense baseline's MRR@10 by {MRR_MARGIN} on the held-out questions",
    points=3,
    hint="fuse dense and BM25 (bm25s) rankings of 20 candidates each with your RRF",
)
def _beats_dense(hybrid_search: Callable[..., Any], dense_search: Callable[..., Any]) -> None:
    questions = [
        dict(q)
        for q in load_rag_eval(split="test")
        if q["answerable"] and not q["relevant_doc_ids"][0].startswith("pdf-")
    ]
    dense = _mrr(dense_search, questions)
    expect(dense >= DENSE_FLOOR, f"a dense baseline with MRR@10 >= {DENSE_FLOOR}",
           Text(f"{dense:.3f}"))  # fmt: skip
    hybrid = _mrr(hybrid_search, questions)
    expect(hybrid >= dense + MRR_MARGIN, f"hybrid MRR@10 >= dense {dense:.3f} + {MRR_MARGIN}",
           Text(f"{hybrid:.3f}"))  # fmt: skip


class ScorerDouble:
    """A test double for a cross-encoder: scores are looked up, and every call is recorded."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores
        self.calls: list[list[tuple[str, str]]] = []

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Return the recorded score of each pair's passage."""
        self.calls.append(list(pairs))
        return [self.scores[passage] for _, passage in pairs]


@q3.case("orders candidates by score, best first, and keeps top_n")
def _order(rerank: Callable[..., Any]) -> None:
    scorer = ScorerDouble({"p1": 0.1, "p2": 0.9, "p3": 0.5})
    got = rerank("q", [("s1", "p1"), ("s2", "p2"), ("s3", "p3")], scorer, 2)
    expect_equal(list(got), ["s2", "s3"], "rerank('q', [s1, s2, s3], scorer, top_n=2)")


@q3.case(
    "scores all candidates in ONE batched call",
    hint="build every (question, passage) pair, then call score_pairs once",
)
def _batched(rerank: Callable[..., Any]) -> None:
    scorer = ScorerDouble({f"p{i}": float(i) for i in range(8)})
    rerank("q", [(f"s{i}", f"p{i}") for i in range(8)], scorer, 3)
    expect_equal(len(scorer.calls), 1, "the number of calls to score_pairs")
    expect_equal(scorer.calls[0][0], ("q", "p0"), "the first pair scored")


@q3.case("keeps the retriever's order on ties, and [] for no candidates", grading_only=True)
def _ties(rerank: Callable[..., Any]) -> None:
    scorer = ScorerDouble({"a": 1.0, "b": 1.0, "c": 2.0})
    got = rerank("q", [("sa", "a"), ("sb", "b"), ("sc", "c")], scorer, 3)
    expect_equal(list(got), ["sc", "sa", "sb"], "rerank with tied scores")
    expect_equal(list(rerank("q", [], scorer, 3)), [], "rerank('q', [], scorer, 3)")
