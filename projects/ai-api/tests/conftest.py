"""Real Postgres and Redis for the whole session (labkit.services, or DATABASE_URL/REDIS_URL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from labkit import services
from labkit.llm import ChatRequest, FakeChatModel
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import create_engine, text

from ai_api.app import create_app
from ai_api.auth import SCOPES, Principal, hash_password, issue_token
from ai_api.migrate import upgrade
from ai_api.plans import PLANS, Plan
from ai_api.service import AIService
from ai_api.settings import Settings
from ai_api.telemetry import Telemetry, build_telemetry
from ai_api.uow import UnitOfWork

SECRET = "test-secret-that-is-at-least-32-characters-long"
PASSWORD = "correct horse battery staple"
TABLES = "usage_records, summaries, idempotency_keys, outbox, users, tenants"


def first_words(request: ChatRequest) -> str:
    """The test double's 'summary': the first eight words of the user's text."""
    return " ".join(request.messages[-1].content.split()[:8])


def pytest_configure(config: pytest.Config) -> None:
    """Load schemathesis's pytest plugin also when plugin autoloading is off (as in CI)."""
    import schemathesis.pytest.plugin as schemathesis_plugin

    if not config.pluginmanager.is_registered(schemathesis_plugin):
        config.pluginmanager.register(schemathesis_plugin, "schemathesis")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with services.postgres() as db:
        upgrade(db.sqlalchemy_url)
        yield db.sqlalchemy_url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with services.redis() as server:
        yield server.url


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


@pytest.fixture
def clean(database_url: str, redis_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} CASCADE"))
    engine.dispose()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


@dataclass
class Clock:
    """A controllable clock for the quota windows."""

    now: float = 1_767_225_600.0  # 2026-01-01T00:00:00Z

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    """One app under test, its test doubles and what it recorded."""

    app: FastAPI
    client: TestClient
    model: FakeChatModel
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    clock: Clock

    @property
    def service(self) -> AIService:
        service: AIService = self.app.state.service
        return service


AppFactory = Callable[..., Harness]


@pytest.fixture
def make_app(clean: None, database_url: str, redis_url: str) -> Iterator[AppFactory]:
    clients: list[TestClient] = []
    telemetries: list[Telemetry] = []

    def make(
        handler: Callable[[ChatRequest], str] = first_words,
        plans: Mapping[str, Plan] | None = None,
        **settings: Any,
    ) -> Harness:
        spans, metrics, clock = InMemorySpanExporter(), InMemoryMetricReader(), Clock()
        telemetry = build_telemetry(spans, metrics)
        model = FakeChatModel(handler, model="fake-summariser")
        config = Settings(
            database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, **settings
        )
        app = create_app(
            config, chat_model=model, plans=plans or PLANS, telemetry=telemetry, clock=clock
        )
        client = TestClient(app, raise_server_exceptions=True)
        client.__enter__()
        clients.append(client)
        telemetries.append(telemetry)
        return Harness(app, client, model, spans, metrics, clock)

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    for telemetry in telemetries:
        telemetry.shutdown()


@pytest.fixture
def harness(make_app: AppFactory) -> Harness:
    return make_app()


@dataclass(frozen=True)
class Account:
    """A tenant with one user, and a way to mint tokens for it."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    username: str

    def principal(self) -> Principal:
        return Principal(self.user_id, self.tenant_id, frozenset(SCOPES))

    def token(
        self, scopes: set[str] | None = None, ttl_s: int = 300, now: float | None = None
    ) -> str:
        principal = Principal(
            self.user_id, self.tenant_id, frozenset(SCOPES if scopes is None else scopes)
        )
        return issue_token(principal, secret=SECRET, issuer="ai-api", ttl_s=ttl_s, now=now)

    def headers(
        self, scopes: set[str] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(scopes)}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers


@pytest.fixture
def make_account(harness: Harness, password_hash: str) -> Callable[..., Account]:
    def make(plan: str = "free", name: str | None = None) -> Account:
        name = name or f"tenant-{uuid.uuid4().hex[:8]}"
        with UnitOfWork(harness.service.session_factory) as uow:
            tenant = uow.tenants.add_tenant(name, plan)
            user = uow.tenants.add_user(tenant, f"{name}-admin", password_hash, sorted(SCOPES))
            uow.commit()
            return Account(tenant.id, user.id, user.username)

    return make


def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll ``predicate`` until true; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(0.01)
