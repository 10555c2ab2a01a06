"""Benchmark: the same burst of concurrent requests with batch size 1 and with dynamic batching."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx

from llm_serving.app import create_app
from llm_serving.generator import TextGenerator
from llm_serving.settings import ServerSettings


@dataclass(frozen=True)
class BenchRow:
    """One configuration's measured latency and throughput."""

    mode: str
    requests: int
    p50_s: float
    p95_s: float
    requests_per_s: float
    tokens_per_s: float


async def _burst(generator: TextGenerator, settings: ServerSettings, mode: str, requests: int,
                 max_tokens: int) -> BenchRow:  # fmt: skip
    app = create_app(generator, settings)
    transport = httpx.ASGITransport(app=app)
    latencies: list[float] = []
    tokens = 0

    async def one(client: httpx.AsyncClient, index: int) -> None:
        nonlocal tokens
        body = {
            "model": generator.name,
            "messages": [{"role": "user", "content": f"Give me fact number {index} about cats."}],
            "max_tokens": max_tokens,
        }
        started = time.perf_counter()
        answer = await client.post("/v1/chat/completions", json=body)
        answer.raise_for_status()
        latencies.append(time.perf_counter() - started)
        tokens += answer.json()["usage"]["completion_tokens"]

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client,
    ):
        started = time.perf_counter()
        await asyncio.gather(*(one(client, index) for index in range(requests)))
        wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=20, method="inclusive")
    return BenchRow(mode, requests, statistics.median(latencies), cuts[18], requests / wall,
                    tokens / wall)  # fmt: skip


def run_bench(
    generator: TextGenerator, *, requests: int = 16, max_tokens: int = 16, max_batch_size: int = 8
) -> list[BenchRow]:
    """Send ``requests`` concurrent chats twice: batch size 1, then dynamic batching.

    Every request is different, so request coalescing plays no part in the difference.
    """
    rows = []
    for mode, size in (("batch 1 (one at a time)", 1), (f"dynamic batching (max {max_batch_size})",
                                                           max_batch_size)):  # fmt: skip
        settings = ServerSettings(
            max_batch_size=size, max_wait_ms=10, max_queue=requests, max_concurrency=requests,
            max_tokens_cap=max_tokens, request_timeout_s=600,
        )  # fmt: skip
        rows.append(asyncio.run(_burst(generator, settings, mode, requests, max_tokens)))
    return rows


def markdown_table(rows: list[BenchRow]) -> str:
    """Format rows as the README's Markdown table."""
    lines = [
        "| mode | requests | p50 latency (s) | p95 latency (s) | requests/s | tokens/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.mode} | {row.requests} | {row.p50_s:.2f} | {row.p95_s:.2f} | "
            f"{row.requests_per_s:.2f} | {row.tokens_per_s:.1f} |"
        )
    return "\n".join(lines)
