"""SQL over a real SQLite file, read-only three times over.

1. The connection is opened with ``mode=ro`` (the file cannot be written through it).
2. An authorizer lets SQLite itself deny any action but reading (no writes, no ATTACH, no
   PRAGMA), whatever text gets past the parser.
3. A guard parses the text with sqlparse and accepts one ``SELECT`` statement only, so the
   model gets a clear error message instead of an opaque SQLite failure.

Values go in as parameters (``?`` placeholders), never into the SQL text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import sqlparse

ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
Scalar = str | int | float | None


class QueryRejected(ValueError):
    """The SQL is not a single read-only SELECT."""


def build_database(path: str | Path) -> Path:
    """Create the shop database at ``path`` from the packaged seed script (overwrites it)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    script = resources.files("langgraph_agent").joinpath("fixtures/shop.sql").read_text()
    with sqlite3.connect(path) as connection:
        connection.executescript(script)
    connection.close()
    return path


def check_select(sql: str) -> str:
    """Return the statement if it is exactly one SELECT, else raise ``QueryRejected``.

    Example:
        >>> check_select("SELECT 1")
        'SELECT 1'
        >>> check_select("DELETE FROM orders")
        Traceback (most recent call last):
        ...
        langgraph_agent.sql.QueryRejected: only SELECT is allowed, got DELETE

    """
    statements = [s for s in sqlparse.parse(sql) if s.value.strip(" ;\n\t")]
    if len(statements) != 1:
        raise QueryRejected(f"send exactly one statement, got {len(statements)}")
    kind = statements[0].get_type()  # type: ignore[no-untyped-call]
    if kind != "SELECT":
        raise QueryRejected(f"only SELECT is allowed, got {kind}")
    return sql.strip().rstrip(";")


def _authorize(action: int, *_: str | None) -> int:
    return sqlite3.SQLITE_OK if action in ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


class ReadOnlyDatabase:
    """Run guarded, parameterised SELECTs against a SQLite file opened read-only."""

    def __init__(self, path: str | Path, *, max_rows: int = 50) -> None:
        """Open ``path`` read-only.

        Raises:
            FileNotFoundError: There is no database at ``path`` (build it first).

        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no database at {path}; run build_database() first")
        self.max_rows = max_rows
        self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self.connection.set_authorizer(_authorize)

    def query(
        self, sql: str, params: Sequence[Scalar] = ()
    ) -> tuple[list[str], list[list[Scalar]], bool]:
        """Run one SELECT; return column names, up to ``max_rows`` rows, and a truncated flag.

        Raises:
            QueryRejected: The text is not one SELECT.
            sqlite3.Error: SQLite refused it (bad column, denied action …).

        """
        cursor = self.connection.execute(check_select(sql), tuple(params))
        rows = cursor.fetchmany(self.max_rows + 1)
        columns = [d[0] for d in cursor.description or ()]
        return columns, [list(r) for r in rows[: self.max_rows]], len(rows) > self.max_rows

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
