"""The official `openai` client works against the server; a client that leaves stops the model."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from conftest import MODEL
from llm_serving.app import create_app
from llm_serving.generator import EchoGeneratorTestDouble
from llm_serving.server import running_server
from llm_serving.settings import ServerSettings

LONG = " ".join(f"w{i}" for i in range(60))


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, EchoGeneratorTestDouble]]:
    generator = EchoGeneratorTestDouble(token_delay_s=0.02)
    with running_server(create_app(generator, ServerSettings(max_tokens_cap=64))) as url:
        yield url, generator


def test_does_the_openai_client_list_models_and_complete(
    served: tuple[str, EchoGeneratorTestDouble],
) -> None:
    client = openai.OpenAI(base_url=f"{served[0]}/v1", api_key="not-needed", max_retries=0)
    assert [model.id for model in client.models.list()] == [MODEL]
    answer = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "hello there"}], max_tokens=8
    )
    assert answer.choices[0].message.content == "echo hello there"
    assert answer.usage is not None
    assert answer.usage.completion_tokens == 3


def test_does_the_openai_client_stream(served: tuple[str, EchoGeneratorTestDouble]) -> None:
    client = openai.OpenAI(base_url=f"{served[0]}/v1", api_key="not-needed", max_retries=0)
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "a b c"}], stream=True
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream]
    assert "".join(pieces) == "echo a b c"


def test_does_the_openai_client_raise_on_bad_requests(
    served: tuple[str, EchoGeneratorTestDouble],
) -> None:
    client = openai.OpenAI(base_url=f"{served[0]}/v1", api_key="not-needed", max_retries=0)
    with pytest.raises(openai.NotFoundError, match="not served here"):
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])


def test_does_a_client_that_disconnects_stop_generation(
    served: tuple[str, EchoGeneratorTestDouble],
) -> None:
    url, generator = served
    before = generator.streamed_pieces
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": LONG}],
        "max_tokens": 60,
        "stream": True,
    }
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=10) as answer:
        for index, _ in enumerate(answer.iter_lines()):
            if index >= 6:
                break  # leave after a few events, as a closed browser tab does
    time.sleep(0.5)  # 25 more tokens' worth of time: a model that kept going would be far ahead
    produced = generator.streamed_pieces - before
    assert produced < 20, f"the model kept generating after the client left: {produced} pieces"
