"""Checks for lab52, the grounded-answer contract: schema, citation checks, abstention."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.llm.fake import FakeChatModel

lab = Lab("lab52")
q1 = lab.question("q1", "Citation, GroundedAnswer")
q2 = lab.question("q2", "citation_problems")
q3 = lab.question("q3", "answer_question")
summary = lab.summary

CHUNKS = {
    "manual-leak-sense#warranty": "Leak Sense user manual > Warranty\nThe Leak Sense has a "
    "3-year limited warranty from the date of delivery.",
    "policy-returns-eu#return-window": "Returns policy (European Union) > Return window\n"
    "Customers may return any unused product within 30 days of delivery.",
}


def _rejects(model: Any, data: dict[str, Any]) -> bool:
    try:
        model.model_validate(data)
    except ValueError:  # pydantic.ValidationError is a ValueError
        return True
    return False


_GOOD = {
    "answer": "3 years.",
    "citations": [{"chunk_id": "manual-leak-sense#warranty", "quote": "3-year limited warranty"}],
    "confidence": 0.8,
    "abstained": False,
}
_ABSTAIN = {"answer": "I don't know.", "citations": [], "confidence": 0.1, "abstained": True}


@q1.case("accepts a cited answer and an abstention", hint="subclass pydantic.BaseModel")
def _valid(citation: type, grounded: Any) -> None:
    answer = grounded.model_validate(_GOOD)
    expect_equal(answer.citations[0].chunk_id, "manual-leak-sense#warranty", "citations[0]")
    expect(isinstance(answer.citations[0], citation), "citations to be Citation objects", answer)
    expect_equal(grounded.model_validate(_ABSTAIN).abstained, True, "abstained")


@q1.case("rejects a confidence outside [0, 1]", hint="confidence: float = Field(ge=0, le=1)")
def _confidence(citation: type, grounded: Any) -> None:
    expect(_rejects(grounded, {**_GOOD, "confidence": 1.5}), "a ValidationError", Text("none"))


@q1.case(
    "rejects an answer without citations, and an abstention with citations",
    points=2,
    hint="a @model_validator(mode='after') that raises ValueError",
)
def _consistency(citation: type, grounded: Any) -> None:
    uncited = {**_GOOD, "citations": []}
    expect(_rejects(grounded, uncited), "a ValidationError for an uncited answer", Text("none"))
    cited_abstention = {**_ABSTAIN, "citations": _GOOD["citations"]}
    expect(_rejects(grounded, cited_abstention), "a ValidationError for a cited abstention",
           Text("none"))  # fmt: skip


@q1.case("publishes a JSON schema with the four fields required", grading_only=True)
def _schema(citation: type, grounded: Any) -> None:
    required = set(grounded.model_json_schema().get("required", []))
    expected = {"answer", "citations", "confidence", "abstained"}
    expect(expected <= required, f"required fields {sorted(expected)}", sorted(required))


@q2.case("finds no problem in correct citations")
def _clean(problems: Callable[..., Any]) -> None:
    citations = [("manual-leak-sense#warranty", "3-year limited warranty")]
    expect_equal(list(problems(citations, CHUNKS)), [], "citation_problems(<a correct one>)")


@q2.case(
    "reports a citation to a chunk that does not exist",
    hint="look the chunk_id up in chunks before anything else",
)
def _unknown(problems: Callable[..., Any]) -> None:
    found = list(problems([("manual-leak-sense#price", "3-year")], CHUNKS))
    expect(len(found) == 1 and "manual-leak-sense#price" in found[0],
           "one problem naming the unknown chunk id", found)  # fmt: skip


@q2.case(
    "reports a quote that is not in the cited chunk, ignoring case and spaces",
    hint="compare ' '.join(text.lower().split()) on both sides",
)
def _quote(problems: Callable[..., Any]) -> None:
    wrong = [("policy-returns-eu#return-window", "within 60 days")]
    expect_equal(len(list(problems(wrong, CHUNKS))), 1, "problems for a misquote")
    spaced = [("policy-returns-eu#return-window", "WITHIN 30  days")]
    expect_equal(list(problems(spaced, CHUNKS)), [], "problems for a case/space variant")


class RetrieverDouble:
    """A test double retriever: fixed (chunk_id, text, score) results for every question."""

    def __init__(self, score: float) -> None:
        self.score = score

    def __call__(self, question: str, k: int) -> list[tuple[str, str, float]]:
        """Return both known chunks, the warranty one first, with the set score."""
        return [(cid, text, self.score - i * 0.1) for i, (cid, text) in enumerate(CHUNKS.items())]


def _echo_model() -> FakeChatModel:
    return FakeChatModel(lambda request: "The Leak Sense has a 3-year limited warranty.")


@q3.case(
    "answers with a real citation when retrieval is confident",
    points=2,
    hint="cite the retrieved chunk whose sentence best matches the generated answer",
)
def _answers(answer_question: Callable[..., Any]) -> None:
    result = answer_question("Leak Sense warranty?", RetrieverDouble(0.9), _echo_model(), 0.5)
    expect_equal(result.abstained, False, "abstained")
    cited = [c.chunk_id for c in result.citations]
    expect_equal(cited[:1], ["manual-leak-sense#warranty"], "the first citation's chunk_id")
    quote = result.citations[0].quote.lower()
    expect(quote in CHUNKS[cited[0]].lower(), "the quote to be in the cited chunk", quote)


@q3.case(
    "abstains, without calling the model, when the best score is under min_score",
    points=2,
    hint="check the top score first; return the abstention object",
)
def _abstains(answer_question: Callable[..., Any]) -> None:
    model = _echo_model()
    result = answer_question("Beacon Drone battery?", RetrieverDouble(0.3), model, 0.5)
    expect_equal(result.abstained, True, "abstained")
    expect_equal(len(model.requests), 0, "model calls when abstaining")


@q3.case("puts the retrieved chunks and their ids in the prompt", grading_only=True)
def _prompt(answer_question: Callable[..., Any]) -> None:
    model = _echo_model()
    answer_question("Leak Sense warranty?", RetrieverDouble(0.9), model, 0.5)
    prompt = " ".join(m.content for m in model.requests[0].messages)
    expect("manual-leak-sense#warranty" in prompt and "3-year" in prompt,
           "the prompt to hold chunk ids and texts", prompt)  # fmt: skip
