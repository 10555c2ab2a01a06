"""The unit of work: one transaction, and the repositories that share it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ai_api.repositories import (
    IdempotencyRepository,
    OutboxRepository,
    SummaryRepository,
    TenantRepository,
    UsageRepository,
)


class UnitOfWork:
    """Open a session on ``with``; ``commit()`` makes the work durable, anything else rolls back.

    Example::

        with UnitOfWork(session_factory) as uow:
            uow.outbox.add("summary.created", {"id": "…"})
            uow.commit()

    """

    tenants: TenantRepository
    summaries: SummaryRepository
    usage: UsageRepository
    idempotency: IdempotencyRepository
    outbox: OutboxRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.tenants = TenantRepository(self.session)
        self.summaries = SummaryRepository(self.session)
        self.usage = UsageRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.rollback()  # a no-op after commit(); undoes everything otherwise
        self.session.close()

    def commit(self) -> None:
        """Commit every change made through this unit of work, atomically."""
        self.session.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
