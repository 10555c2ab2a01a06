"""A small ticketing API (FastAPI) and the client the agent calls it through, in process."""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from functools import partial
from typing import Any, Literal

import httpx
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

Priority = Literal["low", "normal", "high"]


class TicketIn(BaseModel):
    """What a caller sends to open a ticket."""

    title: str = Field(min_length=3, max_length=120)
    body: str = Field(default="", max_length=2000)
    priority: Priority = "normal"


class Ticket(TicketIn):
    """A stored ticket."""

    id: int = Field(ge=1)
    status: Literal["open", "closed"] = "open"


def create_app() -> FastAPI:
    """Build the ticketing app with its own in-memory store."""
    app = FastAPI(title="tickets")
    store: dict[int, Ticket] = {}
    ids = itertools.count(1)

    @app.post("/tickets", status_code=201)
    def open_ticket(ticket: TicketIn) -> Ticket:
        stored = Ticket(id=next(ids), **ticket.model_dump())
        store[stored.id] = stored
        return stored

    @app.get("/tickets/{ticket_id}")
    def get_ticket(ticket_id: int) -> Ticket:
        if ticket_id not in store:
            raise HTTPException(404, f"ticket {ticket_id} does not exist")
        return store[ticket_id]

    @app.get("/tickets")
    def list_tickets() -> list[Ticket]:
        return list(store.values())

    return app


class TicketClient:
    """A synchronous client for the ticketing API, called in process (no socket).

    Underneath is a real ``httpx.AsyncClient`` over ``httpx.ASGITransport``; an anyio
    blocking portal runs it on its own event loop thread, so sync code (the graph's nodes)
    and notebooks (which already run a loop) can both call it.
    """

    def __init__(self, app: FastAPI | None = None) -> None:
        """Serve ``app`` (default: a fresh ticketing app with an empty store)."""
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app or create_app()),
            base_url="http://tickets.internal",
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and return the response (``httpx`` keyword arguments)."""
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``GET url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``POST url``."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the client and stop the portal's thread."""
        self._portal.call(self._client.aclose)
        self._stack.close()


def ticket_client(app: FastAPI | None = None) -> TicketClient:
    """Build a ``TicketClient`` for ``app`` (default: a fresh ticketing app)."""
    return TicketClient(app)
