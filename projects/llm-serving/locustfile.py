"""Locust profile: chat users that ask short, different questions with no think time."""

from __future__ import annotations

import itertools
import os

from locust import HttpUser, constant, task

QUESTIONS = [
    "What is the capital of France?",
    "Name a primary colour.",
    "How many legs does a spider have?",
    "What is 2 + 2?",
    "Say hello in Spanish.",
    "What do bees make?",
    "Which planet is closest to the sun?",
    "What is the opposite of hot?",
]
_counter = itertools.count()


class ChatUser(HttpUser):
    """A client of the OpenAI-compatible API, as the `openai` SDK would call it."""

    wait_time = constant(0)

    @task
    def chat(self) -> None:
        """One non-streamed chat completion; a different question each time."""
        question = QUESTIONS[next(_counter) % len(QUESTIONS)]
        body = {
            "model": os.environ.get("LLM_SERVING_LOCUST_MODEL", "smollm2-135m-instruct"),
            "messages": [{"role": "user", "content": question}],
            "max_tokens": int(os.environ.get("LLM_SERVING_LOCUST_MAX_TOKENS", "8")),
        }
        self.client.post("/v1/chat/completions", json=body, name="chat")
