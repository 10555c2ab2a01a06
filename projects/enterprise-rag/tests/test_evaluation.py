"""The evaluation suite in CI: the held-out split must meet every threshold."""

from __future__ import annotations

from pathlib import Path

from enterprise_rag.__main__ import corpus_questions
from enterprise_rag.evaluation import THRESHOLDS, append_run, evaluate, load_history
from enterprise_rag.service import RagService


def test_does_the_held_out_split_meet_every_threshold(
    corpus_service: RagService, tmp_path: Path
) -> None:
    run = evaluate(corpus_service, corpus_questions("test"), notes="CI, test double")
    print(run.metrics, run.latency_ms, corpus_service.min_similarity)
    assert run.passed(), run.below()
    append_run(tmp_path / "history.jsonl", run)
    assert load_history(tmp_path / "history.jsonl")[0].metrics == run.metrics
    assert set(THRESHOLDS) <= set(run.metrics)


def test_does_hybrid_beat_dense_alone_on_mrr(corpus_service: RagService) -> None:
    questions = [q for q in corpus_questions("test") if q["answerable"]]
    dense = evaluate(corpus_service, questions, pipeline="dense", answer=False)
    hybrid = evaluate(corpus_service, questions, pipeline="hybrid", answer=False)
    print(dense.metrics, hybrid.metrics)
    assert hybrid.metrics["mrr@10"] > dense.metrics["mrr@10"]
