"""Checks for lab10, an idempotent command API: Pydantic, JWT scopes, unit of work and outbox."""

from __future__ import annotations

import atexit
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
    update,
)

from labkit.checks._core import Lab, expect, expect_equal

lab = Lab("lab10")
q1 = lab.question("q1", "PlaceOrder")
q2 = lab.question("q2", "issue_token, verify_token")
q3 = lab.question("q3", "SqlUnitOfWork", time_limit=60.0)
q4 = lab.question("q4", "place_order", time_limit=60.0)
q5 = lab.question("q5", "build_app", time_limit=60.0)
summary = lab.summary

metadata = MetaData()
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer", String(64), nullable=False),
    Column("sku", String(8), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("published_at", DateTime(timezone=True)),
)
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
)


class Unauthorized(Exception):
    """No valid credentials: HTTP 401."""


class Forbidden(Exception):
    """Valid credentials without the scope the operation needs: HTTP 403."""


class IdempotencyConflict(Exception):
    """An Idempotency-Key reused with a different request body: HTTP 409."""


class OrderRepository:
    """Orders, read and written on the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        """Use ``connection``, whose transaction the unit of work owns."""
        self.connection = connection

    def add(self, customer: str, sku: str, quantity: int) -> int:
        """Insert an order and return its id."""
        values = {"customer": customer, "sku": sku, "quantity": quantity}
        result = self.connection.execute(insert(orders).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def count(self) -> int:
        """How many orders exist."""
        return int(self.connection.execute(select(func.count()).select_from(orders)).scalar_one())


class OutboxRepository:
    """Events to publish, written in the same transaction as the change they describe."""

    def __init__(self, connection: Connection) -> None:
        """Use ``connection``, whose transaction the unit of work owns."""
        self.connection = connection

    def add(self, topic: str, payload: dict[str, Any]) -> None:
        """Record an event for the relay to publish later."""
        row = {"topic": topic, "payload": json.dumps(payload, sort_keys=True)}
        self.connection.execute(insert(outbox).values(**row))

    def pending(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Unpublished events, oldest first, as ``(id, topic, payload)``."""
        query = select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id)
        return [(r.id, r.topic, json.loads(r.payload)) for r in self.connection.execute(query)]

    def mark_published(self, event_id: int) -> None:
        """Mark one event as published."""
        statement = update(outbox).where(outbox.c.id == event_id)
        self.connection.execute(statement.values(published_at=func.now()))


class IdempotencyRepository:
    """Responses already given, by Idempotency-Key."""

    def __init__(self, connection: Connection) -> None:
        """Use ``connection``, whose transaction the unit of work owns."""
        self.connection = connection

    def get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """Return ``(request_hash, response)`` stored for ``key``, or None."""
        query = select(idempotency_keys).where(idempotency_keys.c.key == key)
        row = self.connection.execute(query).first()
        return None if row is None else (row.request_hash, json.loads(row.response))

    def add(self, key: str, request_hash: str, response: dict[str, Any]) -> None:
        """Store the response given for ``key``."""
        row = {"key": key, "request_hash": request_hash, "response": json.dumps(response)}
        self.connection.execute(insert(idempotency_keys).values(**row))


_servers = contextlib.ExitStack()
_engines: list[Engine] = []


def engine() -> Engine:
    """Return an engine on empty lab10 tables in a real, throwaway Postgres.

    The first call starts Postgres with ``labkit.services.postgres`` (stopped when Python
    exits). Under ``labkit grade`` the grader starts it outside the guarded kernel and sets
    ``DATABASE_URL`` (the lab's ``metadata.course.services``), so the same call connects to
    it. Every call drops and recreates the tables.
    """
    if not _engines:
        from labkit import services

        atexit.register(_servers.close)
        url = _servers.enter_context(services.postgres()).sqlalchemy_url
        _engines.append(create_engine(url))
        _servers.callback(_engines[0].dispose)
    metadata.drop_all(_engines[0])
    metadata.create_all(_engines[0])
    return _engines[0]


