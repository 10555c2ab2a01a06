"""Provider adapters: two response shapes, one Completion; every failure is a ProviderError."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from template_service.adapter import AnthropicChatModel, ExtractiveChatModel, OpenAIChatModel
from template_service.adapter.extractive import split_sentences
from template_service.ports import ChatModel, Completion, Message, ProviderError, Usage

# Recorded response shapes (trimmed) of the two providers' chat endpoints.
OPENAI_RESPONSE = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there."}}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
}
ANTHROPIC_RESPONSE = {
    "id": "msg_1",
    "type": "message",
    "model": "claude-3-5-haiku-20241022",
    "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there."}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 12, "output_tokens": 3},
}
MESSAGES = [Message("system", "Be brief."), Message("user", "Say hi.")]


def recording_client(base_url: str, body: object, status: int = 200) -> tuple[httpx.Client, list]:  # type: ignore[type-arg]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.Client(base_url=base_url, transport=httpx.MockTransport(handler)), seen


def test_do_both_shapes_map_to_the_same_completion() -> None:
    """Do the OpenAI and Anthropic shapes both become Completion('Hi there.', usage 12/3)?"""
    openai_client, _ = recording_client("https://openai.test/v1", OPENAI_RESPONSE)
    anthropic_client, _ = recording_client("https://anthropic.test", ANTHROPIC_RESPONSE)
    adapters: list[ChatModel] = [
        OpenAIChatModel(openai_client),
        AnthropicChatModel(anthropic_client),
    ]
    completions = [adapter.complete(MESSAGES) for adapter in adapters]
    assert [c.text for c in completions] == ["Hi there.", "Hi there."]
    assert {c.usage for c in completions} == {Usage(12, 3)}
    assert all(isinstance(adapter, ChatModel) for adapter in adapters)


def test_does_each_adapter_send_its_providers_request_shape() -> None:
    """Does OpenAI get system in messages, and Anthropic get it as a separate field?"""
    openai_client, openai_seen = recording_client("https://openai.test/v1", OPENAI_RESPONSE)
    anthropic_client, anthropic_seen = recording_client(
        "https://anthropic.test", ANTHROPIC_RESPONSE
    )
    OpenAIChatModel(openai_client, model="m1").complete(MESSAGES, max_tokens=7)
    AnthropicChatModel(anthropic_client, model="m2").complete(MESSAGES, max_tokens=7)

    openai_body = json.loads(openai_seen[0].content)
    assert openai_seen[0].url.path == "/v1/chat/completions"
    assert openai_body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert openai_body["max_tokens"] == 7

    anthropic_body = json.loads(anthropic_seen[0].content)
    assert anthropic_seen[0].url.path == "/v1/messages"
    assert anthropic_body["system"] == "Be brief."
    assert [m["role"] for m in anthropic_body["messages"]] == ["user"]


@pytest.mark.parametrize("adapter_class", [OpenAIChatModel, AnthropicChatModel])
@pytest.mark.parametrize(
    ("status", "body"),
    [(500, {"error": "overloaded"}), (200, {"unexpected": "shape"}), (200, ["not", "a", "dict"])],
)
def test_does_a_provider_failure_become_a_provider_error(
    adapter_class: type[OpenAIChatModel | AnthropicChatModel], status: int, body: object
) -> None:
    """Do an HTTP error, a malformed body and a non-object body all raise ProviderError?"""
    client, _ = recording_client("https://provider.test", body, status)
    with pytest.raises(ProviderError):
        adapter_class(client).complete(MESSAGES)


def test_does_a_network_error_become_a_provider_error() -> None:
    """Does a connection failure raise ProviderError, not an httpx exception?"""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(base_url="https://down.test", transport=httpx.MockTransport(refuse))
    with pytest.raises(ProviderError, match="connection refused"):
        OpenAIChatModel(client).complete(MESSAGES)


def test_does_the_extractive_model_keep_the_most_central_sentences() -> None:
    """Does it pick the sentences that share the text's frequent words, in their order?"""
    text = (
        "Retrieval augmented generation grounds answers in documents. "
        "The weather was nice. "
        "Retrieval quality decides answer quality in retrieval augmented generation."
    )
    completion = ExtractiveChatModel().complete([Message("user", text)], max_tokens=20)
    assert completion == Completion(
        "Retrieval quality decides answer quality in retrieval augmented generation.",
        "extractive-v1",
        Usage(20, 9),
    )


sentences = st.lists(
    st.text(alphabet="abcdefgh ", min_size=1, max_size=30).map(lambda s: s.strip() + "."),
    max_size=12,
)


@given(sentences, st.integers(min_value=1, max_value=50))
def test_does_the_extractive_model_respect_the_budget(parts: list[str], budget: int) -> None:
    """For any text, does it answer with whole sentences of the text, within max_tokens words?"""
    text = " ".join(parts)
    answer = ExtractiveChatModel().complete([Message("user", text)], max_tokens=budget).text
    assert len(answer.split()) <= budget
    known = set(split_sentences(text))
    assert all(line in known for line in answer.splitlines())
