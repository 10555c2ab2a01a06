"""Chat models that wrap another chat model: an LRU cache and a telemetry logger."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from template_service.logs import get_logger
from template_service.ports import ChatModel, Completion, Message

CacheKey = tuple[tuple[Message, ...], int, float]


@dataclass(frozen=True)
class CacheStats:
    """How often the cache answered."""

    hits: int
    misses: int
    size: int


class CachedChatModel:
    """Answer repeated identical requests from memory: a thread-safe LRU cache.

    Only worth it at ``temperature=0``, where the same request should give the same answer.
    Requests with a higher temperature go straight to the wrapped model.

    Example:
        >>> from template_service.adapter import FakeChatModel
        >>> inner = FakeChatModel(lambda messages: "hi")
        >>> cached = CachedChatModel(inner, maxsize=10)
        >>> [cached.complete([Message("user", "x")]).cached for _ in range(2)]
        [False, True]
        >>> len(inner.calls)
        1
    """

    def __init__(self, inner: ChatModel, *, maxsize: int = 256) -> None:
        """Wrap ``inner``; keep at most ``maxsize`` answers (0 turns caching off)."""
        if maxsize < 0:
            raise ValueError(f"maxsize must be 0 or more, got {maxsize}")
        self.inner = inner
        self.maxsize = maxsize
        self._entries: OrderedDict[CacheKey, Completion] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    @property
    def model(self) -> str:
        """The wrapped model's name."""
        return self.inner.model

    @property
    def stats(self) -> CacheStats:
        """Hits, misses and entries so far."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries))

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Return a cached answer (marked ``cached=True``) or ask the wrapped model."""
        if temperature > 0 or self.maxsize == 0:
            return self.inner.complete(messages, max_tokens=max_tokens, temperature=temperature)
        key: CacheKey = (tuple(messages), max_tokens, temperature)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self._hits += 1
                return replace(self._entries[key], cached=True)
            self._misses += 1
        completion = self.inner.complete(messages, max_tokens=max_tokens, temperature=temperature)
        with self._lock:
            self._entries[key] = completion
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return completion


class TelemetryChatModel:
    """Log one JSON line per call (model, latency, tokens, cache hit, outcome) and count calls.

    Example:
        >>> from template_service.adapter import FakeChatModel
        >>> timed = TelemetryChatModel(FakeChatModel(lambda messages: "ok"))
        >>> _ = timed.complete([Message("user", "x")])
        >>> timed.calls, timed.errors
        (1, 0)
    """

    def __init__(
        self,
        inner: ChatModel,
        *,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """Wrap ``inner``; ``clock`` is injectable so tests can control time."""
        self.inner = inner
        self.logger = logger or get_logger("llm")
        self.clock = clock
        self.calls = 0
        self.errors = 0
        self.total_latency_s = 0.0

    @property
    def model(self) -> str:
        """The wrapped model's name."""
        return self.inner.model

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Time the wrapped call and log it, whether it succeeds or raises."""
        started = self.clock()
        outcome = "error"
        completion: Completion | None = None
        try:
            completion = self.inner.complete(
                messages, max_tokens=max_tokens, temperature=temperature
            )
            outcome = "ok"
            return completion
        finally:
            latency_s = self.clock() - started
            self.calls += 1
            self.errors += outcome == "error"
            self.total_latency_s += latency_s
            self.logger.info(
                "llm_call",
                extra={
                    "model": self.model,
                    "outcome": outcome,
                    "latency_ms": round(latency_s * 1000, 3),
                    "input_tokens": completion.usage.input_tokens if completion else 0,
                    "output_tokens": completion.usage.output_tokens if completion else 0,
                    "cached": completion.cached if completion else False,
                },
            )