def _counts(db: Engine) -> tuple[int, int, int]:
    with db.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (orders, outbox, idempotency_keys)
        )


def _invalid(model: Callable[..., Any], **fields: Any) -> bool:
    try:
        model(**fields)
    except ValueError:
        return True
    return False


ORDER: dict[str, Any] = {"customer": "ana", "sku": "ABC-1234", "quantity": 2}


@q1.case(
    "accepts and normalises a valid order", hint="strip customer; upper-case sku (mode=before)"
)
def _valid(model: Callable[..., Any]) -> None:
    order = model(customer="  ana ", sku="abc-1234", quantity=2)
    got = (order.customer, order.sku, order.quantity)
    expect_equal(got, ("ana", "ABC-1234", 2), "(customer, sku, quantity)")


@q1.case("rejects bad skus, quantities and customers", hint="Field(pattern=..., ge=1, le=100)")
def _rejects(model: Callable[..., Any]) -> None:
    bad: list[dict[str, Any]] = [
        {"sku": "AB-1"},
        {"sku": "ABC-12345"},
        {"quantity": 0},
        {"quantity": 101},
        {"customer": "   "},
        {"customer": "x" * 65},
    ]
    for change in bad:
        expect(_invalid(model, **{**ORDER, **change}), f"{change} to be rejected", "accepted")


@q1.case("rejects unknown fields", grading_only=True, hint="ConfigDict(extra='forbid')")
def _extra(model: Callable[..., Any]) -> None:
    expect(_invalid(model, **ORDER, price=0), "an unknown field 'price' rejected", "accepted")


SECRET = "lab10-test-secret-that-is-long-enough"


def _raises(verify: Callable[..., Any], token: str, error: type[Exception], scope: str) -> bool:
    try:
        verify(token, secret=SECRET, required_scope=scope)
    except error:
        return True
    return False


@q2.case("a token round-trips to its subject and expires", hint="jwt.encode with sub, scope, exp")
def _round_trip(issue: Callable[..., Any], verify: Callable[..., Any]) -> None:
    token = issue("ana", ["orders:read", "orders:write"], secret=SECRET)
    subject = verify(token, secret=SECRET, required_scope="orders:write")
    expect_equal(subject, "ana", "verify_token(issue_token('ana', ...))")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    expect("exp" in claims and claims["exp"] > time.time(), "an 'exp' claim in the future", claims)


@q2.case("a missing scope raises Forbidden", hint="split the 'scope' claim on spaces")
def _scope(issue: Callable[..., Any], verify: Callable[..., Any]) -> None:
    token = issue("ana", ["orders:read"], secret=SECRET)
    expect(_raises(verify, token, Forbidden, "orders:write"), "Forbidden", "no Forbidden")


@q2.case(
    "expired, forged, tampered and alg=none tokens raise Unauthorized",
    hint="jwt.decode(..., algorithms=['HS256']) and turn jwt.PyJWTError into Unauthorized",
)
def _bypass(issue: Callable[..., Any], verify: Callable[..., Any]) -> None:
    expired = issue("ana", ["orders:write"], secret=SECRET, ttl_seconds=-10)
    forged = issue("ana", ["orders:write"], secret="another-secret-another-secret-another")
    header, _, signature = issue("bob", ["orders:read"], secret=SECRET).split(".")
    claims = {"sub": "bob", "scope": "orders:write", "exp": int(time.time()) + 600}
    other = jwt.encode(claims, "x" * 32, algorithm="HS256").split(".")[1]
    unsigned = jwt.encode(claims, "", algorithm="none")
    cases = {"expired": expired, "forged": forged, "tampered": f"{header}.{other}.{signature}",
             "alg=none": unsigned, "garbage": "not-a-token"}  # fmt: skip
    for name, token in cases.items():
        expect(_raises(verify, token, Unauthorized, "orders:write"), f"Unauthorized ({name})", name)


