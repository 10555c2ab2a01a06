"""The redaction pipeline as a service: ``POST /v1/redact``, with every call in the audit log."""

from __future__ import annotations

import os
from typing import Literal

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field

from compliance_pack.audit import AuditLog
from compliance_pack.redaction import Pseudonymiser, redact

MAX_CHARS = 20_000


class RedactRequest(BaseModel):
    """Text to redact, and how."""

    text: str = Field(min_length=1, max_length=MAX_CHARS)
    mode: Literal["mask", "pseudonymise"] = "mask"


class RedactResponse(BaseModel):
    """The redacted text and the entity types found (never the values)."""

    text: str
    entities: list[str]


def create_app(audit_log: AuditLog | None = None, pseudonym_key: bytes | None = None) -> FastAPI:
    """Build the app; the key comes from ``COMPLIANCE_PACK_PSEUDONYM_KEY`` when not given.

    Config from the environment, logs as entries, no local state besides them: 12-factor.
    """
    key = pseudonym_key or os.environ.get("COMPLIANCE_PACK_PSEUDONYM_KEY", "").encode()
    log = audit_log if audit_log is not None else AuditLog()
    pseudonymiser = Pseudonymiser(key) if key else None
    app = FastAPI(title="compliance-pack redaction", version="0.1.0")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/redact")
    def redact_text(
        request: RedactRequest, x_caller: str = Header(default="anonymous")
    ) -> RedactResponse:
        if request.mode == "pseudonymise" and pseudonymiser is None:
            raise HTTPException(
                status_code=422,
                detail="pseudonymise needs COMPLIANCE_PACK_PSEUDONYM_KEY set on the server",
            )
        result = redact(
            request.text, pseudonymiser=pseudonymiser if request.mode == "pseudonymise" else None
        )
        log.append(x_caller, "redact", "text", mode=request.mode, entities=result["entities"])
        return RedactResponse(text=result["text"], entities=result["entities"])

    return app
