"""Tests for lab52's checks: reference answers pass, plausible wrong answers fail."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pydantic import BaseModel, Field, model_validator

from labkit.checks import GRADING_ENV
from labkit.checks import lab52 as check
from labkit.llm.base import ChatModel


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test asks for them."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


class Citation(BaseModel):
    chunk_id: str
    quote: str


class GroundedAnswer(BaseModel):
    answer: str
    citations: list[Citation]
    confidence: float = Field(ge=0.0, le=1.0)
    abstained: bool

    @model_validator(mode="after")
    def _consistent(self) -> GroundedAnswer:
        if self.abstained == bool(self.citations):
            raise ValueError("an answer cites, an abstention does not")
        return self


class LooseAnswer(BaseModel):
    answer: str
    citations: list[Citation]
    confidence: float = Field(ge=0.0, le=1.0)
    abstained: bool


def problems(citations: list[tuple[str, str]], chunks: dict[str, str]) -> list[str]:
    out = []
    for chunk_id, quote in citations:
        if chunk_id not in chunks:
            out.append(f"{chunk_id}: unknown")
        elif " ".join(quote.lower().split()) not in " ".join(chunks[chunk_id].lower().split()):
            out.append(f"{chunk_id}: misquoted")
    return out


def answer(
    question: str,
    retrieve: Callable[[str, int], list[tuple[str, str, float]]],
    llm: ChatModel,
    min_score: float,
) -> GroundedAnswer:
    results = retrieve(question, 3)
    best = max(score for _, _, score in results)
    if best < min_score:
        return GroundedAnswer(answer="I don't know.", citations=[], confidence=best, abstained=True)
    context = "\n".join(f"({cid}) {text}" for cid, text, _ in results)
    text = llm.complete([{"role": "user", "content": context + "\n" + question}]).text
    words = set(re.findall(r"\w+", text.lower()))
    cid, quote = max(
        ((cid, s) for cid, t, _ in results for s in t.split("\n")),
        key=lambda c: len(words & set(re.findall(r"\w+", c[1].lower()))),
    )
    return GroundedAnswer(
        answer=text,
        citations=[Citation(chunk_id=cid, quote=quote)],
        confidence=1.0,
        abstained=False,
    )


def never_abstains(
    question: str,
    retrieve: Callable[[str, int], list[tuple[str, str, float]]],
    llm: ChatModel,
    min_score: float,
) -> GroundedAnswer:
    return answer(question, retrieve, llm, -1.0)


def test_does_the_schema_pass_and_one_without_a_validator_fail() -> None:
    assert check.q1.evaluate(Citation, GroundedAnswer, grading_only=True).passed
    feedback = check.q1.evaluate(Citation, LooseAnswer)
    assert not feedback.passed
    assert "a ValidationError for an uncited answer" in str(feedback)


def test_does_citation_checking_pass_and_an_id_only_check_fail() -> None:
    assert check.q2.evaluate(problems, grading_only=True).passed

    def ids_only(citations: list[tuple[str, str]], chunks: dict[str, str]) -> list[str]:
        return [cid for cid, _ in citations if cid not in chunks]

    feedback = check.q2.evaluate(ids_only)
    assert not feedback.passed
    assert "misquote" in str(feedback)


def test_does_answering_pass_and_never_abstaining_fail() -> None:
    assert check.q3.evaluate(answer, grading_only=True).passed
    feedback = check.q3.evaluate(never_abstains)
    assert not feedback.passed
    assert "abstains, without calling the model" in str(feedback)
