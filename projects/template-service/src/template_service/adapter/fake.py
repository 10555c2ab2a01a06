"""``FakeChatModel``: a test double for the port, answering from a function you pass in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from template_service.ports import Completion, Message, Usage

Handler = Callable[[Sequence[Message]], str]


class FakeChatModel:
    """A chat model whose answer is ``handler(messages)``; it records every call.

    The handler may raise ``ProviderError`` to fake an outage.

    Example:
        >>> fake = FakeChatModel(lambda messages: messages[-1].content.upper())
        >>> fake.complete([Message("user", "hi")]).text
        'HI'
        >>> len(fake.calls)
        1
    """

    def __init__(self, handler: Handler, *, model: str = "fake") -> None:
        self.handler = handler
        self.model = model
        self.calls: list[tuple[Message, ...]] = []

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Record the call and answer with the handler."""
        self.calls.append(tuple(messages))
        answer = self.handler(messages)
        input_tokens = sum(len(m.content.split()) for m in messages)
        return Completion(answer, self.model, Usage(input_tokens, len(answer.split())))
