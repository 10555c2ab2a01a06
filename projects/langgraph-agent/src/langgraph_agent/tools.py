"""The agent's tools: typed arguments in, validated output out, allowlisted per role.

Every tool has a Pydantic model for its arguments (the JSON Schema the model sees comes
from it) and one for its output. A tool's raw result is validated before the model sees it,
so a broken backend becomes a clear tool error instead of garbage in the context.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from labkit.llm import Tool
from pydantic import BaseModel, Field, ValidationError

from langgraph_agent.sql import QueryRejected, ReadOnlyDatabase, Scalar
from langgraph_agent.tickets import Priority, Ticket, TicketClient
from langgraph_agent.web import WebReader

Role = Literal["guest", "viewer", "support"]
ROLE_TOOLS: dict[Role, frozenset[str]] = {
    "guest": frozenset({"web_fetch"}),
    "viewer": frozenset({"web_fetch", "sql_query", "get_ticket"}),
    "support": frozenset({"web_fetch", "sql_query", "get_ticket", "create_ticket"}),
}


class SqlArgs(BaseModel):
    """Arguments of ``sql_query``."""

    sql: str = Field(description="One SQLite SELECT; use ? placeholders for values.")
    params: list[str | int | float] = Field(default_factory=list, max_length=20)


class SqlResult(BaseModel):
    """Output of ``sql_query``."""

    columns: list[str]
    rows: list[list[Scalar]]
    truncated: bool


class WebArgs(BaseModel):
    """Arguments of ``web_fetch``."""

    url: str = Field(description="https://docs.shop.example/<page>, e.g. /returns or /shipping")


class WebPage(BaseModel):
    """Output of ``web_fetch``."""

    url: str
    title: str
    text: str = Field(max_length=2000)


class TicketIdArgs(BaseModel):
    """Arguments of ``get_ticket``."""

    ticket_id: int = Field(ge=1)


class NewTicketArgs(BaseModel):
    """Arguments of ``create_ticket``."""

    title: str = Field(min_length=3, max_length=120)
    body: str = Field(default="", max_length=2000)
    priority: Priority = "normal"


class ToolError(Exception):
    """A tool call failed in a way the model should read and may recover from."""


@dataclass
class Toolbox:
    """The three backends and the four tools over them."""

    database: ReadOnlyDatabase
    web: WebReader
    tickets: TicketClient

    def __post_init__(self) -> None:
        self._tools: dict[str, tuple[str, type[BaseModel], Callable[[Any], BaseModel]]] = {
            "sql_query": ("Query the shop database (customers, orders).", SqlArgs, self._sql),
            "web_fetch": ("Read a help page of the shop's website.", WebArgs, self._web),
            "get_ticket": ("Read a support ticket by id.", TicketIdArgs, self._get_ticket),
            "create_ticket": ("Open a support ticket.", NewTicketArgs, self._create_ticket),
        }

    def specs(self, allowed: frozenset[str]) -> list[Tool]:
        """The tool descriptions the model is shown: only the allowed ones."""
        return [
            Tool(name, description, args.model_json_schema())
            for name, (description, args, _) in self._tools.items()
            if name in allowed
        ]

    def run(self, name: str, arguments: Mapping[str, Any]) -> BaseModel:
        """Validate the arguments, run the tool, validate its output.

        Raises:
            ToolError: Unknown tool, invalid arguments, a rejected query, a backend error or
                an output that fails its schema; the message says which.

        """
        if name not in self._tools:
            raise ToolError(f"unknown tool {name!r}; tools: {', '.join(self._tools)}")
        _, args_model, function = self._tools[name]
        try:
            args = args_model.model_validate(dict(arguments))
        except ValidationError as error:
            raise ToolError(f"invalid arguments for {name}: {_brief(error)}") from None
        try:
            return function(args)
        except ValidationError as error:
            raise ToolError(f"{name} returned invalid output: {_brief(error)}") from None
        except (QueryRejected, sqlite3.Error, PermissionError, httpx.HTTPError) as error:
            raise ToolError(f"{name} failed: {error}") from None

    def _sql(self, args: SqlArgs) -> SqlResult:
        columns, rows, truncated = self.database.query(args.sql, args.params)
        return SqlResult.model_validate({"columns": columns, "rows": rows, "truncated": truncated})

    def _web(self, args: WebArgs) -> WebPage:
        title, text = self.web.fetch(args.url)
        return WebPage.model_validate({"url": args.url, "title": title, "text": text})

    def _get_ticket(self, args: TicketIdArgs) -> Ticket:
        response = self.tickets.get(f"/tickets/{args.ticket_id}")
        response.raise_for_status()
        return Ticket.model_validate(response.json())

    def _create_ticket(self, args: NewTicketArgs) -> Ticket:
        response = self.tickets.post("/tickets", json=args.model_dump())
        response.raise_for_status()
        return Ticket.model_validate(response.json())


def _brief(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in error.errors()
    )
