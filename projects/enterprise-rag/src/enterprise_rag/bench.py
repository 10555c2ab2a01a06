"""Speed: ingestion throughput and query latency percentiles per pipeline, in one run.

The corpus has a few hundred sections; to measure at 10k chunks it is replicated: copy ``n``
of a document gets the id ``<doc_id>-copy<n>`` and a one-line suffix, so every copy is a
distinct chunk (its own hash, its own embedding, its own BM25 vector). A warm run
(``cold=False``) keeps the copies' text identical, so their embeddings come from the cache:
it measures indexing and query latency at scale without paying for 10k embeddings on a CPU.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from enterprise_rag.chunking import Document, chunk_document
from enterprise_rag.service import PIPELINES, Pipeline, RagService


def replicate(
    documents: Sequence[Document], chunks: int, *, distinct: bool = True
) -> list[Document]:
    """Return copies of the documents holding about ``chunks`` chunks in all.

    Raises:
        ValueError: ``chunks`` is not positive or the documents have no chunks.

    """
    per_round = sum(len(chunk_document(d)) for d in documents)
    if chunks <= 0 or per_round == 0:
        raise ValueError(f"need chunks > 0 and documents with text (got {chunks}, {per_round}).")
    copies: list[Document] = []
    total, n = 0, 0
    while total < chunks:
        for doc in documents:
            if total >= chunks:
                break
            text = (
                doc.text
                if n == 0 or not distinct
                else doc.text.replace("\n## ", f"\nCopy {n}.\n## ")
            )
            copy = (
                doc
                if n == 0
                else Document(doc_id=f"{doc.doc_id}-copy{n}", title=doc.title, text=text)
            )
            copies.append(copy)
            total += len(chunk_document(copy))
        n += 1
    return copies


@dataclass
class BenchResult:
    """Measured figures of one benchmark run."""

    chunks: int
    ingest_seconds: float
    chunks_per_second: float
    cold: bool
    latency_ms: dict[str, dict[str, float]]

    def ratio(self, slow: Pipeline, fast: Pipeline, percentile: str = "p50") -> float:
        """How many times slower ``slow`` is than ``fast`` at a percentile."""
        return self.latency_ms[slow][percentile] / self.latency_ms[fast][percentile]


def run_benchmark(
    service: RagService,
    documents: Sequence[Document],
    queries: Sequence[str],
    *,
    chunks: int,
    pipelines: Sequence[Pipeline] = ("dense", "hybrid", "hybrid+rerank"),
    batch: int = 64,
    cold: bool = True,
) -> BenchResult:
    """Ingest about ``chunks`` chunks (embedding included), then time every query per pipeline.

    With ``cold`` every chunk is distinct and embedded (the honest ingestion figure); without,
    copies reuse cached vectors and the figure is indexing throughput only.
    Pipelines are interleaved query by query so that machine load hits them equally.
    """
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown or not queries:
        raise ValueError(f"need queries and pipelines from {PIPELINES}; bad: {unknown}")
    docs = replicate(documents, chunks, distinct=cold)
    start = time.perf_counter()
    for first in range(0, len(docs), batch):
        service.store.ingest(docs[first : first + batch], use_cache=not cold)
    ingest_seconds = time.perf_counter() - start
    indexed = service.store.count()
    timings: dict[str, list[float]] = {p: [] for p in pipelines}
    for query in queries:
        for pipeline in pipelines:
            began = time.perf_counter()
            service.retrieve(query, pipeline, k=5)
            timings[pipeline].append(1000 * (time.perf_counter() - began))
    latency = {
        p: {"p50": float(np.percentile(t, 50)), "p95": float(np.percentile(t, 95))}
        for p, t in timings.items()
    }
    return BenchResult(indexed, ingest_seconds, indexed / ingest_seconds, cold, latency)
