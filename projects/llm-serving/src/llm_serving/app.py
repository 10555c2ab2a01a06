"""The OpenAI-compatible HTTP API: chat completions (streamed or not), models, health, metrics."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse

from llm_serving.batcher import DynamicBatcher, QueueFull
from llm_serving.budget import BudgetExhausted, TokenBudgeter
from llm_serving.coalesce import RequestCoalescer
from llm_serving.generator import ChatMessage, Generation, GenerationRequest, TextGenerator
from llm_serving.metrics import ServerMetrics
from llm_serving.settings import ServerSettings

WARMUP_REQUEST = GenerationRequest((ChatMessage("user", "Hello"),), max_new_tokens=1)


class MessageIn(BaseModel):
    """One chat message as OpenAI's API sends it (text content only)."""

    role: Literal["system", "user", "assistant"]
    content: str


class ChatCompletionRequest(BaseModel):
    """The body of ``POST /v1/chat/completions``; fields this server does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str
    messages: list[MessageIn] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    user: str | None = None


@dataclass
class ServerState:
    """Everything a request handler needs, built once per app."""

    generator: TextGenerator
    settings: ServerSettings
    batcher: DynamicBatcher[GenerationRequest, Generation]
    coalescer: RequestCoalescer[GenerationRequest, Generation]
    budgeter: TokenBudgeter
    metrics: ServerMetrics
    in_flight: int = 0
    warmup_s: float | None = None


def openai_error(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An error body in OpenAI's shape, so OpenAI clients raise the matching exception."""
    kind = "invalid_request_error" if status < 500 and status != 429 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(generator: TextGenerator, settings: ServerSettings | None = None) -> FastAPI:
    """Build the server around ``generator``: batching, limits, warm-up and metrics.

    Args:
        generator: The model port: :class:`~llm_serving.generator.SmolLM2Generator` in
            production, a test double in fast tests.
        settings: Limits and batching knobs; read from ``LLM_SERVING_*`` if None.

    """
    settings = settings or ServerSettings()
    batcher: DynamicBatcher[GenerationRequest, Generation] = DynamicBatcher(
        generator.generate,
        max_batch_size=settings.max_batch_size,
        max_wait_s=settings.max_wait_ms / 1000,
        max_queue=settings.max_queue,
    )
    metrics = ServerMetrics(queue_depth=lambda: batcher.queue_depth)
    batcher.on_batch = metrics.batch_size.observe
    state = ServerState(
        generator=generator,
        settings=settings,
        batcher=batcher,
        coalescer=RequestCoalescer(),
        budgeter=TokenBudgeter(settings.tenant_token_budget, settings.max_tokens_cap),
        metrics=metrics,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warmup:  # the first call pays for lazy init; pay it before traffic arrives
            started = time.perf_counter()
            await asyncio.to_thread(generator.generate, [WARMUP_REQUEST])
            state.warmup_s = time.perf_counter() - started
        async with batcher:
            yield

    app = FastAPI(title="llm-serving", version="0.1.0", lifespan=lifespan)
    app.state.server = state

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "body"
        return openai_error(400, f"{where}: {first['msg']}", "invalid_request")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness and readiness: the model is loaded and warmed up."""
        return {"status": "ok", "model": generator.name, "warmup_s": state.warmup_s}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        """The one model this server serves, as OpenAI's model list."""
        card = {"id": generator.name, "object": "model", "created": 0, "owned_by": "llm-serving"}
        return {"object": "list", "data": [card]}

    @app.get("/metrics")
    async def prometheus() -> Response:
        """Prometheus text format: latency, TTFT, tokens, queue depth, batch size."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(body: ChatCompletionRequest) -> Response:
        """Answer a chat, as one JSON body or as Server-Sent Events when ``stream`` is true."""
        started = time.perf_counter()
        if body.model != generator.name:
            return openai_error(404, f"model {body.model!r} is not served here", "model_not_found")
        if state.in_flight >= settings.max_concurrency:
            metrics.rejected.labels("concurrency").inc()
            message = f"{settings.max_concurrency} requests are in flight; retry shortly"
            return openai_error(429, message, "too_many_requests", {"Retry-After": "1"})
        tenant = body.user or "anonymous"
        try:
            granted = state.budgeter.reserve(tenant, body.max_completion_tokens or body.max_tokens)
        except BudgetExhausted as error:
            metrics.rejected.labels("budget").inc()
            return openai_error(429, str(error), "budget_exhausted")
        request = GenerationRequest(
            tuple(ChatMessage(m.role, m.content) for m in body.messages), granted
        )
        state.in_flight += 1
        metrics.in_flight.inc()
        if body.stream:
            return EventSourceResponse(_stream(state, request, tenant, started))
        try:
            return await _complete(state, request, tenant, started)
        finally:
            state.in_flight -= 1
            metrics.in_flight.dec()

    return app


def _completion_body(name: str, generation: Generation) -> dict[str, Any]:
    usage = {
        "prompt_tokens": generation.prompt_tokens,
        "completion_tokens": generation.completion_tokens,
        "total_tokens": generation.prompt_tokens + generation.completion_tokens,
    }
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": name,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": generation.text},
                "finish_reason": generation.finish_reason,
            }
        ],
        "usage": usage,
    }


async def _complete(
    state: ServerState, request: GenerationRequest, tenant: str, started: float
) -> Response:
    """The non-streamed path: coalesce identical requests, batch, time out, settle the budget."""
    settings, metrics = state.settings, state.metrics
    submit: Callable[[], Awaitable[Generation]] = lambda: state.batcher.submit(request)  # noqa: E731
    try:
        generation = await asyncio.wait_for(
            state.coalescer.run(request, submit), settings.request_timeout_s
        )
    except QueueFull as error:
        state.budgeter.settle(tenant, request.max_new_tokens, 0)
        metrics.rejected.labels("queue_full").inc()
        return openai_error(503, str(error), "queue_full", {"Retry-After": "1"})
    except TimeoutError:
        state.budgeter.settle(tenant, request.max_new_tokens, 0)
        metrics.rejected.labels("timeout").inc()
        message = f"no answer within {settings.request_timeout_s:g} s; the request was cancelled"
        return openai_error(504, message, "timeout")
    state.budgeter.settle(tenant, request.max_new_tokens, generation.completion_tokens)
    metrics.tokens.labels("prompt").inc(generation.prompt_tokens)
    metrics.tokens.labels("completion").inc(generation.completion_tokens)
    metrics.request_latency.labels("false").observe(time.perf_counter() - started)
    return JSONResponse(_completion_body(state.generator.name, generation))


async def _pieces(
    generator: TextGenerator, request: GenerationRequest, stop: threading.Event
) -> AsyncIterator[str]:
    """Run the blocking ``generator.stream`` in a thread and hand its pieces to the event loop."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | BaseException | None] = asyncio.Queue()

    def hand_over(item: str | BaseException | None) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def produce() -> None:
        try:
            for piece in generator.stream(request, stop):
                hand_over(piece)
        except Exception as error:  # handed to the event loop, raised there
            hand_over(error)
        finally:
            hand_over(None)

    threading.Thread(target=produce, name="stream-generate", daemon=True).start()
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the client left or we finished: the model stops at its next token


def _chunk(chunk_id: str, name: str, delta: dict[str, str], finish: str | None) -> dict[str, str]:
    body = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": name,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return {"data": json.dumps(body)}


async def _stream(
    state: ServerState, request: GenerationRequest, tenant: str, started: float
) -> AsyncIterator[dict[str, str]]:
    """The streamed path: OpenAI's ``chat.completion.chunk`` events, then ``[DONE]``."""
    generator, metrics = state.generator, state.metrics
    chunk_id, text, first = f"chatcmpl-{uuid.uuid4().hex}", "", True
    try:
        yield _chunk(chunk_id, generator.name, {"role": "assistant", "content": ""}, None)
        async for piece in _pieces(generator, request, threading.Event()):
            if first:
                metrics.time_to_first_token.observe(time.perf_counter() - started)
                first = False
            text += piece
            yield _chunk(chunk_id, generator.name, {"content": piece}, None)
        used = min(generator.count_tokens(text), request.max_new_tokens)
        finish = "length" if used >= request.max_new_tokens else "stop"
        yield _chunk(chunk_id, generator.name, {}, finish)
        yield {"data": "[DONE]"}
        metrics.request_latency.labels("true").observe(time.perf_counter() - started)
    finally:  # also on disconnect: sse-starlette cancels us, and _pieces stops the model
        used = min(generator.count_tokens(text), request.max_new_tokens)
        state.budgeter.settle(tenant, request.max_new_tokens, used)
        prompt = sum(generator.count_tokens(m.content) for m in request.messages)
        metrics.tokens.labels("prompt").inc(prompt)
        metrics.tokens.labels("completion").inc(used)
        state.in_flight -= 1
        metrics.in_flight.dec()
