"""Checks for lab62, a per-tenant token-bucket rate limiter and a priority scheduler with aging."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from typing import Any

from labkit.checks._clock import FakeClock
from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab62")
q1 = lab.question("q1", "TokenBucketLimiter")
q2 = lab.question("q2", "PriorityScheduler")
summary = lab.summary

PRIORITIES = {"enterprise": 0, "pro": 1, "free": 2}
"""Customer classes and their priority: lower is served first."""


def _limiter(limiter_class: type, limits: dict[str, tuple[float, float]]) -> tuple[Any, FakeClock]:
    clock = FakeClock()
    return limiter_class(limits, clock=clock), clock


def _allowed(limiter: Any, tenant_id: str, count: int) -> int:
    return sum(bool(limiter.allow(tenant_id)) for _ in range(count))


@q1.case(
    "a fresh bucket allows exactly `burst` requests, then refuses",
    hint="start every bucket full: tokens = burst",
)
def _burst(limiter_class: type) -> None:
    limiter, _ = _limiter(limiter_class, {"acme": (2.0, 5.0)})
    expect_equal(_allowed(limiter, "acme", 8), 5, "allowed of 8 instant requests (burst 5)")


@q1.case(
    "refills at `rate` tokens per second of the injected clock",
    hint="tokens = min(burst, tokens + (now - last) * rate), then spend 1 if tokens >= 1",
)
def _refill(limiter_class: type) -> None:
    limiter, clock = _limiter(limiter_class, {"acme": (4.0, 4.0)})
    _allowed(limiter, "acme", 4)
    clock.advance(0.5)
    expect_equal(_allowed(limiter, "acme", 5), 2, "allowed of 5 after 0.5 s at 4 tokens/s")
    clock.advance(0.125)
    expect_equal(_allowed(limiter, "acme", 2), 0, "allowed after 0.125 s more (0.5 token)")
    clock.advance(0.125)
    expect_equal(_allowed(limiter, "acme", 2), 1, "allowed after 0.125 s more (1 token)")


@q1.case(
    "never holds more than `burst` tokens, however long it idles",
    hint="cap the refill at burst",
)
def _cap(limiter_class: type) -> None:
    limiter, clock = _limiter(limiter_class, {"acme": (1.0, 3.0)})
    clock.advance(1_000.0)
    expect_equal(_allowed(limiter, "acme", 10), 3, "allowed of 10 after 1,000 s idle (burst 3)")


@q1.case("tenants have their own buckets", hint="keep one (tokens, last) pair per tenant_id")
def _independent(limiter_class: type) -> None:
    limiter, _ = _limiter(limiter_class, {"acme": (1.0, 2.0), "globex": (1.0, 3.0)})
    expect_equal(_allowed(limiter, "acme", 5), 2, "acme's allowed of 5 (burst 2)")
    expect_equal(_allowed(limiter, "globex", 5), 3, "globex's allowed of 5 after acme's burst")


@q1.case(
    "clear errors: KeyError for an unknown tenant, ValueError for a bad limit",
    hint="check every (rate, burst) in __init__: rate > 0 and burst >= 1",
)
def _errors(limiter_class: type) -> None:
    limiter, _ = _limiter(limiter_class, {"acme": (1.0, 2.0)})
    try:
        limiter.allow("initech")
    except KeyError:
        pass
    else:
        expect(False, "KeyError for allow('initech')", Text("no error"))
    for limits in ({"acme": (0.0, 2.0)}, {"acme": (1.0, 0.5)}):
        try:
            _limiter(limiter_class, limits)
        except ValueError:
            continue
        expect(False, f"ValueError for limits {limits}", Text("no error"))


def _reference_allows(events: list[tuple[float, str, float]]) -> list[bool]:
    limits = {"acme": (2.0, 4.0), "globex": (0.5, 2.0)}
    state = {tenant: (burst, 0.0) for tenant, (_, burst) in limits.items()}
    allowed = []
    for now, tenant, cost in events:
        rate, burst = limits[tenant]
        tokens, last = state[tenant]
        tokens = min(burst, tokens + (now - last) * rate)
        allowed.append(tokens >= cost)
        state[tenant] = (tokens - cost if tokens >= cost else tokens, now)
    return allowed


@q1.case("matches a reference over 300 random requests with costs", grading_only=True)
def _random_trace(limiter_class: type) -> None:
    rng = random.Random(62)
    now, events = 0.0, []
    for _ in range(300):
        now += rng.choice([0.0, 0.125, 0.25, 0.5])
        events.append((now, rng.choice(["acme", "globex"]), rng.choice([1.0, 1.0, 2.0])))
    limiter, clock = _limiter(limiter_class, {"acme": (2.0, 4.0), "globex": (0.5, 2.0)})
    got = []
    for at, tenant, cost in events:
        clock.now = at
        got.append(bool(limiter.allow(tenant, cost)))
    expected = _reference_allows(events)
    first = next((i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b), -1)
    expect(first < 0, "the reference's allow/refuse sequence", Text(f"a difference at #{first}"))


def _scheduler(scheduler_class: type, aging_s: float = math.inf) -> tuple[Any, FakeClock]:
    clock = FakeClock()
    return scheduler_class(PRIORITIES, aging_s=aging_s, clock=clock), clock


def _drain(scheduler: Any) -> list[str]:
    return [scheduler.pop() for _ in range(len(scheduler))]


@q2.case(
    "serves enterprise, then pro, then free",
    hint="a heap of (priority, sequence, request_id) pops the best class first",
)
def _classes(scheduler_class: type) -> None:
    scheduler, _ = _scheduler(scheduler_class)
    for request_id, tenant_class in [("f1", "free"), ("p1", "pro"), ("e1", "enterprise")]:
        scheduler.push(request_id, tenant_class)
    expect_equal(_drain(scheduler), ["e1", "p1", "f1"], "pop order after push f1, p1, e1")


@q2.case("is FIFO within a class", hint="break ties with a counter that grows on every push")
def _fifo(scheduler_class: type) -> None:
    scheduler, _ = _scheduler(scheduler_class)
    for request_id in ["p1", "p2", "p3"]:
        scheduler.push(request_id, "pro")
    scheduler.push("e1", "enterprise")
    expect_equal(_drain(scheduler), ["e1", "p1", "p2", "p3"], "pop order")


def _stream_until_served(scheduler: Any, clock: FakeClock, steps: int) -> int | None:
    """Push a free request, then a pro request and a pop per second; return when free is served."""
    scheduler.push("free-0", "free")
    for second in range(steps):
        scheduler.push(f"pro-{second}", "pro")
        if scheduler.pop() == "free-0":
            return second
        clock.advance(1.0)
    return None


@q2.case(
    "with aging, a free request is served despite a steady stream of pro requests",
    hint="order by priority + arrival / aging_s: waiting aging_s seconds gains one class",
)
def _aging(scheduler_class: type) -> None:
    scheduler, clock = _scheduler(scheduler_class, aging_s=4.0)
    served = _stream_until_served(scheduler, clock, 20)
    expect(served is not None and served <= 5, "free-0 served within 5 s (aging_s=4)", served)


@q2.case(
    "without aging (aging_s=inf), priority is strict: the free request starves",
    hint="with aging_s=math.inf, order by (priority, sequence) only",
)
def _starves(scheduler_class: type) -> None:
    scheduler, clock = _scheduler(scheduler_class)
    expect_equal(_stream_until_served(scheduler, clock, 20), None, "when free-0 is served")


@q2.case(
    "clear errors: KeyError for an unknown class, IndexError on an empty pop, ValueError aging",
    hint="validate in push and __init__ (aging_s > 0); raise IndexError('… empty') in pop",
)
def _scheduler_errors(scheduler_class: type) -> None:
    scheduler, _ = _scheduler(scheduler_class)
    calls: list[tuple[Callable[[], object], type[Exception]]] = [
        (lambda: scheduler.push("x", "gold"), KeyError),
        (scheduler.pop, IndexError),
        (lambda: scheduler_class(PRIORITIES, aging_s=0.0), ValueError),
    ]
    for call, error in calls:
        try:
            call()
        except error:
            continue
        expect(False, f"{error.__name__}", Text("no error"))


def _reference_order(events: list[tuple[float, str, str]], aging_s: float) -> list[str]:
    heap: list[tuple[float, int, str]] = []
    for sequence, (now, request_id, tenant_class) in enumerate(events):
        heapq.heappush(heap, (PRIORITIES[tenant_class] * aging_s + now, sequence, request_id))
    return [heapq.heappop(heap)[2] for _ in range(len(heap))]


@q2.case("matches a reference order over 200 random pushes with aging", grading_only=True)
def _random_order(scheduler_class: type) -> None:
    rng = random.Random(620)
    now, events = 0.0, []
    for index in range(200):
        now += rng.choice([0.0, 0.25, 0.5, 1.0])
        events.append((now, f"r{index}", rng.choice(list(PRIORITIES))))
    scheduler, clock = _scheduler(scheduler_class, aging_s=2.0)
    for at, request_id, tenant_class in events:
        clock.now = at
        scheduler.push(request_id, tenant_class)
    expect_equal(_drain(scheduler), _reference_order(events, 2.0), "the pop order")
