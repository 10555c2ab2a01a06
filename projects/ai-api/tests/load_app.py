"""The app the load test serves with uvicorn: a slow test-double model, limits out of the way."""

from __future__ import annotations

import time

from fastapi import FastAPI
from labkit.llm import ChatRequest, FakeChatModel

from ai_api.app import create_app
from ai_api.plans import Plan

MODEL_LATENCY_S = 0.05
"""What the test double pretends one model call costs; a real SmolLM2 call is 10x more."""


def _slow_first_words(request: ChatRequest) -> str:
    time.sleep(MODEL_LATENCY_S)
    return " ".join(request.messages[-1].content.split()[:8])


def build() -> FastAPI:
    """Uvicorn factory: settings from ``AI_API_*``, the slow test double as the model."""
    unlimited = Plan(
        "pro",
        requests_per_minute=10**9,
        tokens_per_month=10**12,
        base_fee_cents=0,
        cents_per_1k_tokens=0,
    )
    model = FakeChatModel(_slow_first_words, model="slow-fake-summariser")
    return create_app(chat_model=model, plans={"pro": unlimited, "free": unlimited})
