"""ASGI middleware that gives every request an id, echoes it back and logs one access line."""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from template_service.logs import get_logger, request_id_var

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def clean_request_id(candidate: str | None) -> str:
    r"""Keep a caller's request id if it is safe to log, otherwise make a new one.

    A safe id has 1 to 64 letters, digits, ``.``, ``_`` or ``-``: it cannot break a log line
    or smuggle a header.

    Example:
        >>> clean_request_id("abc-123")
        'abc-123'
        >>> len(clean_request_id("bad id\n"))
        32
    """
    if candidate is not None and _SAFE_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Set ``request_id_var`` for the request, add ``X-Request-ID`` to the response, log it.

    A plain ASGI middleware (not ``BaseHTTPMiddleware``), so it streams and adds no task.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call; lifespan and websocket calls pass straight through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value for key, value in scope["headers"]}
        raw = headers.get(REQUEST_ID_HEADER)
        request_id = clean_request_id(raw.decode("latin-1") if raw is not None else None)
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            self.logger.exception("unhandled error", extra={"path": scope["path"]})
            raise
        finally:
            self.logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)
