"""Repositories: the only code that writes SQL, one small class per aggregate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ai_api.models import IdempotencyKey, OutboxMessage, Summary, Tenant, UsageRecord, User


@dataclass(frozen=True)
class UsageTotals:
    """What a tenant consumed in a period."""

    requests: int
    input_tokens: int
    output_tokens: int


class TenantRepository:
    """Tenants and their users."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_tenant(self, name: str, plan: str) -> Tenant:
        """Add a tenant on ``plan``; it is written when the unit of work commits."""
        tenant = Tenant(id=uuid.uuid4(), name=name, plan=plan)
        self.session.add(tenant)
        self.session.flush()
        return tenant

    def add_user(
        self, tenant: Tenant, username: str, password_hash: str, scopes: list[str]
    ) -> User:
        """Add a user of ``tenant`` who may be granted ``scopes``."""
        user = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            username=username,
            password_hash=password_hash,
            scopes=scopes,
        )
        self.session.add(user)
        self.session.flush()
        return user

    def tenant(self, tenant_id: uuid.UUID) -> Tenant | None:
        """The tenant with this id, or None."""
        return self.session.get(Tenant, tenant_id)

    def user_by_name(self, username: str) -> User | None:
        """The user with this username, or None."""
        return self.session.scalar(select(User).where(User.username == username))


class SummaryRepository:
    """Summaries, always read through the tenant that owns them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, summary: Summary) -> None:
        """Stage a new summary."""
        self.session.add(summary)
        self.session.flush()

    def get(self, tenant_id: uuid.UUID, summary_id: uuid.UUID) -> Summary | None:
        """The tenant's summary, or None: another tenant's row is never returned."""
        query = select(Summary).where(Summary.id == summary_id, Summary.tenant_id == tenant_id)
        return self.session.scalar(query)


class UsageRepository:
    """The usage ledger that billing reads."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, summary: Summary) -> None:
        """Meter one request that produced ``summary``."""
        self.session.add(
            UsageRecord(
                tenant_id=summary.tenant_id,
                summary_id=summary.id,
                input_tokens=summary.input_tokens,
                output_tokens=summary.output_tokens,
            )
        )

    def totals(self, tenant_id: uuid.UUID, start: datetime, end: datetime) -> UsageTotals:
        """Sum the tenant's usage with ``start <= created_at < end``."""
        query = select(
            func.count(UsageRecord.id),
            func.coalesce(func.sum(UsageRecord.input_tokens), 0),
            func.coalesce(func.sum(UsageRecord.output_tokens), 0),
        ).where(
            UsageRecord.tenant_id == tenant_id,
            UsageRecord.created_at >= start,
            UsageRecord.created_at < end,
        )
        requests, input_tokens, output_tokens = self.session.execute(query).one()
        return UsageTotals(int(requests), int(input_tokens), int(output_tokens))


class IdempotencyRepository:
    """Claims on ``Idempotency-Key`` values and the responses stored under them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, tenant_id: uuid.UUID, key: str, fingerprint: str) -> bool:
        """Insert the key; False if it exists (a concurrent claim waits for the first to end)."""
        statement = (
            insert(IdempotencyKey)
            .values(tenant_id=tenant_id, key=key, fingerprint=fingerprint)
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
        return self.session.scalar(statement) is not None

    def get(self, tenant_id: uuid.UUID, key: str) -> IdempotencyKey | None:
        """The stored claim, or None."""
        return self.session.get(IdempotencyKey, (tenant_id, key))

    def complete(
        self, tenant_id: uuid.UUID, key: str, status_code: int, response: dict[str, Any]
    ) -> None:
        """Store the response that every retry with this key will get."""
        row = self.session.get(IdempotencyKey, (tenant_id, key))
        if row is None:
            raise LookupError(f"idempotency key {key!r} was never claimed")
        row.status_code = status_code
        row.response = response


class OutboxRepository:
    """Events waiting to be published."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, topic: str, payload: dict[str, Any]) -> None:
        """Stage an event in the current transaction."""
        self.session.add(OutboxMessage(topic=topic, payload=payload))

    def claim_unpublished(self, limit: int) -> list[OutboxMessage]:
        """Lock up to ``limit`` unpublished events; concurrent relays skip locked rows."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))
