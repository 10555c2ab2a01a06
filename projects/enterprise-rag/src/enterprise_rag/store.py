"""The hybrid index in Qdrant: a dense MiniLM vector and a BM25 sparse vector per chunk.

Ingestion is idempotent: a chunk's point id is derived from its chunk id and its payload keeps
the content hash and a version number, so re-sending a document changes nothing, an edited
section is re-embedded and gets the next version, and a removed section is deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from qdrant_client import QdrantClient, models

from enterprise_rag.chunking import Chunk, Document, chunk_document
from enterprise_rag.embedding import CachedEmbedder
from enterprise_rag.sparse import BM25Encoder

Mode = Literal["dense", "sparse", "hybrid"]
DENSE, SPARSE = "dense", "bm25"


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk.

    Attributes:
        score: The ranking score of the stage that produced the order (cosine, BM25, RRF or
            the reranker's), comparable only within one result list.
        similarity: The query-chunk cosine of the dense vectors, comparable across queries:
            what abstention thresholds.

    """

    chunk_id: str
    section_id: str
    doc_id: str
    title: str
    text: str
    version: int
    score: float
    similarity: float


@dataclass
class IngestReport:
    """What one ingestion call changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: int = 0
    embedded: int = 0


def point_id(chunk_id: str) -> str:
    """Return the chunk's stable Qdrant point id (a UUID5 of the chunk id)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"enterprise-rag:{chunk_id}"))