@q2.case("a token without exp raises Unauthorized", grading_only=True, hint="options require exp")
def _no_exp(issue: Callable[..., Any], verify: Callable[..., Any]) -> None:
    token = jwt.encode({"sub": "ana", "scope": "orders:write"}, SECRET, algorithm="HS256")
    expect(_raises(verify, token, Unauthorized, "orders:write"), "Unauthorized", "accepted")


@q3.case("commit makes the writes visible to others", hint="begin on __enter__, commit on commit()")
def _commit(uow_class: Callable[..., Any]) -> None:
    db = engine()
    with uow_class(db) as uow:
        uow.orders.add("ana", "ABC-1234", 1)
        uow.outbox.add("order.placed", {"order_id": 1})
        uow.commit()
    expect_equal(_counts(db)[:2], (1, 1), "(orders, outbox rows) after commit")


@q3.case("no commit, or an exception, rolls everything back", hint="roll back in __exit__")
def _rollback(uow_class: Callable[..., Any]) -> None:
    db = engine()
    with uow_class(db) as uow:
        uow.orders.add("ana", "ABC-1234", 1)
    with contextlib.suppress(RuntimeError), uow_class(db) as uow:
        uow.orders.add("bob", "ABC-1234", 1)
        raise RuntimeError("crash before commit")
    expect_equal(_counts(db)[0], 0, "orders after two units of work that did not commit")


@q3.case("gives the connection back to the pool", hint="close the connection in __exit__")
def _closes(uow_class: Callable[..., Any]) -> None:
    db = engine()
    for _ in range(3):
        with uow_class(db) as uow:
            uow.idempotency.get("nothing")
    expect_equal(db.pool.checkedout(), 0, "connections still checked out")  # type: ignore[attr-defined]


def _place(place_order: Callable[..., Any], uow_class: Any, db: Engine, key: str,
           command: dict[str, Any], **kwargs: Any) -> Any:  # fmt: skip
    try:
        return place_order(lambda: uow_class(db), key, command, **kwargs)
    except Exception as error:
        return error


@q4.case("one order and one outbox event, in one transaction", hint="add both, then commit once")
def _once(place_order: Callable[..., Any], uow_class: Any) -> None:
    db = engine()
    response = _place(place_order, uow_class, db, "key-0001", ORDER)
    expect(isinstance(response, dict) and response.get("status") == "placed",
           "a dict with status 'placed'", response)  # fmt: skip
    expect_equal(_counts(db), (1, 1, 1), "(orders, outbox, idempotency keys)")
    with db.connect() as connection:
        events = OutboxRepository(connection).pending()
    expect_equal(events[0][1], "order.placed", "the outbox event's topic")
    expect_equal(events[0][2].get("order_id"), response["order_id"], "the event's order_id")


@q4.case("a replay returns the same response and changes nothing", hint="look the key up first")
def _replay(place_order: Callable[..., Any], uow_class: Any) -> None:
    db = engine()
    first = _place(place_order, uow_class, db, "key-0001", ORDER)
    again = [_place(place_order, uow_class, db, "key-0001", dict(ORDER)) for _ in range(3)]
    expect(all(response == first for response in again), "3 identical responses", again)
    expect_equal(_counts(db), (1, 1, 1), "(orders, outbox, idempotency keys) after 3 replays")


@q4.case("a key reused with another body raises IdempotencyConflict", hint="hash the command")
def _conflict(place_order: Callable[..., Any], uow_class: Any) -> None:
    db = engine()
    _place(place_order, uow_class, db, "key-0001", ORDER)
    error = _place(place_order, uow_class, db, "key-0001", {**ORDER, "quantity": 9})
    expect(isinstance(error, IdempotencyConflict), "IdempotencyConflict", error)
    expect_equal(_counts(db), (1, 1, 1), "(orders, outbox, idempotency keys)")


