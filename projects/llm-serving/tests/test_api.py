"""The HTTP API with the test double: OpenAI shapes, limits, timeouts, coalescing, metrics."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from conftest import MODEL, MakeClient, chat, run
from llm_serving.app import create_app
from llm_serving.generator import EchoGeneratorTestDouble
from llm_serving.settings import ServerSettings


def test_does_it_list_its_model_and_report_the_warm_up(make_client: MakeClient) -> None:
    client, generator = make_client()
    assert client.get("/v1/models").json()["data"][0]["id"] == MODEL
    assert client.get("/health").json()["warmup_s"] is not None
    assert generator.batch_sizes == [1]  # the warm-up call ran before any traffic


def test_does_a_chat_completion_have_openais_shape(make_client: MakeClient) -> None:
    client, _ = make_client()
    body = client.post("/v1/chat/completions", json=chat("one two three", max_tokens=3)).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "echo one two"}
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}


def test_does_a_streamed_completion_send_openai_chunks_then_done(make_client: MakeClient) -> None:
    client, _ = make_client()
    with client.stream("POST", "/v1/chat/completions", json=chat("a b", stream=True)) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        data = [line[6:] for line in answer.iter_lines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks)
    assert text == "echo a b"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_is_bad_input_a_clear_openai_error(make_client: MakeClient) -> None:
    client, _ = make_client()
    empty = client.post("/v1/chat/completions", json={"model": MODEL, "messages": []})
    assert empty.status_code == 400
    assert empty.json()["error"]["message"].startswith("messages:")
    unknown = client.post("/v1/chat/completions", json={**chat("hi"), "model": "gpt-9"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "model_not_found"
    negative = client.post("/v1/chat/completions", json=chat("hi", max_tokens=0))
    assert negative.status_code == 400


async def _burst(
    settings: ServerSettings, generator: EchoGeneratorTestDouble, bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    app = create_app(generator, settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        return list(
            await asyncio.gather(*(client.post("/v1/chat/completions", json=b) for b in bodies))
        )


def test_does_the_concurrency_limit_answer_429_with_retry_after() -> None:
    generator = EchoGeneratorTestDouble(per_call_s=0.2)
    settings = ServerSettings(max_concurrency=2, warmup=False)
    answers = run(lambda: _burst(settings, generator, [chat(f"q{i}") for i in range(4)]))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200, 429, 429]
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers["Retry-After"] == "1"


def test_does_a_slow_request_time_out_with_504_and_free_the_model() -> None:
    generator = EchoGeneratorTestDouble(per_call_s=0.3)
    settings = ServerSettings(request_timeout_s=0.1, max_batch_size=1, warmup=False)
    answers = run(lambda: _burst(settings, generator, [chat("first"), chat("second")]))
    assert [answer.status_code for answer in answers] == [504, 504]
    assert answers[0].json()["error"]["code"] == "timeout"
    assert generator.batch_sizes == [1]  # the second one was cancelled before the model ran it


def test_do_identical_concurrent_requests_cost_one_model_item() -> None:
    generator = EchoGeneratorTestDouble(per_call_s=0.05)
    settings = ServerSettings(warmup=False)
    answers = run(lambda: _burst(settings, generator, [chat("same question")] * 6))
    assert {answer.json()["choices"][0]["message"]["content"] for answer in answers} == {
        "echo same question"
    }
    assert sum(generator.batch_sizes) == 1


def test_does_an_exhausted_token_budget_answer_429(make_client: MakeClient) -> None:
    client, _ = make_client(tenant_token_budget=4, max_tokens_cap=4)
    first = client.post("/v1/chat/completions", json=chat("a b c d e f", user="t1", max_tokens=9))
    assert first.json()["usage"]["completion_tokens"] == 4  # capped from 9
    second = client.post("/v1/chat/completions", json=chat("more", user="t1"))
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "budget_exhausted"
    other = client.post("/v1/chat/completions", json=chat("more", user="t2"))
    assert other.status_code == 200


def test_does_metrics_expose_latency_ttft_tokens_queue_and_batch_size(
    make_client: MakeClient,
) -> None:
    client, _ = make_client()
    client.post("/v1/chat/completions", json=chat("x y"))
    with client.stream("POST", "/v1/chat/completions", json=chat("z", stream=True)) as answer:
        list(answer.iter_lines())
    text = client.get("/metrics").text
    for name in (
        'llm_request_latency_seconds_count{stream="false"} 1.0',
        'llm_request_latency_seconds_count{stream="true"} 1.0',
        "llm_time_to_first_token_seconds_count 1.0",
        'llm_tokens_total{kind="completion"} 5.0',
        "llm_queue_depth 0.0",
        "llm_batch_size_count 1.0",
    ):
        assert name in text, name
