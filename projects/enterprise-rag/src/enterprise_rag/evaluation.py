"""The evaluation suite: retrieval, citation and abstention metrics on labelled questions.

Metrics (all in [0, 1], higher is better):

- ``recall@5``: share of answerable questions with a relevant section in the top 5;
- ``mrr@10``: mean reciprocal rank of the first relevant section in the top 10;
- ``citation_validity``: share of answered questions whose every ``[n]`` points at a shown
  source and at least one cited source is a relevant section;
- ``abstention_accuracy``: share of all questions where "I don't know" was said exactly when
  the question is unanswerable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from enterprise_rag.service import Pipeline, RagService

THRESHOLDS = {
    "recall@5": 0.75,
    "mrr@10": 0.60,
    "citation_validity": 0.50,
    "abstention_accuracy": 0.85,
}


class Question(TypedDict):
    """The fields of a labelled question the suite reads (``labkit.datasets.RagQuestion``)."""

    qa_id: str
    question: str
    relevant_section_ids: list[str]
    answerable: bool


@dataclass
class EvalRun:
    """One evaluation run, as stored in the history file and drawn on the dashboard."""

    run_id: str
    started: str
    pipeline: str
    questions: int
    metrics: dict[str, float]
    latency_ms: dict[str, float]
    notes: str = ""
    failures: list[str] = field(default_factory=list)

    def passed(self, thresholds: Mapping[str, float] = THRESHOLDS) -> bool:
        """True when every thresholded metric reaches its threshold."""
        return not self.below(thresholds)

    def below(self, thresholds: Mapping[str, float] = THRESHOLDS) -> list[str]:
        """Return the metrics under their threshold, as readable lines."""
        return [
            f"{name} = {self.metrics[name]:.3f} < {limit:.2f}"
            for name, limit in thresholds.items()
            if name in self.metrics and self.metrics[name] < limit
        ]


def first_relevant_rank(ranked_sections: Sequence[str], relevant: Iterable[str]) -> int | None:
    """Return the 1-based rank of the first relevant section, or ``None``.

    Example:
        >>> first_relevant_rank(["a#x", "b#y"], {"b#y"})
        2

    """
    wanted = set(relevant)
    return next((r for r, s in enumerate(ranked_sections, start=1) if s in wanted), None)


def calibrate_threshold(similarities: Sequence[float], answerable: Sequence[bool]) -> float:
    """Return the best-cosine threshold that best separates answerable from unanswerable.

    Fit it on a training split, then evaluate on held-out questions.
    """
    values = np.asarray(similarities, dtype=float)
    truth = np.asarray(answerable, dtype=bool)
    candidates = np.unique(np.concatenate([values, [values.min() - 1e-6]]))
    accuracy = [float(np.mean((values >= t) == truth)) for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def evaluate(
    service: RagService,
    questions: Sequence[Question],
    *,
    pipeline: Pipeline = "hybrid",
    answer: bool = True,
    notes: str = "",
) -> EvalRun:
    """Run every question through the pipeline and compute the suite's metrics.

    Args:
        service: The pipeline under test.
        questions: Labelled questions (``labkit.datasets.load_rag_eval``).
        pipeline: Which retrieval pipeline to evaluate.
        answer: Also generate answers (citation validity, abstention); retrieval only if False.
        notes: Free text stored with the run (model names, corpus size …).

    Raises:
        ValueError: No questions.

    """
    if not questions:
        raise ValueError("evaluate needs at least one question.")
    started = datetime.now(UTC)
    service.store.embedder.embed([q["question"] for q in questions])  # one batch, then cached
    recall, reciprocal, valid, abstain_ok, latencies = [], [], [], [], []
    failures: list[str] = []
    for q in questions:
        start = time.perf_counter()
        hits = service.retrieve(q["question"], pipeline, k=10)
        latencies.append(1000 * (time.perf_counter() - start))
        sections = [h.section_id for h in hits]
        if q["answerable"]:
            rank = first_relevant_rank(sections, q["relevant_section_ids"])
            recall.append(rank is not None and rank <= 5)
            reciprocal.append(1 / rank if rank else 0.0)
            if rank is None:
                failures.append(f"{q['qa_id']}: no relevant section in the top 10")
        if not answer:
            continue
        result = service.answerer.answer(q["question"], hits)
        abstain_ok.append(result.abstained != q["answerable"])
        if not result.abstained:
            cited = {c.split("~")[0] for c in result.citations}
            valid.append(
                not result.invalid_citations and bool(cited & set(q["relevant_section_ids"]))
            )
    metrics = {"recall@5": float(np.mean(recall)), "mrr@10": float(np.mean(reciprocal))}
    if answer:
        metrics["citation_validity"] = float(np.mean(valid)) if valid else 0.0
        metrics["abstention_accuracy"] = float(np.mean(abstain_ok))
    return EvalRun(
        run_id=started.strftime("%Y%m%dT%H%M%S%fZ"),
        started=started.isoformat(timespec="seconds"),
        pipeline=pipeline,
        questions=len(questions),
        metrics=metrics,
        latency_ms={
            "p50": float(np.percentile(latencies, 50)),
            "p95": float(np.percentile(latencies, 95)),
        },
        notes=notes,
        failures=failures,
    )


def append_run(path: Path, run: EvalRun) -> None:
    """Append the run to a JSON-lines history file (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as history:
        history.write(json.dumps(asdict(run)) + "\n")


def load_history(path: Path) -> list[EvalRun]:
    """Read every run of a history file, oldest first.

    Raises:
        ValueError: A line is not a run, with its line number.

    """
    runs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data: dict[str, Any] = json.loads(line)
            runs.append(EvalRun(**data))
        except (json.JSONDecodeError, TypeError) as error:
            raise ValueError(f"{path}:{number} is not an evaluation run: {error}") from error
    return runs
