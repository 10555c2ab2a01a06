"""labkit.models: offline defaults, hub opt-in, provider dispatch and the SmolLM2 cache."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from labkit import models
from labkit.errors import ConfigurationError, DatasetError, OfflineError
from labkit.llm.anthropic import AnthropicChatModel
from labkit.llm.gemini import GeminiChatModel
from labkit.llm.local import LocalChatModel
from labkit.llm.openai_compat import OpenAIChatModel
from labkit.models import chat_model, embedding_model, smollm2_checkpoint
from labkit.settings import Settings

KEYS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "ANTHROPIC_API_KEY")


def settings(**fields: Any) -> Settings:
    """Settings from the arguments and the environment, never from a developer's .env."""
    return Settings(_env_file=None, **fields)


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (*KEYS, "GEMINI_API_KEY"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"labkit tried to reach the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.slow
def test_does_minilm_encode_text_to_normalised_384d_vectors(no_network: None) -> None:
    """Does MiniLM, from its package and offline, encode text to unit-length 384-d vectors?"""
    models._sentence_transformer.cache_clear()  # load it here, under no_network
    embedder = embedding_model(settings())
    vectors = embedder.encode(
        ["A cat sits on the mat.", "A kitten rests on a rug.", "Stock prices fell."]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert embedding_model(settings()) is embedder


@pytest.mark.slow
def test_does_the_default_chat_model_complete_and_stream(no_network: None) -> None:
    """Does chat_model() give SmolLM2, offline, which completes and streams?"""
    models._local_chat_model.cache_clear()  # load it here, under no_network
    model = chat_model(settings(chat_model="local:smollm2-135m-instruct"))
    assert isinstance(model, LocalChatModel)
    question = [{"role": "user", "content": "What is the capital of France?"}]
    assert "Paris" in model.complete(question, max_tokens=30).text
    assert "Paris" in "".join(delta.text for delta in model.stream(question, max_tokens=30))


@pytest.mark.slow
def test_is_the_loaded_chat_model_reused_within_a_process() -> None:
    """Does a second chat_model() call return the same model at once?"""
    first = chat_model(settings(chat_model="local:smollm2-135m-instruct"))
    start = time.perf_counter()
    again = chat_model(settings(chat_model="local:smollm2-135m-instruct"))
    assert again is first
    assert time.perf_counter() - start < 0.5


@pytest.mark.slow
def test_is_the_converted_cache_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once converted, is the safetensors cache used without touching the GGUF again?"""
    cache_dir = settings().cache_dir
    folder = smollm2_checkpoint(cache_dir)
    stamp = (folder / "model.safetensors").stat().st_mtime_ns

    def no_conversion(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the GGUF was read again")

    monkeypatch.setattr(models, "_check_sha256", no_conversion)
    assert smollm2_checkpoint(cache_dir) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    assert {"config.json", "tokenizer.json", "generation_config.json"} <= {
        path.name for path in folder.iterdir()
    }


def test_does_a_tampered_gguf_stop_the_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a GGUF that fails its sha256 stop the conversion, leaving no cache behind?"""
    monkeypatch.setattr(models, "SMOLLM2_GGUF_SHA256", "0" * 64)
    with pytest.raises(DatasetError, match="reinstall"):
        smollm2_checkpoint(tmp_path)
    assert not any(tmp_path.rglob("*.safetensors"))


@pytest.mark.parametrize(
    ("fields", "setting"),
    [
        ({"chat_model": "hf:Qwen/Qwen2.5-0.5B-Instruct"}, "LABKIT_CHAT_MODEL"),
        ({"embedding_model": "hf:BAAI/bge-small-en-v1.5"}, "LABKIT_EMBEDDING_MODEL"),
    ],
)
def test_does_a_hub_model_while_offline_say_what_to_change(
    fields: dict[str, str], setting: str
) -> None:
    """Does asking for a hub model while offline fail at once, naming both settings?"""
    load = chat_model if "chat_model" in fields else embedding_model
    with pytest.raises(OfflineError, match=f"LABKIT_OFFLINE.*{setting}|{setting}.*LABKIT_OFFLINE"):
        load(settings(offline=True, **fields))


@pytest.mark.parametrize(
    "spec", ["smollm2", "local:gpt-5", "bard:latest", "openai-compatible:http://x/v1"]
)
def test_is_a_malformed_chat_model_setting_explained(spec: str) -> None:
    """Does a malformed LABKIT_CHAT_MODEL fail with the setting's name and the valid forms?"""
    with pytest.raises(ConfigurationError, match="LABKIT_CHAT_MODEL"):
        chat_model(settings(chat_model=spec))


def test_does_a_missing_key_name_its_variable(no_keys: None) -> None:
    """Does a provider model without its key fail, naming the variable to set?"""
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        chat_model(settings(chat_model="openai:gpt-4o-mini"))
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY"):
        chat_model(settings(chat_model="anthropic:claude-haiku-4-5"))


def test_does_azure_without_an_endpoint_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does Azure OpenAI without AZURE_OPENAI_ENDPOINT fail, naming it?"""
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-secret")
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_ENDPOINT"):
        chat_model(settings(chat_model="azure-openai:course-gpt-4o-mini"))


@pytest.mark.parametrize(
    ("spec", "adapter", "model"),
    [
        ("openai:gpt-4o-mini", OpenAIChatModel, "gpt-4o-mini"),
        ("azure-openai:course-gpt-4o-mini", OpenAIChatModel, "course-gpt-4o-mini"),
        (
            "openai-compatible:http://127.0.0.1:11434/v1#qwen2.5:0.5b",
            OpenAIChatModel,
            "qwen2.5:0.5b",
        ),
        ("anthropic:claude-haiku-4-5", AnthropicChatModel, "claude-haiku-4-5"),
        ("gemini:gemini-2.5-flash", GeminiChatModel, "gemini-2.5-flash"),
    ],
)
def test_does_each_provider_setting_pick_its_adapter(
    monkeypatch: pytest.MonkeyPatch, no_network: None, spec: str, adapter: type, model: str
) -> None:
    """Does each LABKIT_CHAT_MODEL form build its adapter, offline, hiding the key?"""
    for key in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(key, "secret-value-42")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://course.openai.azure.com")
    llm = chat_model(settings(chat_model=spec))
    assert isinstance(llm, adapter)
    assert llm.model == model
    assert "secret-value-42" not in repr(llm)


def test_does_an_openai_compatible_server_get_its_base_url(no_keys: None) -> None:
    """Does openai-compatible:<base_url>#<model> point the SDK at that URL, with no key needed?"""
    llm = chat_model(settings(chat_model="openai-compatible:http://127.0.0.1:8000/v1#my-model"))
    assert isinstance(llm, OpenAIChatModel)
    assert str(llm.client.base_url) == "http://127.0.0.1:8000/v1/"
    assert llm.token_limit_param == "max_tokens"
