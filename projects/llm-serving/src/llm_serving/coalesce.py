"""Request coalescing: identical requests in flight at the same time share one computation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Result = TypeVar("Result")


@dataclass
class _Flight(Generic[Result]):
    task: asyncio.Task[Result]
    waiters: int = 0


class RequestCoalescer(Generic[Key, Result]):
    """Run ``compute`` once per key at a time; concurrent callers with the same key await it.

    This is not a cache: once the computation finishes, the next call computes again. It is
    safe only where identical inputs give identical answers (greedy decoding, temperature 0).
    A caller that is cancelled stops waiting; the shared work is cancelled only when its last
    caller leaves, so a timeout still frees the model when nobody else needs the answer.

    Example:
        >>> async def demo() -> tuple[list[str], int]:
        ...     coalescer: RequestCoalescer[str, str] = RequestCoalescer()
        ...     async def slow() -> str:
        ...         await asyncio.sleep(0.01)
        ...         return "answer"
        ...     answers = await asyncio.gather(*(coalescer.run("q", slow) for _ in range(5)))
        ...     return list(answers), coalescer.computations
        >>> asyncio.run(demo())
        (['answer', 'answer', 'answer', 'answer', 'answer'], 1)

    """

    def __init__(self) -> None:
        self._in_flight: dict[Key, _Flight[Result]] = {}
        self.computations = 0
        self.shared = 0

    def _land(self, key: Key, flight: _Flight[Result]) -> None:
        if self._in_flight.get(key) is flight:
            del self._in_flight[key]

    async def run(self, key: Key, compute: Callable[[], Awaitable[Result]]) -> Result:
        """Return ``compute()``'s result, sharing a computation already running for ``key``."""
        flight = self._in_flight.get(key)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(compute()))
            self._in_flight[key] = flight
            self.computations += 1
            flight.task.add_done_callback(lambda _: self._land(key, flight))
        else:
            self.shared += 1
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        except asyncio.CancelledError:
            if flight.waiters == 1 and not flight.task.done():
                flight.task.cancel()  # the last caller left: nobody needs this answer
            raise
        finally:
            flight.waiters -= 1
