"""A dynamic batcher: concurrent requests wait in a bounded queue and share one model call."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class QueueFull(RuntimeError):
    """The batcher's queue is full: reject now (HTTP 503 + Retry-After) instead of queueing."""


class DynamicBatcher(Generic[Item, Result]):
    """Collect concurrent ``submit`` calls into batches for a batched, blocking function.

    A batch closes when it holds ``max_batch_size`` items or when its first item has waited
    ``max_wait_s``, whichever comes first. The blocking ``run_batch`` runs in a worker thread,
    so the event loop keeps accepting requests while the model works. Requests cancelled
    while they wait (a timeout, a client that left) are dropped before the model sees them.

    Example:
        >>> async def demo() -> list[int]:
        ...     async with DynamicBatcher(lambda xs: [x * 2 for x in xs], max_batch_size=4) as b:
        ...         return list(await asyncio.gather(*(b.submit(x) for x in range(3))))
        >>> asyncio.run(demo())
        [0, 2, 4]

    Args:
        run_batch: Answers a list of items with a list of results, in the same order.
        max_batch_size: The most items per call.
        max_wait_s: The longest the first item of a batch waits for company.
        max_queue: The most items waiting; beyond it ``submit`` raises :class:`QueueFull`.
        on_batch: Called with each batch's size (for metrics).

    """

    def __init__(
        self,
        run_batch: Callable[[list[Item]], list[Result]],
        *,
        max_batch_size: int = 8,
        max_wait_s: float = 0.01,
        max_queue: int = 64,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        if max_batch_size < 1 or max_queue < 1 or max_wait_s < 0:
            raise ValueError(
                "max_batch_size and max_queue must be at least 1 and max_wait_s at least 0; got "
                f"{max_batch_size}, {max_queue} and {max_wait_s}"
            )
        self.run_batch = run_batch
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self.on_batch = on_batch
        self._queue: asyncio.Queue[tuple[Item, asyncio.Future[Result]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    @property
    def queue_depth(self) -> int:
        """How many requests are waiting for a batch right now."""
        return self._queue.qsize()

    async def start(self) -> None:
        """Start the worker task that forms and runs batches."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="dynamic-batcher")

    async def stop(self) -> None:
        """Stop the worker; requests still queued fail with a clear error."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("the batcher stopped before this request ran"))

    async def __aenter__(self) -> DynamicBatcher[Item, Result]:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def submit(self, item: Item) -> Result:
        """Queue ``item`` and wait for its result.

        Raises:
            QueueFull: ``max_queue`` requests are already waiting.
            RuntimeError: The batcher was not started.

        """
        if self._worker is None:
            raise RuntimeError("start the batcher first: async with DynamicBatcher(...) as b")
        if self._queue.qsize() >= self.max_queue:
            raise QueueFull(f"{self.max_queue} requests are already queued; retry shortly")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def _next_batch(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        batch = [await self._queue.get()]
        deadline = asyncio.get_running_loop().time() + self.max_wait_s
        while len(batch) < self.max_batch_size:
            if not self._queue.empty():  # take what is already waiting without yielding
                batch.append(self._queue.get_nowait())
                continue
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), left))
            except TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        while True:
            batch = [entry for entry in await self._next_batch() if not entry[1].done()]
            if not batch:
                continue  # every request in it was cancelled while it waited
            if self.on_batch is not None:
                self.on_batch(len(batch))
            try:
                results = await asyncio.to_thread(self.run_batch, [item for item, _ in batch])
                if len(results) != len(batch):
                    raise ValueError(f"run_batch returned {len(results)} results for {len(batch)}")
            except Exception as error:  # the model failed: every request in the batch hears why
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # cancelled while the model ran: nobody is listening
                    future.set_result(result)
