"""An AI API: a tenant-aware, metered LLM feature behind JWT auth, on Postgres and Redis."""

__version__ = "0.1.0"
