"""The service layer: use cases that own transactions; HTTP and SQL stay outside."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from labkit.llm import ChatModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ai_api.auth import (
    Principal,
    decoy_password_hash,
    hash_password,
    issue_token,
    verify_password,
)
from ai_api.billing import Invoice, build_invoice, period_bounds
from ai_api.cache import SingleFlightCache
from ai_api.models import Summary
from ai_api.plans import Plan
from ai_api.quotas import Quotas
from ai_api.schemas import SummaryOut
from ai_api.telemetry import Telemetry
from ai_api.uow import UnitOfWork

SYSTEM_PROMPT = "Summarise the user's text in one short sentence. Answer with the summary only."


class NotFound(Exception):
    """The resource does not exist for this tenant (it may exist for another)."""


class BadCredentials(Exception):
    """Unknown user or wrong password (deliberately not saying which)."""


class AlreadyExists(Exception):
    """A tenant name or username is already taken."""


class IdempotencyKeyReused(Exception):
    """The key was already used with a different request body."""


@dataclass(frozen=True)
class Outcome:
    """A command's answer: the body, its status code, and whether it is a stored replay."""

    body: dict[str, Any]
    status_code: int
    replayed: bool


@dataclass(frozen=True)
class IssuedToken:
    """An access token and what it grants."""

    token: str
    scopes: frozenset[str]
    expires_in: int


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A stable sha256 of a request body, to tell a retry from a different request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class AIService:
    """The use cases of the AI API.

    Every method opens one unit of work, so a use case commits everything or nothing.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        chat_model: Callable[[], ChatModel],
        cache: SingleFlightCache,
        quotas: Quotas,
        plans: Mapping[str, Plan],
        telemetry: Telemetry,
        *,
        max_tokens: int,
    ) -> None:
        self.session_factory = session_factory
        self.chat_model = chat_model
        self.cache = cache
        self.quotas = quotas
        self.plans = plans
        self.telemetry = telemetry
        self.max_tokens = max_tokens

    def create_tenant(self, name: str, plan: str) -> uuid.UUID:
        """Create a tenant on ``plan``.

        Raises:
            ValueError: The plan does not exist.

        """
        if plan not in self.plans:
            raise ValueError(f"unknown plan {plan!r}; choose one of {sorted(self.plans)}")
        with UnitOfWork(self.session_factory) as uow:
            tenant = uow.tenants.add_tenant(name, plan)
            uow.commit()
            return tenant.id

    def create_user(
        self, tenant_id: uuid.UUID, username: str, password: str, scopes: list[str]
    ) -> uuid.UUID:
        """Create a user of the tenant who may be granted ``scopes``."""
        with UnitOfWork(self.session_factory) as uow:
            tenant = uow.tenants.tenant(tenant_id)
            if tenant is None:
                raise NotFound(f"no tenant {tenant_id}")
            user = uow.tenants.add_user(tenant, username, hash_password(password), scopes)
            uow.commit()
            return user.id

    def onboard(
        self, name: str, plan: str, username: str, password: str, scopes: list[str]
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """Create a tenant and its first user in one transaction: both exist, or neither.

        Returns:
            The tenant's id and the user's id.

        Raises:
            ValueError: The plan does not exist.
            AlreadyExists: The tenant name or the username is taken.

        """
        if plan not in self.plans:
            raise ValueError(f"unknown plan {plan!r}; choose one of {sorted(self.plans)}")
        password_hash = hash_password(password)
        try:
            with UnitOfWork(self.session_factory) as uow:
                tenant = uow.tenants.add_tenant(name, plan)
                user = uow.tenants.add_user(tenant, username, password_hash, scopes)
                uow.commit()
                return tenant.id, user.id
        except IntegrityError as error:
            raise AlreadyExists(
                f"a tenant named {name!r} or a user named {username!r} already exists"
            ) from error

    def login(
        self,
        username: str,
        password: str,
        requested: list[str] | None,
        *,
        secret: str,
        issuer: str,
        ttl_s: int,
    ) -> IssuedToken:
        """Check the password and sign a token with the granted subset of scopes.

        Raises:
            BadCredentials: Unknown user or wrong password.

        """
        with UnitOfWork(self.session_factory) as uow:
            user = uow.tenants.user_by_name(username)
            stored_hash = decoy_password_hash() if user is None else user.password_hash
            if not verify_password(password, stored_hash) or user is None:
                raise BadCredentials("unknown user or wrong password")
            granted = frozenset(user.scopes)
            scopes = granted if requested is None else granted & frozenset(requested)
            principal = Principal(user.id, user.tenant_id, scopes)
        token = issue_token(principal, secret=secret, issuer=issuer, ttl_s=ttl_s)
        return IssuedToken(token, scopes, ttl_s)

    def summarise(
        self, principal: Principal, text: str, idempotency_key: str | None = None
    ) -> Outcome:
        """Summarise ``text`` for the caller's tenant, metered, cached and idempotent.

        In one transaction: claim the idempotency key, admit the request against the
        plan's quotas, ask the model (through the single-flight cache), store the summary,
        its usage record and a ``summary.created`` outbox event, and the response under the
        key. A failure anywhere rolls all of it back, key included, so a retry starts clean.

        Raises:
            IdempotencyKeyReused: The key was used before with another body.
            QuotaExceeded: The plan's limits are used up.
            NotFound: The tenant no longer exists.

        """
        tenant_id = principal.tenant_id
        request_fingerprint = fingerprint({"text": text, "max_tokens": self.max_tokens})
        with UnitOfWork(self.session_factory) as uow:
            if idempotency_key is not None and not uow.idempotency.claim(
                tenant_id, idempotency_key, request_fingerprint
            ):
                stored = uow.idempotency.get(tenant_id, idempotency_key)
                if stored is None or stored.response is None or stored.status_code is None:
                    raise RuntimeError("a claimed idempotency key has no stored response")
                if stored.fingerprint != request_fingerprint:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was already used with a different body; "
                        "use a new key for a new request"
                    )
                return Outcome(stored.response, stored.status_code, replayed=True)
            tenant = uow.tenants.tenant(tenant_id)
            if tenant is None:
                raise NotFound(f"no tenant {tenant_id}")
            self.quotas.admit(tenant_id, self.plans[tenant.plan])
            answer, hit = self._complete(tenant_id, text)
            summary = Summary(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                text=text,
                summary=answer["text"],
                model=answer["model"],
                input_tokens=0 if hit else answer["input_tokens"],
                output_tokens=0 if hit else answer["output_tokens"],
                cached=hit,
                created_at=datetime.now(UTC),
            )
            uow.summaries.add(summary)
            uow.usage.record(summary)
            body = SummaryOut.model_validate(summary, from_attributes=True).model_dump(mode="json")
            uow.outbox.add("summary.created", {"tenant_id": str(tenant_id), **body})
            if idempotency_key is not None:
                uow.idempotency.complete(tenant_id, idempotency_key, 201, body)
            tokens = summary.input_tokens + summary.output_tokens
            uow.commit()
        self.quotas.add_tokens(tenant_id, tokens)
        self.telemetry.model_tokens.add(tokens, {"tenant.id": str(tenant_id)})
        return Outcome(body, 201, replayed=False)

    def get_summary(self, principal: Principal, summary_id: uuid.UUID) -> dict[str, Any]:
        """One of the caller's tenant's summaries.

        Raises:
            NotFound: No such summary for this tenant (another tenant's looks the same).

        """
        with UnitOfWork(self.session_factory) as uow:
            summary = uow.summaries.get(principal.tenant_id, summary_id)
            if summary is None:
                raise NotFound(f"no summary {summary_id}")
            return SummaryOut.model_validate(summary, from_attributes=True).model_dump(mode="json")

    def invoice(self, principal: Principal, period: str) -> tuple[uuid.UUID, Invoice]:
        """The caller's tenant's invoice for ``period`` (``YYYY-MM``)."""
        start, end = period_bounds(period)
        with UnitOfWork(self.session_factory) as uow:
            tenant = uow.tenants.tenant(principal.tenant_id)
            if tenant is None:
                raise NotFound(f"no tenant {principal.tenant_id}")
            totals = uow.usage.totals(tenant.id, start, end)
            return tenant.id, build_invoice(period, self.plans[tenant.plan], totals)

    def _complete(self, tenant_id: uuid.UUID, text: str) -> tuple[dict[str, Any], bool]:
        """Ask the model, through a cache keyed per tenant (no cross-tenant leaks)."""
        digest = hashlib.sha256(f"{self.max_tokens}\x00{text}".encode()).hexdigest()
        key = f"cache:{tenant_id}:summary:{digest}"

        def ask_model() -> str:
            with self.telemetry.tracer.start_as_current_span("llm.complete") as span:
                model = self.chat_model()
                completion = model.complete(
                    [
                        {"role": "system", "content": SYSTEM_PROMPT},
                        {"role": "user", "content": text},
                    ],
                    max_tokens=self.max_tokens,
                )
                span.set_attribute("gen_ai.request.model", model.model)
                span.set_attribute("gen_ai.usage.input_tokens", completion.usage.input_tokens)
                span.set_attribute("gen_ai.usage.output_tokens", completion.usage.output_tokens)
            return json.dumps(
                {
                    "text": completion.text.strip() or "(empty answer)",
                    "model": completion.model or model.model,
                    "input_tokens": completion.usage.input_tokens,
                    "output_tokens": completion.usage.output_tokens,
                }
            )

        with self.telemetry.tracer.start_as_current_span("cache.get_or_compute") as span:
            value, hit = self.cache.get_or_compute(key, ask_model)
            span.set_attribute("cache.hit", hit)
        self.telemetry.cache_lookups.add(1, {"hit": hit})
        answer: dict[str, Any] = json.loads(value)
        return answer, hit
