"""The outbox relay: publish committed events to a Redis stream, at least once, in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis
from sqlalchemy.orm import Session, sessionmaker

from ai_api.uow import UnitOfWork


def relay_outbox(
    session_factory: sessionmaker[Session],
    client: redis.Redis,
    stream: str,
    *,
    batch_size: int = 100,
) -> int:
    """Publish up to ``batch_size`` unpublished events and mark them published.

    Rows are locked with ``FOR UPDATE SKIP LOCKED``, so several relays can run side by
    side without publishing one event twice. A crash after ``XADD`` but before the commit
    publishes that batch again on the next run: delivery is at least once, and consumers
    deduplicate on ``event_id``.

    Returns:
        How many events were published.

    """
    with UnitOfWork(session_factory) as uow:
        messages = uow.outbox.claim_unpublished(batch_size)
        pipe = client.pipeline(transaction=False)
        for message in messages:
            fields = {
                "event_id": str(message.id),
                "topic": message.topic,
                "payload": json.dumps(message.payload, sort_keys=True),
            }
            pipe.xadd(stream, fields)  # type: ignore[arg-type]
        pipe.execute()
        now = datetime.now(UTC)
        for message in messages:
            message.published_at = now
        uow.commit()
        return len(messages)