@q4.case(
    "a crash between the order and the event leaves nothing; the retry applies it once",
    hint="call between_steps() after adding the order, inside the unit of work",
)
def _crash(place_order: Callable[..., Any], uow_class: Any) -> None:
    db = engine()

    def crash() -> None:
        raise RuntimeError("the process died here")

    error = _place(place_order, uow_class, db, "key-0001", ORDER, between_steps=crash)
    expect(isinstance(error, RuntimeError), "the crash to propagate", error)
    expect_equal(_counts(db), (0, 0, 0), "(orders, outbox, idempotency keys) after the crash")
    _place(place_order, uow_class, db, "key-0001", ORDER)
    _place(place_order, uow_class, db, "key-0001", ORDER)
    expect_equal(_counts(db), (1, 1, 1), "(orders, outbox, idempotency keys) after 2 retries")


@q4.case("different keys are different orders", grading_only=True, hint="key by Idempotency-Key")
def _two_keys(place_order: Callable[..., Any], uow_class: Any) -> None:
    db = engine()
    _place(place_order, uow_class, db, "key-0001", ORDER)
    _place(place_order, uow_class, db, "key-0002", ORDER)
    expect_equal(_counts(db), (2, 2, 2), "(orders, outbox, idempotency keys)")


def _client(build_app: Callable[..., Any], uow_class: Any) -> tuple[Any, Engine]:
    from fastapi.testclient import TestClient

    db = engine()
    return TestClient(build_app(lambda: uow_class(db), SECRET)), db


def _headers(scope: str = "orders:write", key: str = "key-0001") -> dict[str, str]:
    claims = {"sub": "ana", "scope": scope, "exp": int(time.time()) + 600}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


@q5.case("POST /v1/orders answers 201, and a replay the same body", hint="status_code=201")
def _created(build_app: Callable[..., Any], uow_class: Any) -> None:
    client, db = _client(build_app, uow_class)
    first = client.post("/v1/orders", json=ORDER, headers=_headers())
    second = client.post("/v1/orders", json=ORDER, headers=_headers())
    expect_equal((first.status_code, second.status_code), (201, 201), "the two status codes")
    expect_equal(second.json(), first.json(), "the replay's body")
    expect_equal(_counts(db)[0], 1, "orders after a replay")


@q5.case("401 without a valid token, 403 without the scope", hint="a Depends that checks both")
def _auth(build_app: Callable[..., Any], uow_class: Any) -> None:
    client, db = _client(build_app, uow_class)
    missing = client.post("/v1/orders", json=ORDER, headers={"Idempotency-Key": "key-0001"})
    bad = {**_headers(), "Authorization": "Bearer not-a-token"}
    codes = (
        missing.status_code,
        client.post("/v1/orders", json=ORDER, headers=bad).status_code,
        client.post("/v1/orders", json=ORDER, headers=_headers("orders:read")).status_code,
    )
    expect_equal(codes, (401, 401, 403), "(no token, bad token, read-only scope)")
    expect_equal(_counts(db)[0], 0, "orders created by refused requests")


@q5.case("422 for a bad body or Idempotency-Key; 409 for a reused key", hint="Header(pattern=...)")
def _validation(build_app: Callable[..., Any], uow_class: Any) -> None:
    client, _ = _client(build_app, uow_class)
    headers = _headers()
    codes = (
        client.post("/v1/orders", json={**ORDER, "quantity": 0}, headers=headers).status_code,
        client.post(
            "/v1/orders", json=ORDER, headers={**headers, "Idempotency-Key": "x"}
        ).status_code,
        client.post("/v1/orders", json=ORDER, headers=headers).status_code,
        client.post("/v1/orders", json={**ORDER, "quantity": 3}, headers=headers).status_code,
    )
    expect_equal(codes, (422, 422, 201, 409), "(bad body, bad key, first, reused key)")
