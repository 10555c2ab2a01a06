"""``FakeChatModel``: a test double for the ``ChatModel`` port, like ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from labkit.llm.adapter import ChatModelBase
from labkit.llm.base import ChatRequest, Completion, StreamDelta, Usage

Handler = Callable[[ChatRequest], str | Completion]


class FakeChatModel(ChatModelBase):
    """A chat model whose answers come from ``handler``: no model, no network, instant.

    The handler receives the normalised ``ChatRequest`` (messages, tools, max_tokens …) and
    returns the answer's text or a whole ``Completion`` (to fake tool calls or usage). It may
    raise an ``LLMError`` subclass to fake a failure. Every request is kept in ``requests``.
    Usage counts whitespace-separated words, unless the handler's ``Completion`` sets it.
    ``stream`` yields the answer word by word, then any tool calls, then the usage.

    Example:
        >>> llm = FakeChatModel(lambda request: request.messages[-1].content.upper())
        >>> llm.complete([{"role": "user", "content": "shout this"}]).text
        'SHOUT THIS'
        >>> [delta.text for delta in llm.stream([{"role": "user", "content": "a b"}])]
        ['A', ' B', '']
        >>> llm.requests[0].max_tokens
        256

    """

    def __init__(self, handler: Handler, *, model: str = "fake") -> None:
        """Answer every call with ``handler``.

        Args:
            handler: Gets the ``ChatRequest``; returns text or a ``Completion``.
            model: The name reported in ``Completion.model``.

        """
        self.handler = handler
        self.model = model
        self.requests: list[ChatRequest] = []

    def _complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        answer = self.handler(request)
        if isinstance(answer, Completion):
            return answer
        prompt_words = sum(len(message.content.split()) for message in request.messages)
        usage = Usage(prompt_words, len(answer.split()))
        return Completion(text=answer, usage=usage, model=self.model, finish_reason="stop")

    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]:
        completion = self._complete(request)
        words = completion.text.split(" ") if completion.text else []
        for index, word in enumerate(words):
            yield StreamDelta(text=word if index == 0 else f" {word}")
        for call in completion.tool_calls:
            yield StreamDelta(tool_call=call)
        yield StreamDelta(usage=completion.usage, finish_reason=completion.finish_reason)
