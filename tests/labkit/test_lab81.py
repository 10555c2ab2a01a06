"""Tests for the lab81 checks: AI Act and GDPR classification."""

from __future__ import annotations

from typing import Any

from labkit.checks import lab81


def test_does_answering_minimal_everywhere_fail_the_prohibited_case() -> None:
    feedback = lab81.q1.evaluate(lambda case: "minimal", grading_only=False)
    assert "social scoring by a public authority is prohibited (Art. 5(1)(c))" in str(feedback)
    assert not feedback.passed


def test_does_only_the_base_set_pass_just_the_base_case() -> None:
    def base(case: dict[str, Any]) -> set[str]:
        return set(lab81.BASE)

    feedback = lab81.q2.evaluate(base, grading_only=True)
    assert [r.passed for r in feedback.results].count(True) == 3
