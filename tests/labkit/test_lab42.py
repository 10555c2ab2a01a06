"""Tests for lab42's checks: the master's defences pass, weak defences fail."""

from __future__ import annotations

from typing import Any

import pytest
from test_lab40 import master_namespace

from labkit.checks import GRADING_ENV
from labkit.checks import lab42 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@pytest.fixture(scope="module")
def master() -> dict[str, Any]:
    return master_namespace("lab42-injection-defence.ipynb")


def test_does_the_master_pass_every_case_grading_included(master: dict[str, Any]) -> None:
    """Do the master's defences pass all five questions, grading-only cases included?"""
    assert check.q1.evaluate(master["input_gate"], grading_only=True).passed
    assert check.q2.evaluate(master["sanitize_document"], grading_only=True).passed
    assert check.q3.evaluate(master["output_gate"], grading_only=True).passed
    assert check.q4.evaluate(master["authorize_tool_call"], grading_only=True).passed
    assert check.q5.evaluate(master["defended_answer"], grading_only=True).passed


def test_does_a_single_word_blocklist_refuse_honest_users() -> None:
    """Does blocking every text with 'ignore' or 'password' fail the benign case?"""

    def by_word(text: str) -> str | None:
        return "blocked" if {"ignore", "password"} & set(text.lower().split()) else None

    feedback = str(check.q1.evaluate(by_word))
    assert "✗ refuses none of the benign questions" in feedback
    assert "hint: match phrases, not single words" in feedback


def test_is_the_obedient_model_really_vulnerable() -> None:
    """Does the test double leak the canary on an injection, and answer facts otherwise?"""
    llm = check.obedient_model()
    leaked = llm.complete([{"role": "user", "content": check.DIRECT_ATTACKS[0]}]).text
    honest = llm.complete([{"role": "user", "content": f"{check.POLICY}\nHow long?"}]).text
    assert check.CANARY in leaked
    assert "5 business days" in honest


def test_does_an_undefended_pipeline_fail_the_battery() -> None:
    """Does passing documents and question straight to the model fail q5's attack battery?"""

    def undefended(llm: Any, question: str, docs: list[str]) -> str:
        context = "\n".join(docs)
        return str(llm.complete([{"role": "user", "content": f"{context}\n{question}"}]).text)

    feedback = str(check.q5.evaluate(undefended))
    assert "✗ blocks every direct and indirect attack" in feedback
    assert "✓ answers every benign question with its fact" in feedback