class HybridStore:
    """Chunks in one Qdrant collection, searchable dense, sparse or fused with RRF.

    Args:
        client: ``QdrantClient(":memory:")``, ``QdrantClient(path=...)`` (local mode) or a
            server's client: the code is the same.
        embedder: Dense vectors with a content cache.
        collection: The collection's name.
        rrf_k: The RRF constant; 60 is the original paper's choice.

    """

    def __init__(
        self,
        client: QdrantClient,
        embedder: CachedEmbedder,
        *,
        collection: str = "chunks",
        rrf_k: int = 60,
        sparse: BM25Encoder | None = None,
    ) -> None:
        self.client, self.embedder, self.collection, self.rrf_k = (
            client,
            embedder,
            collection,
            rrf_k,
        )
        self.sparse = sparse or BM25Encoder()
        if not client.collection_exists(collection):
            probe = embedder.embed(["dimension probe"])
            client.create_collection(
                collection,
                vectors_config={
                    DENSE: models.VectorParams(size=probe.shape[1], distance=models.Distance.COSINE)
                },
                sparse_vectors_config={
                    SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)
                },
            )

    def count(self) -> int:
        """Return how many chunks are indexed."""
        return self.client.count(self.collection, exact=True).count

    def ingest(self, documents: Sequence[Document], *, use_cache: bool = True) -> IngestReport:
        """Add, update or delete chunks so the index matches these documents exactly.

        Args:
            documents: Whole documents; a document's chunks not produced again are deleted.
            use_cache: ``False`` embeds every new or changed chunk even if cached (benchmarks).

        Raises:
            ValueError: Two documents share a ``doc_id``.

        """
        ids = [d.doc_id for d in documents]
        if len(set(ids)) != len(ids):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"doc_id must be unique in one request; repeated: {duplicates}")
        report = IngestReport()
        if not documents:
            return report
        chunks = [c for d in documents for c in chunk_document(d)]
        existing = {
            str(p.id): p.payload or {}
            for p in self.client.retrieve(
                self.collection, [point_id(c.chunk_id) for c in chunks], with_payload=True
            )
        }
        changed: list[tuple[Chunk, int]] = []
        for chunk in chunks:
            old = existing.get(point_id(chunk.chunk_id))
            if old is None:
                report.added.append(chunk.chunk_id)
                changed.append((chunk, 1))
            elif old.get("content_hash") != chunk.content_hash:
                report.updated.append(chunk.chunk_id)
                changed.append((chunk, int(old.get("version", 0)) + 1))
            else:
                report.unchanged += 1
        stale = models.Filter(
            must=[models.FieldCondition(key="doc_id", match=models.MatchAny(any=ids))],
            must_not=[
                models.FieldCondition(
                    key="chunk_id", match=models.MatchAny(any=[c.chunk_id for c in chunks])
                )
            ],
        )
        report.deleted = self.client.count(self.collection, count_filter=stale, exact=True).count
        if report.deleted:
            self.client.delete(self.collection, models.FilterSelector(filter=stale))
        if changed:
            before = self.embedder.encoded
            vectors = self.embedder.embed([c.text for c, _ in changed], use_cache=use_cache)
            report.embedded = self.embedder.encoded - before
            points = [
                models.PointStruct(
                    id=point_id(c.chunk_id),
                    vector={DENSE: v.tolist(), SPARSE: self.sparse.encode_document(c.text)},
                    payload={
                        "chunk_id": c.chunk_id,
                        "section_id": c.section_id,
                        "doc_id": c.doc_id,
                        "title": c.title,
                        "text": c.text,
                        "content_hash": c.content_hash,
                        "version": version,
                    },
                )
                for (c, version), v in zip(changed, vectors, strict=True)
            ]
            for start in range(0, len(points), 256):
                self.client.upsert(self.collection, points[start : start + 256], wait=True)
        return report

    def search(
        self, query: str, *, mode: Mode = "hybrid", limit: int = 10, candidates: int = 20
    ) -> list[Hit]:
        """Return the top chunks for the query.

        Args:
            query: The user's question.
            mode: ``dense`` (MiniLM cosine), ``sparse`` (BM25) or ``hybrid`` (both, fused with
                reciprocal rank fusion by Qdrant's Query API).
            limit: How many hits to return.
            candidates: How many hits each retriever contributes to the fusion.

        Raises:
            ValueError: Empty query or unknown mode.

        """
        if not query.strip():
            raise ValueError("query must not be empty.")
        vector = self.embedder.embed([query])[0]
        if mode == "dense":
            result = self.client.query_points(
                self.collection,
                query=vector.tolist(),
                using=DENSE,
                limit=limit,
                with_payload=True,
                with_vectors=[DENSE],
            )
        elif mode == "sparse":
            result = self.client.query_points(
                self.collection,
                query=self.sparse.encode_query(query),
                using=SPARSE,
                limit=limit,
                with_payload=True,
                with_vectors=[DENSE],
            )
        elif mode == "hybrid":
            result = self.client.query_points(
                self.collection,
                prefetch=[
                    models.Prefetch(query=vector.tolist(), using=DENSE, limit=candidates),
                    models.Prefetch(
                        query=self.sparse.encode_query(query), using=SPARSE, limit=candidates
                    ),
                ],
                query=models.RrfQuery(rrf=models.Rrf(k=self.rrf_k)),
                limit=limit,
                with_payload=True,
                with_vectors=[DENSE],
            )
        else:
            raise ValueError(f"mode must be dense, sparse or hybrid, not {mode!r}.")
        hits = []
        for point in result.points:
            payload = point.payload or {}
            dense = point.vector[DENSE] if isinstance(point.vector, dict) else None
            similarity = float(np.dot(vector, np.asarray(dense))) if dense is not None else 0.0
            hits.append(
                Hit(
                    chunk_id=payload["chunk_id"],
                    section_id=payload["section_id"],
                    doc_id=payload["doc_id"],
                    title=payload["title"],
                    text=payload["text"],
                    version=int(payload["version"]),
                    score=float(point.score),
                    similarity=similarity,
                )
            )
        return hits

    @staticmethod
    def rescored(hits: Sequence[Hit], scores: Sequence[float]) -> list[Hit]:
        """Return the hits with new scores, best first (stable for ties)."""
        order = sorted(range(len(hits)), key=lambda i: -scores[i])
        return [replace(hits[i], score=float(scores[i])) for i in order]
