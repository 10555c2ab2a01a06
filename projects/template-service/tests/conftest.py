"""Shared fixtures: settings that ignore the environment, a fake model and a test client."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from template_service.adapter import FakeChatModel
from template_service.app import create_app
from template_service.ports import Message
from template_service.settings import Settings

# No per-example deadline: a busy CI runner must not turn a slow example into a failure.
# On CI (GitHub sets CI=true) the examples are also derandomised, so every run is the same.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def first_sentence(messages: Sequence[Message]) -> str:
    """Answer with the user's first sentence, as a well-behaved model might."""
    return messages[-1].content.split(".")[0] + "."


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore any TEMPLATE_SERVICE_* variables of the shell that runs the tests."""
    for name in list(os.environ):
        if name.startswith("TEMPLATE_SERVICE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, environment="test", chat_provider="extractive")


@pytest.fixture
def fake_model() -> FakeChatModel:
    return FakeChatModel(first_sentence)


@pytest.fixture
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def client(
    settings: Settings,
    fake_model: FakeChatModel,
    log_stream: io.StringIO,
) -> Iterator[TestClient]:
    app = create_app(settings, chat_model=fake_model, log_stream=log_stream)
    with TestClient(app) as test_client:
        yield test_client
