"""Shared helpers: an app around the test double, and a way to run coroutines in tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from llm_serving.app import create_app
from llm_serving.generator import EchoGeneratorTestDouble
from llm_serving.settings import ServerSettings

T = TypeVar("T")
MakeClient = Callable[..., tuple[TestClient, EchoGeneratorTestDouble]]
MODEL = "echo-test-double"


def chat(content: str, **extra: Any) -> dict[str, Any]:
    """A chat completion body for the test double."""
    return {"model": MODEL, "messages": [{"role": "user", "content": content}], **extra}


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build a TestClient (lifespan started) around a fresh test double; closed after the test."""
    clients: list[TestClient] = []

    def make(
        generator: EchoGeneratorTestDouble | None = None, **settings: Any
    ) -> tuple[TestClient, EchoGeneratorTestDouble]:
        generator = generator or EchoGeneratorTestDouble()
        client = TestClient(create_app(generator, ServerSettings(**settings)))
        client.__enter__()
        clients.append(client)
        return client, generator

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine factory in a fresh event loop."""
    import asyncio

    async def main() -> T:
        return await make()

    return asyncio.run(main())
