"""The HTTP API: ingest documents, search, answer (JSON or server-sent events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from enterprise_rag.answer import Answer
from enterprise_rag.chunking import Document
from enterprise_rag.service import Pipeline, RagService
from enterprise_rag.store import Hit


class IngestRequest(BaseModel):
    """Documents to add or replace (whole documents: missing sections are deleted)."""

    documents: list[Document] = Field(min_length=1, max_length=1000)


class IngestResponse(BaseModel):
    """What ingestion changed."""

    added: list[str]
    updated: list[str]
    unchanged: int
    deleted: int
    embedded: int
    total_chunks: int


class Query(BaseModel):
    """A question and the retrieval pipeline to use."""

    question: str = Field(min_length=1, max_length=2000)
    pipeline: Pipeline = "hybrid"
    k: int = Field(default=5, ge=1, le=50)


class Source(BaseModel):
    """One retrieved chunk, as the API shows it."""

    number: int
    chunk_id: str
    section_id: str
    title: str
    version: int
    score: float
    similarity: float
    text: str


class AnswerResponse(BaseModel):
    """A grounded answer."""

    answer: str
    citations: list[str]
    invalid_citations: list[int]
    abstained: bool
    sources: list[Source]


def _sources(hits: list[Hit]) -> list[Source]:
    return [
        Source(
            number=i,
            chunk_id=h.chunk_id,
            section_id=h.section_id,
            title=h.title,
            version=h.version,
            score=h.score,
            similarity=h.similarity,
            text=h.text,
        )
        for i, h in enumerate(hits, start=1)
    ]


def _response(answer: Answer) -> AnswerResponse:
    return AnswerResponse(
        answer=answer.text,
        citations=answer.citations,
        invalid_citations=answer.invalid_citations,
        abstained=answer.abstained,
        sources=_sources(answer.sources),
    )


def create_app(service_factory: Callable[[], RagService]) -> FastAPI:
    """Build the API around a service made once, at start-up.

    Args:
        service_factory: Builds the ``RagService`` (``build_service`` in production, a small
            in-memory one in tests).

    """
    app = FastAPI(title="enterprise-rag", version="0.1.0")
    service = service_factory()

    def guarded(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ValueError as error:
            raise HTTPException(status_code=422, detail=str(error)) from error

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "chunks": service.store.count(), "reranker": service.reranker.name}

    @app.post("/documents")
    def ingest(request: IngestRequest) -> IngestResponse:
        report = guarded(lambda: service.store.ingest(request.documents))
        return IngestResponse(
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            deleted=report.deleted,
            embedded=report.embedded,
            total_chunks=service.store.count(),
        )

    @app.post("/search")
    def search(query: Query) -> list[Source]:
        hits = guarded(lambda: service.retrieve(query.question, query.pipeline, query.k))
        return _sources(hits)

    @app.post("/answer")
    async def answer(query: Query) -> AnswerResponse:
        result = await run_in_threadpool(
            lambda: guarded(lambda: service.ask(query.question, query.pipeline))
        )
        return _response(result)

    @app.post("/answer/stream")
    async def answer_stream(query: Query) -> EventSourceResponse:
        """Stream ``token`` events, then one ``answer`` event with citations and sources."""
        pieces: Iterator[str | Answer] = guarded(
            lambda: service.ask_stream(query.question, query.pipeline)
        )

        async def events() -> AsyncIterator[dict[str, str]]:
            async for piece in iterate_in_threadpool(pieces):
                if isinstance(piece, Answer):
                    yield {"event": "answer", "data": _response(piece).model_dump_json()}
                else:
                    yield {"event": "token", "data": json.dumps(piece)}

        return EventSourceResponse(events())

    return app
