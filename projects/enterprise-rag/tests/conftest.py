"""Shared fixtures: real MiniLM (labkit), Qdrant local mode in memory, a fake chat model."""

from __future__ import annotations

import re

import pytest
import torch
from labkit import get_settings, models
from labkit.llm import ChatRequest, FakeChatModel
from qdrant_client import QdrantClient

from enterprise_rag.__main__ import corpus_documents, corpus_questions
from enterprise_rag.embedding import CachedEmbedder
from enterprise_rag.evaluation import calibrate_threshold
from enterprise_rag.rerank import SimilarityReranker
from enterprise_rag.service import RagService
from enterprise_rag.store import HybridStore


def cite_first_source(request: ChatRequest) -> str:
    """Test double's answer: the first sentence of source [1], cited as [1]."""
    match = re.search(r"\[1\] [^\n]*\n([^.\n]*)", request.messages[-1].content)
    return f"{match.group(1).strip() if match else 'See the source'} [1]."


@pytest.fixture(scope="session")
def embedder() -> CachedEmbedder:
    """MiniLM with an embedding cache that survives between test runs (content-addressed)."""
    torch.set_num_threads(1)  # single queries: one thread avoids oversubscription on small CPUs
    settings = get_settings()
    cache = settings.cache_dir / "enterprise-rag" / "embeddings.sqlite"
    return CachedEmbedder(models.embedding_model(settings), settings.embedding_model, cache)


def make_service(embedder: CachedEmbedder, collection: str = "chunks") -> RagService:
    """A service over an empty in-memory Qdrant, answering with the test double."""
    store = HybridStore(QdrantClient(":memory:"), embedder, collection=collection)
    return RagService(
        store=store,
        reranker=SimilarityReranker(),
        llm=lambda: FakeChatModel(cite_first_source),
    )


@pytest.fixture
def empty_service(embedder: CachedEmbedder) -> RagService:
    return make_service(embedder)


@pytest.fixture(scope="session")
def corpus_service(embedder: CachedEmbedder) -> RagService:
    """The whole (smoke-sized) corpus ingested, abstention calibrated on the train split."""
    service = make_service(embedder, "corpus")
    service.store.ingest(corpus_documents())
    train = corpus_questions("train")
    embedder.embed([q["question"] for q in train])
    best = [max(h.similarity for h in service.retrieve(q["question"], k=5)) for q in train]
    service.min_similarity = calibrate_threshold(best, [q["answerable"] for q in train])
    return service
