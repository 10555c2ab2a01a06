"""Summary styles as strategies: each builds its prompt and cleans the model's answer."""

from __future__ import annotations

import re
from typing import Protocol

from template_service.ports import Message

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def truncate_words(text: str, max_words: int) -> str:
    """Keep at most ``max_words`` whitespace-separated words of ``text``."""
    return " ".join(text.split()[:max_words])


class SummaryStrategy(Protocol):
    r"""How to ask for one style of summary, and how to clean up the answer.

    Example:
        >>> strategy = get_strategy("bullets")
        >>> strategy.parse("1. first point\n* second point", max_words=10)
        '- first point\n- second point'
    """

    name: str

    def build_messages(self, text: str, max_words: int) -> list[Message]:
        """The conversation that asks a chat model for this style of summary."""
        ...

    def parse(self, answer: str, max_words: int) -> str:
        """Turn the model's raw answer into this style, within ``max_words``."""
        ...


class OneLineSummary:
    """One sentence: for notifications, titles and previews."""

    name = "one_line"

    def build_messages(self, text: str, max_words: int) -> list[Message]:
        """Ask for a single sentence of at most ``max_words`` words."""
        instruction = (
            f"Summarise the user's text in one sentence of at most {max_words} words. "
            "Answer with the sentence only."
        )
        return [Message("system", instruction), Message("user", text)]

    def parse(self, answer: str, max_words: int) -> str:
        """Join the answer onto one line and cut it to ``max_words`` words."""
        return truncate_words(" ".join(answer.split()), max_words)


class BulletSummary:
    """Up to ``max_bullets`` short points: for reports and meeting notes."""

    name = "bullets"

    def __init__(self, max_bullets: int = 5) -> None:
        self.max_bullets = max_bullets

    def build_messages(self, text: str, max_words: int) -> list[Message]:
        """Ask for a bulleted list of at most ``max_bullets`` points."""
        instruction = (
            f"Summarise the user's text as at most {self.max_bullets} bullet points, "
            f"{max_words} words in all. One point per line, each starting with '- '."
        )
        return [Message("system", instruction), Message("user", text)]

    def parse(self, answer: str, max_words: int) -> str:
        """Normalise every non-empty line to ``- point``, within the word budget."""
        bullets: list[str] = []
        words_left = max_words
        for line in answer.splitlines():
            point = truncate_words(_BULLET.sub("", line), words_left)
            if not point:
                continue
            bullets.append(f"- {point}")
            words_left -= len(point.split())
            if words_left <= 0 or len(bullets) == self.max_bullets:
                break
        return "\n".join(bullets)


STRATEGIES: dict[str, SummaryStrategy] = {
    strategy.name: strategy for strategy in (OneLineSummary(), BulletSummary())
}


def get_strategy(name: str) -> SummaryStrategy:
    """Look a strategy up by name.

    Raises:
        ValueError: ``name`` is not a known style; the message lists the ones that are.
    """
    try:
        return STRATEGIES[name]
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"unknown summary style {name!r}; choose one of: {known}") from None
