"""Checks for lab12, per-tenant rate limits and quotas on Redis, with plans and single-flight."""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labkit.checks._core import Lab, expect, expect_equal

lab = Lab("lab12")
q1 = lab.question("q1", "UsageRequest")
q2 = lab.question("q2", "allow_request", time_limit=60.0)
q3 = lab.question("q3", "consume_tokens", time_limit=60.0)
q4 = lab.question("q4", "single_flight", time_limit=60.0)
summary = lab.summary

COMMANDS = ("get", "set", "incr", "incrby", "decrby", "expire", "ttl", "delete", "exists")
"""The Redis commands this lab's answers may use."""


@dataclass(frozen=True)
class Plan:
    """A pricing plan's limits."""

    requests_per_minute: int
    tokens_per_day: int


PLANS = {"free": Plan(requests_per_minute=5, tokens_per_day=1_000),
         "pro": Plan(requests_per_minute=60, tokens_per_day=100_000)}  # fmt: skip
"""The plans every answer and check share."""


class QuotaExceeded(Exception):
    """A tenant asked for more tokens than its plan has left today."""


def _now() -> float:
    return time.monotonic()


class CommandSubset:
    """Hand an answer only the commands in ``COMMANDS``, so it runs the same on both backends."""

    def __init__(self, client: Any) -> None:
        """Wrap a ``redis.Redis`` client."""
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name not in COMMANDS:
            raise AttributeError(f"lab12 answers may use only these Redis commands: {COMMANDS}")
        return getattr(self._client, name)


_servers = contextlib.ExitStack()
_backend: list[Any] = []


def backend() -> Any:
    """Return the raw Redis client the checks use, on a real throwaway server.

    The first call starts Valkey with ``labkit.services.redis`` (closed when Python exits).
    Under ``labkit grade`` the grader starts the server outside the guarded kernel and sets
    ``REDIS_URL`` (the lab's ``metadata.course.services``), so the same call connects to it.
    """
    if not _backend:
        import redis as redis_py

        from labkit import services

        service = _servers.enter_context(services.redis())
        atexit.register(_servers.close)
        _backend.append(redis_py.Redis.from_url(service.url))
    return _backend[0]


def _fresh() -> tuple[Any, CommandSubset]:
    raw = backend()
    raw.flushdb()
    return raw, CommandSubset(raw)


def _all_keys_expire(raw: Any) -> None:
    keys = [key.decode() for key in raw.keys()]  # noqa: SIM118 - the Redis KEYS command
    expect(bool(keys), "the answer to store counters in Redis", "no keys")
    immortal = [key for key in keys if raw.ttl(key) < 0]
    expect(not immortal, "every key to have a TTL (set it with expire)", immortal)


def _invalid(model: Callable[..., Any], **fields: Any) -> bool:
    try:
        model(**fields)
    except ValueError:  # pydantic.ValidationError is a ValueError
        return True
    return False


GOOD = {"tenant_id": "acme-01", "plan": "free", "tokens": 120}


@q1.case("accepts a valid request", hint="tenant_id, plan and tokens fields")
def _valid(model: Callable[..., Any]) -> None:
    request = model(**GOOD)
    got = (request.tenant_id, request.plan, request.tokens)
    expect_equal(got, ("acme-01", "free", 120), "(tenant_id, plan, tokens)")


@q1.case("rejects tenant ids that could forge a Redis key", hint="pattern ^[a-z0-9-]{3,32}$")
def _tenant_pattern(model: Callable[..., Any]) -> None:
    for bad in ("acme:*", "AC", "x" * 33, "a b c"):
        expect(_invalid(model, **{**GOOD, "tenant_id": bad}), f"tenant_id={bad!r} rejected", bad)


@q1.case("rejects unknown plans and tokens outside 1..100000", hint="Literal and Field(ge, le)")
def _plan_tokens(model: Callable[..., Any]) -> None:
    expect(_invalid(model, **{**GOOD, "plan": "enterprise"}), "plan='enterprise' rejected", "ok")
    for tokens in (0, -5, 100_001):
        expect(_invalid(model, **{**GOOD, "tokens": tokens}), f"tokens={tokens} rejected", "ok")


@q1.case("rejects unknown fields", grading_only=True, hint="model_config = ConfigDict(extra=...)")
def _extra(model: Callable[..., Any]) -> None:
    expect(_invalid(model, **GOOD, admin=True), "an unknown field 'admin' rejected", "accepted")


def _run_requests(allow: Callable[..., Any], client: Any, tenant: str, plan: str, now: float,
                  count: int) -> list[tuple[bool, int]]:  # fmt: skip
    return [tuple(allow(client, tenant, plan, now)) for _ in range(count)]


@q2.case("a free tenant gets 5 requests a minute, then is refused", hint="INCR a per-window key")
def _free_limit(allow_request: Callable[..., Any]) -> None:
    _, client = _fresh()
    got = _run_requests(allow_request, client, "acme", "free", 1_000.0, 6)
    expected = [(True, 4), (True, 3), (True, 2), (True, 1), (True, 0), (False, 0)]
    expect_equal(got, expected, "six calls of allow_request(client, 'acme', 'free', 1000.0)")


