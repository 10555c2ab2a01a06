"""Prometheus metrics for the server, in a registry of its own (one per app: tests stay apart)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)


class ServerMetrics:
    """The numbers an on-call engineer needs: latency, TTFT, tokens, queue depth, batch size."""

    def __init__(self, queue_depth: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        self.request_latency = Histogram(
            "llm_request_latency_seconds",
            "Time from request to last byte of the answer",
            ["stream"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.time_to_first_token = Histogram(
            "llm_time_to_first_token_seconds",
            "Time from request to the first streamed token",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tokens = Counter("llm_tokens", "Tokens processed", ["kind"], registry=self.registry)
        self.batch_size = Histogram(
            "llm_batch_size",
            "Requests per model call",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.rejected = Counter(
            "llm_requests_rejected", "Requests refused early", ["reason"], registry=self.registry
        )
        self.in_flight = Gauge(
            "llm_requests_in_flight", "Requests being served now", registry=self.registry
        )
        self.queue_depth = Gauge(
            "llm_queue_depth", "Requests waiting for a batch", registry=self.registry
        )
        self.queue_depth.set_function(queue_depth)
