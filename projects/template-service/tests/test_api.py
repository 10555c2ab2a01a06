"""The HTTP API, called through FastAPI's TestClient (httpx), with JSON logs and request ids."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from fastapi.testclient import TestClient

from template_service.adapter import FakeChatModel
from template_service.app import create_app
from template_service.ports import Message, ProviderError
from template_service.settings import Settings

TEXT = "Caching saves money. Caching also cuts latency. The office plant is green."


def log_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_is_the_service_healthy(client: TestClient) -> None:
    """Does GET /health answer 200 with the version and the model in use?"""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": "0.1.0",
        "provider": "FakeChatModel",
        "model": "fake",
    }


def test_does_summarise_answer_with_a_summary(client: TestClient) -> None:
    """Does POST /v1/summarise return the summary, style, model, usage and request id?"""
    response = client.post("/v1/summarise", json={"text": TEXT, "max_words": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "Caching saves money."
    assert (body["style"], body["model"], body["cached"]) == ("one_line", "fake", False)
    assert body["usage"]["output_tokens"] == 3
    assert body["request_id"] == response.headers["x-request-id"]


def test_is_a_repeated_request_served_from_the_cache(
    client: TestClient, fake_model: FakeChatModel
) -> None:
    """Does the same request twice reach the model once, the second marked cached?"""
    first = client.post("/v1/summarise", json={"text": TEXT, "style": "bullets"})
    second = client.post("/v1/summarise", json={"text": TEXT, "style": "bullets"})
    assert (first.json()["cached"], second.json()["cached"]) == (False, True)
    assert first.json()["summary"] == second.json()["summary"] == "- Caching saves money."
    assert len(fake_model.calls) == 1


def test_is_the_callers_request_id_kept_and_logged(
    client: TestClient, log_stream: io.StringIO
) -> None:
    """Is a safe X-Request-ID echoed back and stamped on every JSON log line of that request?"""
    response = client.post("/v1/summarise", json={"text": TEXT}, headers={"X-Request-ID": "req-42"})
    assert response.headers["x-request-id"] == "req-42"
    lines = [line for line in log_lines(log_stream) if line["request_id"] == "req-42"]
    assert [line["message"] for line in lines] == ["llm_call", "summarised", "request"]
    access = lines[-1]
    assert (access["method"], access["path"], access["status"]) == ("POST", "/v1/summarise", 200)


def test_is_an_unsafe_request_id_replaced(client: TestClient) -> None:
    """Is a request id that could break a log line replaced by a fresh 32-hex-digit one?"""
    response = client.get("/health", headers={"X-Request-ID": "x" * 65})
    new_id = response.headers["x-request-id"]
    assert len(new_id) == 32
    assert int(new_id, 16) >= 0


def test_does_bad_input_get_a_clear_error(client: TestClient) -> None:
    """Do a missing field, an unknown style and a whitespace-only text get 422 with reasons?"""
    missing = client.post("/v1/summarise", json={})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "text"]
    style = client.post("/v1/summarise", json={"text": TEXT, "style": "haiku"})
    assert style.status_code == 422
    blank = client.post("/v1/summarise", json={"text": "   "})
    assert blank.status_code == 422
    assert blank.json()["detail"] == {
        "error": "empty_text",
        "message": "text has no words to summarise",
    }


def test_is_an_over_long_text_refused_with_413(settings: Settings, log_stream: io.StringIO) -> None:
    """Does a text over max_input_words get 413 with the limit in the message?"""
    small = settings.model_copy(update={"max_input_words": 5})
    app = create_app(small, chat_model=FakeChatModel(lambda m: "x"), log_stream=log_stream)
    with TestClient(app) as client:
        response = client.post("/v1/summarise", json={"text": TEXT})
    assert response.status_code == 413
    assert "the limit is 5" in response.json()["detail"]["message"]


def test_is_a_provider_outage_a_503(settings: Settings, log_stream: io.StringIO) -> None:
    """Does a ProviderError become 503 provider_unavailable, logged with its request id?"""

    def outage(messages: Sequence[Message]) -> str:
        raise ProviderError("upstream timed out")

    app = create_app(settings, chat_model=FakeChatModel(outage), log_stream=log_stream)
    with TestClient(app) as client:
        response = client.post("/v1/summarise", json={"text": TEXT}, headers={"X-Request-ID": "r1"})
    assert response.status_code == 503
    assert response.json()["detail"]["error"] == "provider_unavailable"
    warning = next(line for line in log_lines(log_stream) if line["level"] == "WARNING")
    assert (warning["request_id"], warning["error"]) == ("r1", "provider_unavailable")


def test_does_an_unhandled_error_get_logged_with_its_request_id(
    settings: Settings, log_stream: io.StringIO
) -> None:
    """Does a bug give a 500 and an ERROR log line carrying the request id and traceback?"""

    def bug(messages: Sequence[Message]) -> str:
        raise RuntimeError("a bug")

    app = create_app(settings, chat_model=FakeChatModel(bug), log_stream=log_stream)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/summarise", json={"text": TEXT}, headers={"X-Request-ID": "r2"})
    assert response.status_code == 500
    error = next(line for line in log_lines(log_stream) if line["level"] == "ERROR")
    assert error["request_id"] == "r2"
    assert "RuntimeError: a bug" in str(error["exc_info"])


def test_does_the_default_app_use_the_offline_model() -> None:
    """With no arguments, does create_app read settings and serve the extractive model?"""
    app = create_app(Settings(_env_file=None), log_stream=io.StringIO())
    with TestClient(app) as client:
        health = client.get("/health").json()
        summary = client.post("/v1/summarise", json={"text": TEXT, "max_words": 8}).json()
    assert (health["provider"], health["model"]) == ("extractive", "extractive-v1")
    assert summary["summary"] == "Caching also cuts latency."
