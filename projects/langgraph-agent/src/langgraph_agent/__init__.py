"""A LangGraph agent with SQL, web and ticketing tools, role allowlists and guardrails."""

from langgraph_agent.graph import AgentRun, AuditEntry, build_graph, run_agent
from langgraph_agent.sql import ReadOnlyDatabase, build_database
from langgraph_agent.tickets import create_app, ticket_client
from langgraph_agent.tools import ROLE_TOOLS, Toolbox
from langgraph_agent.web import WebReader

__all__ = [
    "ROLE_TOOLS",
    "AgentRun",
    "AuditEntry",
    "ReadOnlyDatabase",
    "Toolbox",
    "WebReader",
    "build_database",
    "build_graph",
    "create_app",
    "run_agent",
    "ticket_client",
]


def default_toolbox(database_path: str) -> Toolbox:
    """Build the database at ``database_path`` and wire the three local backends."""
    return Toolbox(ReadOnlyDatabase(build_database(database_path)), WebReader(), ticket_client())
