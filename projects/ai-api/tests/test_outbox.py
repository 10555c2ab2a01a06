"""The outbox relay publishes each committed event to the Redis stream exactly once per run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

import redis

from ai_api.outbox import relay_outbox
from conftest import Account, Harness

Make = Callable[..., Account]


def test_is_each_event_published_once_with_its_summary(
    harness: Harness, make_account: Make, redis_url: str
) -> None:
    account = make_account(plan="pro")
    ids = [
        harness.client.post(
            "/v1/summaries", json={"text": f"event number {i}"}, headers=account.headers()
        ).json()["id"]
        for i in range(3)
    ]
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    sessions = harness.service.session_factory
    assert relay_outbox(sessions, client, "events", batch_size=2) == 2
    assert relay_outbox(sessions, client, "events", batch_size=2) == 1
    assert relay_outbox(sessions, client, "events") == 0
    entries = cast(list[tuple[str, dict[str, str]]], client.xrange("events"))
    client.close()
    payloads = [json.loads(fields["payload"]) for _, fields in entries]
    assert [p["id"] for p in payloads] == ids
    assert {fields["topic"] for _, fields in entries} == {"summary.created"}
    assert all(p["tenant_id"] == str(account.tenant_id) for p in payloads)
