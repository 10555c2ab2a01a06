"""Locust users for the load test: the same endpoint, cache misses against cache hits."""

from __future__ import annotations

import os
import uuid

from locust import HttpUser, constant, task

HIT_TEXT = "The same question, asked again and again, should cost one model call."


class Summariser(HttpUser):
    """A client that alternates a fresh text (miss) and a repeated text (hit)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        """Authenticate with the token the test minted."""
        self.client.headers["Authorization"] = f"Bearer {os.environ['LOAD_TEST_TOKEN']}"

    @task
    def miss(self) -> None:
        """A text nobody sent before: the model is called."""
        self.client.post(
            "/v1/summaries",
            json={"text": f"fresh text {uuid.uuid4()}"},
            name="summaries (cache miss)",
        )

    @task
    def hit(self) -> None:
        """The same text every time: served by the Redis cache."""
        self.client.post("/v1/summaries", json={"text": HIT_TEXT}, name="summaries (cache hit)")
