"""The summarise use case: validate, pick a strategy, call the port, return a Result."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from template_service.ports import ChatModel, ProviderError, Usage
from template_service.result import Err, Ok, Result
from template_service.strategy import SummaryStrategy


class SummaryErrorKind(StrEnum):
    """The failures a caller is expected to handle; each maps to one HTTP status."""

    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    EMPTY_ANSWER = "empty_answer"
    PROVIDER_UNAVAILABLE = "provider_unavailable"


@dataclass(frozen=True)
class SummaryError:
    """Why there is no summary, in words a client can act on."""

    kind: SummaryErrorKind
    message: str


@dataclass(frozen=True)
class Summary:
    """A summary and where it came from."""

    text: str
    style: str
    model: str
    usage: Usage
    cached: bool


def summarise(
    text: str,
    *,
    strategy: SummaryStrategy,
    chat_model: ChatModel,
    max_words: int,
    max_input_words: int,
) -> Result[Summary, SummaryError]:
    """Summarise ``text`` in the style of ``strategy``.

    Expected failures come back as ``Err``; bugs still raise.

    Args:
        text: What to summarise.
        strategy: The summary style.
        chat_model: Any adapter of the ``ChatModel`` port.
        max_words: The longest summary, in words.
        max_input_words: The longest text accepted, in words.

    Returns:
        ``Ok(Summary)``, or ``Err(SummaryError)`` for empty or over-long text, an empty
        answer, or a provider failure.
    """
    words = len(text.split())
    if words == 0:
        return Err(SummaryError(SummaryErrorKind.EMPTY_TEXT, "text has no words to summarise"))
    if words > max_input_words:
        return Err(
            SummaryError(
                SummaryErrorKind.TEXT_TOO_LONG,
                f"text has {words} words; the limit is {max_input_words}: split it first",
            )
        )
    messages = strategy.build_messages(text, max_words)
    try:
        completion = chat_model.complete(messages, max_tokens=max_words * 2, temperature=0.0)
    except ProviderError as error:
        return Err(SummaryError(SummaryErrorKind.PROVIDER_UNAVAILABLE, str(error)))
    summary = strategy.parse(completion.text, max_words)
    if not summary:
        return Err(SummaryError(SummaryErrorKind.EMPTY_ANSWER, "the model gave an empty answer"))
    return Ok(
        Summary(summary, strategy.name, completion.model, completion.usage, completion.cached)
    )
