"""Grounded answers: numbered sources in, an answer with ``[n]`` citations out, or abstention.

Two gates say "I don't know": before the LLM, when the best source is not similar enough to
the question (cheap, and it stops the model from inventing an answer from unrelated text);
after it, when the model itself says the sources do not answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from labkit.llm import ChatModel

from enterprise_rag.store import Hit

IDK = "I don't know"
CITATION = re.compile(r"\[(\d{1,2})\]")
SYSTEM = (
    "You answer questions about Northbeam products using ONLY the numbered sources. "
    "Answer in one or two sentences and cite the sources you used like [1]. "
    f"If the sources do not contain the answer, reply exactly: {IDK}."
)


@dataclass(frozen=True)
class Answer:
    """A grounded answer.

    Attributes:
        text: The answer, with ``[n]`` markers.
        citations: The chunk ids the valid markers point at, in order of first use.
        invalid_citations: Markers that point at no source (a hallucinated citation).
        abstained: True when the answer is "I don't know".
        sources: The numbered sources the model saw (``[1]`` is ``sources[0]``).

    """

    text: str
    citations: list[str]
    invalid_citations: list[int]
    abstained: bool
    sources: list[Hit] = field(default_factory=list)


def parse_citations(text: str, sources: Sequence[Hit]) -> tuple[list[str], list[int]]:
    """Split the ``[n]`` markers of ``text`` into valid chunk ids and invalid numbers.

    Example:
        >>> parse_citations("Hold it [2], see [9].", [])
        ([], [2, 9])

    """
    valid: list[str] = []
    invalid: list[int] = []
    for number in (int(n) for n in CITATION.findall(text)):
        if 1 <= number <= len(sources):
            if sources[number - 1].chunk_id not in valid:
                valid.append(sources[number - 1].chunk_id)
        elif number not in invalid:
            invalid.append(number)
    return valid, invalid


class Answerer:
    """Turn a question and its ranked hits into a cited answer with an LLM.

    Args:
        llm: Any ``labkit.llm.ChatModel`` (SmolLM2 locally, a provider, or a test double).
        min_similarity: Abstain without calling the LLM below this best cosine.
        max_sources: How many hits the prompt shows.
        max_tokens: The answer's token budget.

    """

    def __init__(
        self,
        llm: ChatModel,
        *,
        min_similarity: float = 0.35,
        max_sources: int = 3,
        max_tokens: int = 96,
    ) -> None:
        self.llm, self.min_similarity = llm, min_similarity
        self.max_sources, self.max_tokens = max_sources, max_tokens

    def should_abstain(self, hits: Sequence[Hit]) -> bool:
        """True when no hit is similar enough to the question to ground an answer."""
        return not hits or max(h.similarity for h in hits) < self.min_similarity

    def messages(self, question: str, sources: Sequence[Hit]) -> list[dict[str, str]]:
        """Return the chat messages: instructions, then numbered sources and the question."""
        numbered = "\n\n".join(f"[{i}] {h.text}" for i, h in enumerate(sources, start=1))
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Sources:\n{numbered}\n\nQuestion: {question}"},
        ]

    def _finish(self, text: str, sources: list[Hit]) -> Answer:
        text = text.strip()
        citations, invalid = parse_citations(text, sources)
        abstained = text.lower().startswith(IDK.lower()) or not text
        return Answer(text or f"{IDK}.", citations, invalid, abstained, sources)

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        """Answer from the hits, or abstain."""
        if self.should_abstain(hits):
            return Answer(f"{IDK}: no source is close enough to the question.", [], [], True)
        sources = list(hits[: self.max_sources])
        completion = self.llm.complete(
            self.messages(question, sources), max_tokens=self.max_tokens, temperature=0.0
        )
        return self._finish(completion.text, sources)

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
        """Yield the answer's text pieces as they arrive, then the finished ``Answer``."""
        if self.should_abstain(hits):
            answer = Answer(f"{IDK}: no source is close enough to the question.", [], [], True)
            yield answer.text
            yield answer
            return
        sources = list(hits[: self.max_sources])
        pieces: list[str] = []
        for delta in self.llm.stream(
            self.messages(question, sources), max_tokens=self.max_tokens, temperature=0.0
        ):
            if delta.text:
                pieces.append(delta.text)
                yield delta.text
        yield self._finish("".join(pieces), sources)
