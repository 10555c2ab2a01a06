"""The RAG pipeline in one object: retrieve (dense, sparse, hybrid), rerank, answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from labkit.llm import ChatModel
from qdrant_client import QdrantClient

from enterprise_rag.answer import Answer, Answerer
from enterprise_rag.embedding import CachedEmbedder
from enterprise_rag.rerank import CrossEncoderReranker, Reranker, SimilarityReranker
from enterprise_rag.store import Hit, HybridStore, Mode

Pipeline = Literal["dense", "sparse", "hybrid", "hybrid+rerank"]
PIPELINES: tuple[Pipeline, ...] = ("dense", "sparse", "hybrid", "hybrid+rerank")


@dataclass
class RagService:
    """Retrieval, reranking and answering over one ``HybridStore``.

    ``llm`` is a factory so that the (slow to load) chat model is built on the first answer,
    not at start-up; retrieval-only use never loads it.
    """

    store: HybridStore
    reranker: Reranker
    llm: Callable[[], ChatModel]
    min_similarity: float = 0.35
    candidates: int = 20
    _answerer: Answerer | None = None

    @property
    def answerer(self) -> Answerer:
        """The answerer, built with the chat model on first use."""
        if self._answerer is None:
            self._answerer = Answerer(self.llm(), min_similarity=self.min_similarity)
        return self._answerer

    def retrieve(self, query: str, pipeline: Pipeline = "hybrid", k: int = 5) -> list[Hit]:
        """Return the top ``k`` hits of one pipeline.

        Raises:
            ValueError: Unknown pipeline or empty query.

        """
        if pipeline not in PIPELINES:
            raise ValueError(f"pipeline must be one of {PIPELINES}, not {pipeline!r}.")
        if pipeline == "hybrid+rerank":
            hits = self.store.search(query, mode="hybrid", limit=self.candidates)
            return self.reranker.rerank(query, hits)[:k]
        mode: Mode = pipeline
        return self.store.search(query, mode=mode, limit=k, candidates=self.candidates)

    def ask(self, question: str, pipeline: Pipeline = "hybrid") -> Answer:
        """Answer the question with citations, or abstain."""
        return self.answerer.answer(question, self.retrieve(question, pipeline))

    def ask_stream(self, question: str, pipeline: Pipeline = "hybrid") -> Iterator[str | Answer]:
        """Stream the answer's pieces, then the finished ``Answer``."""
        return self.answerer.stream(question, self.retrieve(question, pipeline))


def default_reranker(path: Path | None) -> Reranker:
    """The cross-encoder saved at ``path`` if there is one, else bi-encoder rescoring."""
    if path is not None and (path / "config.json").exists():
        return CrossEncoderReranker.load(path)
    return SimilarityReranker()


def build_service(
    *,
    qdrant_path: Path | None = None,
    cache_path: Path | None = None,
    reranker_path: Path | None = None,
    llm: Callable[[], ChatModel] | None = None,
    min_similarity: float = 0.35,
) -> RagService:
    """Wire the real parts: MiniLM from ``labkit.models``, Qdrant local mode, SmolLM2.

    Args:
        qdrant_path: Folder of Qdrant's local-mode storage; ``None`` keeps it in memory.
        cache_path: SQLite file of the embedding cache; ``None`` keeps it in memory.
        reranker_path: A trained cross-encoder's folder, if any.
        llm: Chat model factory; ``labkit.models.chat_model`` (SmolLM2 offline) by default.
        min_similarity: The abstention threshold (calibrate it with ``evaluation``).

    """
    from labkit import get_settings, models

    settings = get_settings()
    embedder = CachedEmbedder(
        models.embedding_model(settings), settings.embedding_model, cache_path
    )
    client = QdrantClient(path=str(qdrant_path)) if qdrant_path else QdrantClient(":memory:")
    return RagService(
        store=HybridStore(client, embedder),
        reranker=default_reranker(reranker_path),
        llm=llm or (lambda: models.chat_model(settings)),
        min_similarity=min_similarity,
    )
