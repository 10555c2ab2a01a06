"""The public, versioned API schemas (v1); changing a field's meaning needs a v2."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TEXT_CHARS = 8_000


class TokenResponse(BaseModel):
    """The OAuth2 token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    scope: str


class SummaryRequest(BaseModel):
    """Text to summarise."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)

    @field_validator("text")
    @classmethod
    def _printable(cls, text: str) -> str:
        """Refuse blank text and NUL characters, which Postgres text columns cannot hold."""
        if "\x00" in text:
            raise ValueError("text must not contain NUL (\\x00) characters")
        if not text.strip():
            raise ValueError("text must contain something other than whitespace")
        return text


class SummaryOut(BaseModel):
    """A stored summary."""

    id: uuid.UUID
    summary: str
    model: str
    input_tokens: int
    output_tokens: int
    cached: bool
    created_at: datetime


class InvoiceLineOut(BaseModel):
    """One priced line of an invoice."""

    description: str
    quantity: int
    amount_cents: int


class InvoiceOut(BaseModel):
    """A tenant's invoice for one month."""

    tenant_id: uuid.UUID
    period: str
    plan: str
    requests: int
    input_tokens: int
    output_tokens: int
    lines: list[InvoiceLineOut]
    total_cents: int


class PlanOut(BaseModel):
    """A plan's public limits and prices."""

    name: str
    requests_per_minute: int
    tokens_per_month: int
    base_fee_cents: int
    cents_per_1k_tokens: int


class Problem(BaseModel):
    """An error body: what went wrong and what to do about it."""

    detail: str
