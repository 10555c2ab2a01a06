"""A Redis cache with single-flight: N concurrent misses for one key cost one computation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import redis

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


class SingleFlightCache:
    """Cache-aside with a short Redis lock per key, so only one caller computes a miss.

    The caller that wins ``SET lock NX PX`` computes and stores the value; the others poll
    for it. If the winner dies, its lock expires after ``lock_ttl_s`` and a waiter takes
    over, so a crash costs latency, never a stuck key.
    """

    def __init__(
        self, client: redis.Redis, *, ttl_s: int, lock_ttl_s: float = 30.0, poll_s: float = 0.005
    ) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.lock_ttl_s = lock_ttl_s
        self.poll_s = poll_s

    def get_or_compute(self, key: str, compute: Callable[[], str]) -> tuple[str, bool]:
        """Return ``(value, hit)``; ``hit`` is False only for the caller that computed it."""
        lock_key, token = f"lock:{key}", uuid.uuid4().hex
        deadline = time.monotonic() + self.lock_ttl_s * 2
        while True:
            value = self.client.get(key)
            if value is not None:
                return str(value), True
            if self.client.set(lock_key, token, nx=True, px=int(self.lock_ttl_s * 1000)):
                break
            if time.monotonic() > deadline:
                return compute(), False  # the lock holder is stuck: degrade, don't hang
            time.sleep(self.poll_s)
        try:
            value = self.client.get(key)  # filled between our miss and our lock
            if value is not None:
                return str(value), True
            computed = compute()
            self.client.set(key, computed, ex=self.ttl_s)
            return computed, False
        finally:
            self.client.eval(_RELEASE, 1, lock_key, token)
