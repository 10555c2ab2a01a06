"""The LLM feature: metering, cache with single-flight, idempotency, quotas, bad input."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from labkit.errors import LLMProviderDown
from labkit.llm import ChatRequest
from sqlalchemy import func, select

from ai_api.models import OutboxMessage, Summary, UsageRecord
from ai_api.plans import PLANS, Plan
from ai_api.service import Outcome
from conftest import Account, AppFactory, Harness, first_words

Make = Callable[..., Account]
TEXT = "Idempotency keys make retries safe. The outbox makes events reliable. Both use Postgres."


def count(harness: Harness, model: type[object]) -> int:
    with harness.service.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_is_a_summary_stored_metered_and_announced(harness: Harness, make_account: Make) -> None:
    account = make_account()
    answer = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=account.headers())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["summary"] == " ".join(TEXT.split()[:8])
    assert body["model"] == "fake-summariser"
    assert body["output_tokens"] == 8
    assert body["input_tokens"] > 8
    assert not body["cached"]
    assert count(harness, Summary) == count(harness, UsageRecord) == count(harness, OutboxMessage)
    assert count(harness, OutboxMessage) == 1


def test_does_the_same_text_come_from_the_cache_without_tokens(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    first = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=account.headers())
    again = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=account.headers())
    assert again.json()["cached"]
    assert again.json()["summary"] == first.json()["summary"]
    assert again.json()["input_tokens"] == again.json()["output_tokens"] == 0
    assert len(harness.model.requests) == 1


def test_do_concurrent_misses_call_the_model_once(make_app: AppFactory, make_account: Make) -> None:
    calls = threading.Semaphore(0)

    def slow_model(request: ChatRequest) -> str:
        calls.release()
        time.sleep(0.3)
        return first_words(request)

    harness = make_app(slow_model)
    account = make_account(plan="pro")
    caller = harness.service
    principal = account.principal()
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: caller.summarise(principal, TEXT), range(8)))
    assert len(harness.model.requests) == 1, "single-flight let more than one miss through"
    assert sum(not o.body["cached"] for o in outcomes) == 1
    assert len({o.body["summary"] for o in outcomes}) == 1


def test_does_a_retried_key_replay_the_first_answer_once(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    headers = account.headers(idempotency_key="order-1")
    first = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=headers)
    retry = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(harness.model.requests) == 1
    assert count(harness, Summary) == count(harness, OutboxMessage) == 1


def test_do_concurrent_retries_of_one_key_make_one_summary(
    make_app: AppFactory, make_account: Make
) -> None:
    def slow_model(request: ChatRequest) -> str:
        time.sleep(0.2)
        return first_words(request)

    harness = make_app(slow_model)
    principal = make_account(plan="pro").principal()
    with ThreadPoolExecutor(4) as pool:
        outcomes: list[Outcome] = list(
            pool.map(lambda _: harness.service.summarise(principal, TEXT, "key-7"), range(4))
        )
    assert len({o.body["id"] for o in outcomes}) == 1
    assert sum(o.replayed for o in outcomes) == 3
    assert count(harness, Summary) == count(harness, UsageRecord) == 1


def test_is_a_key_reused_with_another_body_refused(harness: Harness, make_account: Make) -> None:
    headers = make_account().headers(idempotency_key="order-2")
    harness.client.post("/v1/summaries", json={"text": TEXT}, headers=headers)
    other = harness.client.post("/v1/summaries", json={"text": "another"}, headers=headers)
    assert other.status_code == 422
    assert "different body" in other.json()["detail"]


def test_does_the_free_plan_get_429_after_five_a_minute(
    harness: Harness, make_account: Make
) -> None:
    account = make_account(plan="free")
    statuses = [
        harness.client.post(
            "/v1/summaries", json={"text": f"{TEXT} {i}"}, headers=account.headers()
        ).status_code
        for i in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    refused = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=account.headers())
    assert int(refused.headers["Retry-After"]) == 60
    assert "5 requests a minute" in refused.json()["detail"]
    pro = make_account(plan="pro")
    assert (
        harness.client.post("/v1/summaries", json={"text": TEXT}, headers=pro.headers()).status_code
        == 201
    )
    harness.clock.now += 60
    assert (
        harness.client.post(
            "/v1/summaries", json={"text": TEXT}, headers=account.headers()
        ).status_code
        == 201
    )


def test_is_the_monthly_token_quota_enforced(make_app: AppFactory, make_account: Make) -> None:
    tiny = {
        **PLANS,
        "free": Plan(
            "free",
            requests_per_minute=100,
            tokens_per_month=30,
            base_fee_cents=0,
            cents_per_1k_tokens=0,
        ),
    }
    harness = make_app(plans=tiny)
    account = make_account(plan="free")
    first = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=account.headers())
    assert first.status_code == 201
    second = harness.client.post(
        "/v1/summaries", json={"text": "x " + TEXT}, headers=account.headers()
    )
    assert second.status_code == 429
    assert "tokens a month" in second.json()["detail"]


def test_does_a_model_failure_give_503_and_keep_nothing(
    make_app: AppFactory, make_account: Make
) -> None:
    failures = [LLMProviderDown("the provider is down")]

    def flaky(request: ChatRequest) -> str:
        if failures:
            raise failures.pop()
        return first_words(request)

    harness = make_app(flaky)
    headers = make_account().headers(idempotency_key="retry-me")
    down = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=headers)
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "5"
    assert count(harness, Summary) == count(harness, OutboxMessage) == 0
    retry = harness.client.post("/v1/summaries", json={"text": TEXT}, headers=headers)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "nul\x00byte"}, "NUL"),
        ({"text": "   "}, "whitespace"),
        ({"text": "x" * 8001}, "at most 8000"),
        ({"text": TEXT, "model": "gpt-9"}, "Extra inputs"),
        ({}, "Field required"),
    ],
)
def test_is_bad_input_refused_with_a_clear_422(
    harness: Harness, make_account: Make, body: dict[str, str], message: str
) -> None:
    answer = harness.client.post("/v1/summaries", json=body, headers=make_account().headers())
    assert answer.status_code == 422
    assert message in answer.text
    assert harness.model.requests == []
