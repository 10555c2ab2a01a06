"""Tests for lab40's checks: the master's answers pass, plausible wrong answers fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from labkit.assign import role_of
from labkit.checks import GRADING_ENV
from labkit.checks import lab40 as check
from labkit.llm import FakeChatModel

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions" / "04-llms"


def master_namespace(name: str) -> dict[str, Any]:
    """Run a phase-4 master's setup and answer cells (not its checks) and return its names."""
    notebook = nbformat.reads((SOLUTIONS / name).read_text(), as_version=4)  # type: ignore[no-untyped-call]
    namespace: dict[str, Any] = {}
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for cell in [code[0], *(cell for cell in code if role_of(cell) == "answer")]:
        exec(compile(cell.source, name, "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@pytest.fixture(scope="module")
def master() -> dict[str, Any]:
    return master_namespace("lab40-schema-first.ipynb")


def test_does_the_master_pass_every_case_grading_included(master: dict[str, Any]) -> None:
    """Do the master's answers pass all three questions, grading-only cases included?"""
    assert check.q1.evaluate(
        master["count_tokens"], master["request_cost_usd"], master["tokenizer"], grading_only=True
    ).passed
    assert check.q2.evaluate(master["Contact"], master["extract"], grading_only=True).passed
    assert check.q3.evaluate(
        master["PromptRegistry"], master["golden_failures"], grading_only=True
    ).passed


def test_does_counting_words_instead_of_tokens_fail_with_a_hint(master: dict[str, Any]) -> None:
    """Does a word count fail q1's first case, with the hint about special tokens?"""

    def words(tokenizer: Any, texts: list[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    feedback = str(check.q1.evaluate(words, master["request_cost_usd"], master["tokenizer"]))
    assert "✗ counts tokens with the tokenizer" in feedback
    assert "hint: len(tokenizer.encode(text).ids)" in feedback


def test_does_an_unbounded_or_repairless_extract_fail(master: dict[str, Any]) -> None:
    """Does an extract that never repairs fail the repair case but pass the first-valid one?"""
    contact = master["Contact"]

    def no_repair(llm: Any, text: str, max_attempts: int = 3) -> Any:
        answer = llm.complete([{"role": "user", "content": text}]).text
        try:
            return contact.model_validate_json(answer)
        except ValueError:
            return None

    feedback = str(check.q2.evaluate(contact, no_repair))
    assert "✓ one call when the first answer is valid" in feedback
    assert "✗ repairs broken JSON" in feedback


def test_does_the_scripted_extractor_break_first_then_answer() -> None:
    """Does the fake extractor return invalid JSON first and the true fields next?"""
    llm = check.extractor(broken_first=1)
    text = next(iter(check.EXAMPLES))
    first = llm.complete([{"role": "user", "content": text}]).text
    second = llm.complete([{"role": "user", "content": text}]).text
    with pytest.raises(json.JSONDecodeError):
        json.loads(first)
    assert tuple(json.loads(second).values()) == check.EXAMPLES[text]
    assert isinstance(llm, FakeChatModel)


def test_does_a_string_sorted_registry_fail_the_semver_case(master: dict[str, Any]) -> None:
    """Does picking the latest version by string order fail with the semver hint?"""
    registry_class = master["PromptRegistry"]

    class StringSorted(registry_class):  # type: ignore[misc, valid-type]
        def render(self, name: str, version: str | None = None, **values: str) -> str:
            chosen = version or max(self.prompts[name])
            return str(self.prompts[name][chosen][0].format(**values))

    feedback = str(check.q3.evaluate(StringSorted, master["golden_failures"]))
    assert "✗ render picks the latest version by semantic version" in feedback
