from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from langgraph_agent.sql import QueryRejected, ReadOnlyDatabase, build_database, check_select
from langgraph_agent.tools import Toolbox, ToolError


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM orders",
        "UPDATE orders SET status = 'delivered'",
        "SELECT 1; DROP TABLE orders",
        "PRAGMA table_info(orders)",
        "WITH x AS (SELECT 1) DELETE FROM orders",
    ],
)
def test_does_the_guard_reject_everything_but_one_select(sql: str) -> None:
    with pytest.raises(QueryRejected):
        check_select(sql)


def test_is_the_connection_read_only_even_past_the_guard(tmp_path: Path) -> None:
    database = ReadOnlyDatabase(build_database(tmp_path / "shop.db"))
    with pytest.raises(sqlite3.DatabaseError):
        database.connection.execute("DELETE FROM orders")
    with pytest.raises(sqlite3.DatabaseError):
        database.connection.execute("ATTACH DATABASE ':memory:' AS other")
    assert database.query("SELECT COUNT(*) FROM orders")[1] == [[14]]
    database.close()


def test_are_values_bound_as_parameters(toolbox: Toolbox) -> None:
    hostile = toolbox.run(
        "sql_query", {"sql": "SELECT id FROM orders WHERE id = ?", "params": ["x' OR '1'='1"]}
    )
    assert hostile.model_dump()["rows"] == []


def test_are_large_results_truncated(tmp_path: Path) -> None:
    database = ReadOnlyDatabase(build_database(tmp_path / "shop.db"), max_rows=5)
    _, rows, truncated = database.query("SELECT id FROM orders")
    assert len(rows) == 5
    assert truncated
    database.close()


def test_does_a_missing_database_get_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="build_database"):
        ReadOnlyDatabase(tmp_path / "none.db")


def test_does_the_web_tool_read_fixture_pages_only(toolbox: Toolbox) -> None:
    page = toolbox.run("web_fetch", {"url": "https://docs.shop.example/shipping"}).model_dump()
    assert page["title"] == "Shipping times"
    assert "1 to 2 working days" in page["text"]
    with pytest.raises(ToolError, match="not allowed"):
        toolbox.run("web_fetch", {"url": "https://evil.example/steal"})
    with pytest.raises(ToolError, match="404"):
        toolbox.run("web_fetch", {"url": "https://docs.shop.example/missing"})


def test_does_the_ticket_api_round_trip(toolbox: Toolbox) -> None:
    created = toolbox.run("create_ticket", {"title": "Parcel lost", "priority": "high"})
    fetched = toolbox.run("get_ticket", {"ticket_id": created.model_dump()["id"]})
    assert fetched == created
    with pytest.raises(ToolError, match="404"):
        toolbox.run("get_ticket", {"ticket_id": 99})


def test_are_bad_arguments_explained(toolbox: Toolbox) -> None:
    with pytest.raises(ToolError, match="priority"):
        toolbox.run("create_ticket", {"title": "Broken zip", "priority": "urgent"})
    with pytest.raises(ToolError, match="unknown tool"):
        toolbox.run("rm_rf", {})


def test_is_invalid_tool_output_caught(toolbox: Toolbox, tmp_path: Path) -> None:
    from fastapi import FastAPI

    from langgraph_agent.tickets import ticket_client

    broken = FastAPI()

    @broken.get("/tickets/{ticket_id}")
    def wrong_shape(ticket_id: int) -> dict[str, object]:
        return {"id": ticket_id, "title": "", "priority": "whenever"}

    client = ticket_client(broken)
    box = Toolbox(toolbox.database, toolbox.web, client)
    with pytest.raises(ToolError, match="returned invalid output"):
        box.run("get_ticket", {"ticket_id": 1})
    client.close()
