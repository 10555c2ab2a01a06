"""Server settings, read from ``LLM_SERVING_*`` environment variables when asked for."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseSettings):
    """Limits and batching knobs; every one is an environment variable, e.g.

    ``LLM_SERVING_MAX_BATCH_SIZE=16``.
    """

    model_config = SettingsConfigDict(env_prefix="LLM_SERVING_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_batch_size: int = Field(default=8, ge=1, description="the most requests per model call")
    max_wait_ms: float = Field(default=10.0, ge=0, description="how long a batch waits to fill")
    max_queue: int = Field(default=64, ge=1, description="queued requests before 503")
    max_concurrency: int = Field(default=32, ge=1, description="requests in flight before 429")
    request_timeout_s: float = Field(default=30.0, gt=0, description="non-streamed: 504 after")
    default_max_tokens: int = Field(default=32, ge=1)
    max_tokens_cap: int = Field(default=64, ge=1, description="the most tokens one request gets")
    tenant_token_budget: int = Field(default=1_000_000, ge=1, description="tokens per `user`")
    warmup: bool = True
    torch_threads: int | None = Field(default=None, ge=1)
