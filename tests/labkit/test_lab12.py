"""Tests for lab12's checks, on a real throwaway Valkey server as in grading."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from pydantic import BaseModel, Field

from labkit import services
from labkit.checks import GRADING_ENV
from labkit.checks import lab12 as check
from labkit.checks.lab12 import PLANS, CommandSubset, QuotaExceeded


@pytest.fixture(scope="module")
def valkey() -> Iterator[redis.Redis]:
    """One throwaway Valkey server for this module's tests."""
    with services.redis() as server:
        client = redis.Redis.from_url(server.url)
        yield client
        client.close()


@pytest.fixture(autouse=True)
def _graded_on(valkey: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Grade on the real server, emptied first, with grading-only cases off."""
    monkeypatch.delenv(GRADING_ENV, raising=False)
    valkey.flushdb()
    monkeypatch.setattr(check, "_backend", [valkey])
    yield


class UsageRequest(BaseModel):
    model_config = {"extra": "forbid"}
    tenant_id: str = Field(pattern=r"^[a-z0-9-]{3,32}$")
    plan: str = Field(pattern=r"^(free|pro)$")
    tokens: int = Field(ge=1, le=100_000)


def allow_request(client: Any, tenant_id: str, plan: str, now: float) -> tuple[bool, int]:
    if plan not in PLANS:
        raise ValueError(plan)
    limit, key = PLANS[plan].requests_per_minute, f"rate:{tenant_id}:{int(now // 60)}"
    count = client.incr(key)
    if count == 1:
        client.expire(key, 120)
    return count <= limit, max(0, limit - count)


def allow_request_shared(client: Any, tenant_id: str, plan: str, now: float) -> tuple[bool, int]:
    return allow_request(client, "everyone", plan, now)


def consume_tokens(client: Any, tenant_id: str, plan: str, tokens: int, day: str) -> int:
    limit, key = PLANS[plan].tokens_per_day, f"quota:{tenant_id}:{day}"
    used = client.incrby(key, tokens)
    client.expire(key, 172_800)
    if used > limit:
        client.decrby(key, tokens)
        raise QuotaExceeded(tenant_id)
    return int(limit - used)


def single_flight(client: Any, key: str, compute: Callable[[], str], *, ttl: int) -> str:
    while True:
        cached = client.get(key)
        if cached is not None:
            return str(cached.decode())
        if client.set(f"lock:{key}", "1", nx=True, ex=10):
            try:
                cached = client.get(key)  # the last holder may have just stored it
                if cached is not None:
                    return str(cached.decode())
                value = compute()
                client.set(key, value, ex=ttl)
                return value
            finally:
                client.delete(f"lock:{key}")
        time.sleep(0.01)


def cache_aside_without_lock(client: Any, key: str, compute: Callable[[], str], *, ttl: int) -> str:
    cached = client.get(key)
    if cached is not None:
        return str(cached.decode())
    value = compute()
    client.set(key, value, ex=ttl)
    return value


def test_do_reference_answers_pass_every_case_with_grading_cases() -> None:
    assert check.q1.evaluate(UsageRequest, grading_only=True).passed
    assert check.q2.evaluate(allow_request, grading_only=True).passed
    assert check.q3.evaluate(consume_tokens, grading_only=True).passed
    assert check.q4.evaluate(single_flight, grading_only=True).passed


def test_does_a_limiter_shared_by_all_tenants_fail_isolation() -> None:
    feedback = check.q2.evaluate(allow_request_shared)
    failed = [r.case.name for r in feedback.results if not r.passed]
    assert failed == ["tenants never share a counter; pro allows 60"]


def test_does_cache_aside_without_a_lock_fail_the_herd_case() -> None:
    text = str(check.q4.evaluate(cache_aside_without_lock))
    assert "✗ 16 concurrent misses make one backend call" in text


def test_does_the_command_subset_refuse_other_commands_with_a_clear_message(
    valkey: redis.Redis,
) -> None:
    with pytest.raises(AttributeError, match="only these Redis commands"):
        CommandSubset(valkey).flushall()
