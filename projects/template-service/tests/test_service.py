"""The summarise use case returns Err for expected failures and Ok otherwise."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from template_service.adapter import ExtractiveChatModel, FakeChatModel
from template_service.ports import Message, ProviderError
from template_service.result import Err, Ok
from template_service.service import SummaryErrorKind, summarise
from template_service.strategy import get_strategy

TEXT = "Queues absorb bursts. Bounded queues push back on producers. Lunch was good."


def run(text: str, answer: str | Exception, max_input_words: int = 100) -> object:
    def handler(messages: Sequence[Message]) -> str:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return summarise(
        text,
        strategy=get_strategy("one_line"),
        chat_model=FakeChatModel(handler),
        max_words=10,
        max_input_words=max_input_words,
    )


@pytest.mark.parametrize(
    ("text", "answer", "kind"),
    [
        ("   \n\t", "unused", SummaryErrorKind.EMPTY_TEXT),
        ("word " * 101, "unused", SummaryErrorKind.TEXT_TOO_LONG),
        (TEXT, "   ", SummaryErrorKind.EMPTY_ANSWER),
        (TEXT, ProviderError("503 from provider"), SummaryErrorKind.PROVIDER_UNAVAILABLE),
    ],
)
def test_are_expected_failures_returned_as_err(
    text: str, answer: str | Exception, kind: SummaryErrorKind
) -> None:
    """Do empty text, long text, an empty answer and an outage each give their Err kind?"""
    result = run(text, answer)
    assert isinstance(result, Err)
    assert result.error.kind == kind
    assert result.error.message


def test_does_a_bug_still_raise() -> None:
    """Is an unexpected exception (a bug) raised, not hidden inside an Err?"""
    with pytest.raises(ZeroDivisionError):
        run(TEXT, ZeroDivisionError("bug"))


def test_does_a_real_summary_come_back_as_ok() -> None:
    """Does the extractive model give an Ok summary in the bullet style?"""
    result = summarise(
        TEXT,
        strategy=get_strategy("bullets"),
        chat_model=ExtractiveChatModel(),
        max_words=12,
        max_input_words=100,
    )
    match result:
        case Ok(summary):
            assert summary.text.startswith("- ")
            assert "Lunch" not in summary.text
            assert summary.model == "extractive-v1"
        case Err(error):
            pytest.fail(f"expected a summary, got {error}")
