"""Per-tenant quotas on Redis: requests per clock minute and model tokens per month."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import redis

from ai_api.plans import Plan


class QuotaExceeded(Exception):
    """The tenant used up a limit of its plan; ``retry_after_s`` says when it resets."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def month_of(moment: datetime) -> str:
    """``YYYY-MM`` of a UTC moment."""
    return moment.strftime("%Y-%m")


def _seconds_to_next_month(moment: datetime) -> int:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return max(1, int((datetime(year, month, 1, tzinfo=UTC) - moment).total_seconds()))


class Quotas:
    """Fixed-window counters in Redis, shared by every API replica.

    The minute counter is one ``INCR`` plus ``EXPIRE`` in a transaction: atomic, so two
    replicas never both let the sixth request of a five-per-minute plan through.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock

    def admit(self, tenant_id: uuid.UUID, plan: Plan) -> None:
        """Count one request against the plan, or refuse it.

        Raises:
            QuotaExceeded: The minute's requests or the month's tokens are used up.

        """
        now = self.clock()
        moment = datetime.fromtimestamp(now, UTC)
        used_tokens = int(self.client.get(self._tokens_key(tenant_id, moment)) or 0)
        if used_tokens >= plan.tokens_per_month:
            raise QuotaExceeded(
                f"the {plan.name} plan includes {plan.tokens_per_month} tokens a month and "
                f"{used_tokens} are used; upgrade the plan or wait for next month",
                _seconds_to_next_month(moment),
            )
        window = int(now // 60)
        key = f"quota:{tenant_id}:rpm:{window}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, 120)
        count = int(pipe.execute()[0])
        if count > plan.requests_per_minute:
            raise QuotaExceeded(
                f"the {plan.name} plan allows {plan.requests_per_minute} requests a minute",
                max(1, 60 - int(now % 60)),
            )

    def add_tokens(self, tenant_id: uuid.UUID, tokens: int) -> None:
        """Add model tokens to the month's counter (after the work was committed)."""
        if tokens <= 0:
            return
        key = self._tokens_key(tenant_id, datetime.fromtimestamp(self.clock(), UTC))
        pipe = self.client.pipeline(transaction=True)
        pipe.incrby(key, tokens)
        pipe.expire(key, 40 * 24 * 3600)
        pipe.execute()

    @staticmethod
    def _tokens_key(tenant_id: uuid.UUID, moment: datetime) -> str:
        return f"quota:{tenant_id}:tokens:{month_of(moment)}"
