"""End to end with the real SmolLM2: batched and streamed answers through the HTTP API."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from llm_serving.app import create_app
from llm_serving.generator import ChatMessage, GenerationRequest, SmolLM2Generator
from llm_serving.settings import ServerSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generator() -> SmolLM2Generator:
    return SmolLM2Generator.load(threads=1)


def test_does_smollm2_answer_batched_and_streamed_requests(generator: SmolLM2Generator) -> None:
    app = create_app(generator, ServerSettings(max_tokens_cap=8))
    question = {"role": "user", "content": "What is the capital of France?"}
    with TestClient(app) as client:
        assert generator.generate([]) == []
        body = {"model": generator.name, "messages": [question], "max_tokens": 8}
        answer = client.post("/v1/chat/completions", json=body).json()
        text = answer["choices"][0]["message"]["content"]
        assert "Paris" in text
        assert 0 < answer["usage"]["completion_tokens"] <= 8
        with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as sse:
            data = [line[6:] for line in sse.iter_lines() if line.startswith("data: ")]
    streamed = "".join(
        json.loads(item)["choices"][0]["delta"].get("content", "") for item in data[:-1]
    )
    assert streamed.strip() == text.strip()  # greedy: the stream says what the batch said


def test_does_left_padding_keep_batched_answers_equal_to_single_ones(
    generator: SmolLM2Generator,
) -> None:
    asks = [
        GenerationRequest((ChatMessage("user", text),), max_new_tokens=6)
        for text in ("What is 2 + 2?", "Name a colour of the sky on a clear summer day.")
    ]
    together = generator.generate(asks)
    alone = [generator.generate([ask])[0] for ask in asks]
    assert [g.text for g in together] == [g.text for g in alone]