@q2.case("a new minute starts a new window", hint="put now // 60 in the key")
def _new_window(allow_request: Callable[..., Any]) -> None:
    _, client = _fresh()
    _run_requests(allow_request, client, "acme", "free", 1_000.0, 6)
    expect_equal(tuple(allow_request(client, "acme", "free", 1_060.0)), (True, 4),
                 "allow_request(client, 'acme', 'free', 1060.0)")  # fmt: skip


@q2.case("tenants never share a counter; pro allows 60", hint="put the tenant id in the key")
def _isolation(allow_request: Callable[..., Any]) -> None:
    _, client = _fresh()
    _run_requests(allow_request, client, "acme", "free", 1_000.0, 6)
    expect_equal(tuple(allow_request(client, "globex", "free", 1_000.0)), (True, 4),
                 "allow_request for another tenant in the same minute")  # fmt: skip
    got = _run_requests(allow_request, client, "initech", "pro", 1_000.0, 61)
    expect_equal(sum(allowed for allowed, _ in got), 60, "allowed calls for a pro tenant")


@q2.case("every counter expires", hint="expire the key when INCR returns 1")
def _expires(allow_request: Callable[..., Any]) -> None:
    raw, client = _fresh()
    _run_requests(allow_request, client, "acme", "free", 1_000.0, 2)
    _all_keys_expire(raw)


@q2.case("an unknown plan raises ValueError", grading_only=True, hint="look the plan up first")
def _unknown_plan(allow_request: Callable[..., Any]) -> None:
    _, client = _fresh()
    try:
        allow_request(client, "acme", "gold", 1_000.0)
    except ValueError:
        return
    expect(False, "ValueError for plan='gold'", "no ValueError")


def _consume(consume: Callable[..., Any], client: Any, tenant: str, tokens: int) -> Any:
    try:
        return consume(client, tenant, "free", tokens, "2025-01-01")
    except QuotaExceeded as error:
        return error


@q3.case("returns the tokens left today", hint="INCRBY the day's key, return limit - used")
def _remaining(consume_tokens: Callable[..., Any]) -> None:
    _, client = _fresh()
    got = [_consume(consume_tokens, client, "acme", tokens) for tokens in (300, 600)]
    expect_equal(got, [700, 100], "consume 300 then 600 of a free plan's 1000")


@q3.case(
    "a request over the quota raises QuotaExceeded and consumes nothing",
    hint="if the new total is over the limit, DECRBY it back and raise",
)
def _over_quota(consume_tokens: Callable[..., Any]) -> None:
    _, client = _fresh()
    _consume(consume_tokens, client, "acme", 900)
    error = _consume(consume_tokens, client, "acme", 200)
    expect(isinstance(error, QuotaExceeded), "QuotaExceeded for 900 + 200 > 1000", error)
    expect_equal(_consume(consume_tokens, client, "acme", 100), 0, "consume 100 after that")


@q3.case("quotas are per tenant and expire", hint="tenant id and day in the key; expire it")
def _quota_isolation(consume_tokens: Callable[..., Any]) -> None:
    raw, client = _fresh()
    _consume(consume_tokens, client, "acme", 1_000)
    expect_equal(_consume(consume_tokens, client, "globex", 10), 990, "another tenant's quota")
    _all_keys_expire(raw)


class _Backend:
    """A slow computation that counts its calls, thread-safely."""

    def __init__(self, seconds: float, fail: bool = False) -> None:
        self.seconds, self.fail, self.calls = seconds, fail, 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds)
        if self.fail:
            raise ConnectionError("the backend failed")
        return "answer"


def _herd(single_flight: Callable[..., Any], client: Any, backend_call: _Backend,
          clients: int) -> list[Any]:  # fmt: skip
    results: list[Any] = [None] * clients
    start = threading.Barrier(clients)

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = single_flight(client, "report:42", backend_call, ttl=60)
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@q4.case(
    "16 concurrent misses make one backend call and all get the value",
    hint="SET lock NX EX; the winner checks the cache again, computes and stores; others poll",
)
def _one_call(single_flight: Callable[..., Any]) -> None:
    _, client = _fresh()
    backend_call = _Backend(0.3)
    results = _herd(single_flight, client, backend_call, 16)
    expect_equal(backend_call.calls, 1, "backend calls for 16 concurrent misses")
    expect(all(result == "answer" for result in results), "16 x 'answer'", results)


@q4.case("a hit returns the cached value without a call", hint="GET first; decode the bytes")
def _hit(single_flight: Callable[..., Any]) -> None:
    _, client = _fresh()
    backend_call = _Backend(0.0)
    first = single_flight(client, "report:42", backend_call, ttl=60)
    second = single_flight(client, "report:42", backend_call, ttl=60)
    expect_equal((first, second, backend_call.calls), ("answer", "answer", 1), "(1st, 2nd, calls)")


@q4.case(
    "a failing backend releases the lock, so the next call retries",
    grading_only=True,
    hint="delete the lock in a finally block",
)
def _releases(single_flight: Callable[..., Any]) -> None:
    _, client = _fresh()
    failing = _Backend(0.0, fail=True)
    with contextlib.suppress(ConnectionError):
        single_flight(client, "report:42", failing, ttl=60)
    backend_call = _Backend(0.0)
    expect_equal(single_flight(client, "report:42", backend_call, ttl=60), "answer", "next call")
