"""Tests for the lab72 checks: an eval-suite runner, CI gates and A/B test sizing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labkit.checks import lab72


def test_does_the_good_test_double_pass_every_golden_case() -> None:
    model = lab72.scripted_model("good")
    cases = lab72.golden_cases()
    assert all(lab72.reference_passed(case, model(case["input"])["answer"]) for case in cases)


def test_does_the_regressed_test_double_fail_some_json_cases_only() -> None:
    model = lab72.scripted_model("regressed")
    failed = [
        case
        for case in lab72.golden_cases()
        if not lab72.reference_passed(case, model(case["input"])["answer"])
    ]
    assert [case["id"] for case in failed] == ["c0", "c4", "c8"]
    assert {case["format"] for case in failed} == {"json"}


def test_is_an_unknown_test_double_variant_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'good' or 'regressed'"):
        lab72.scripted_model("best")


def test_does_a_json_answer_that_is_a_list_fail_the_json_rule() -> None:
    case = {"id": "x", "input": "", "expected": "Paris", "format": "json"}
    assert not lab72.reference_passed(case, json.dumps(["Paris"]))
    assert lab72.reference_passed(case, json.dumps({"city": "paris"}))


def test_does_a_runner_that_ignores_the_format_get_a_hint() -> None:
    def lenient(model_fn: Any, cases: list[dict[str, str]], price: dict[str, float]) -> Any:
        if not cases or any(case["format"] not in ("json", "text") for case in cases):
            raise ValueError("bad cases")
        rows = []
        for case in cases:
            out = model_fn(case["input"])
            rows.append(
                {
                    "id": case["id"],
                    "passed": case["expected"].lower() in out["answer"].lower(),
                    "cost_usd": 0.0,
                    "latency_s": out["latency_s"],
                }
            )
        return rows

    feedback = lab72.q1.evaluate(lenient, grading_only=False)
    assert not feedback.passed
    assert "hint: json.loads(answer)" in str(feedback)


def test_does_a_gate_using_the_max_instead_of_p95_fail() -> None:
    def max_gate(results: list[dict[str, Any]], thresholds: dict[str, float]) -> dict[str, Any]:
        latencies = [r["latency_s"] for r in results]
        return {
            "passed": True,
            "quality": sum(r["passed"] for r in results) / len(results),
            "mean_cost_usd": sum(r["cost_usd"] for r in results) / len(results),
            "p95_latency_s": max(latencies),
            "reasons": [],
        }

    feedback = lab72.q2.evaluate(max_gate, grading_only=False)
    assert "✗ computes quality, mean cost and p95 latency like numpy" in str(feedback)
    assert "✗ blocks the regressed prompt" in str(feedback)


def test_does_a_decision_that_peeks_fail_the_no_peeking_case() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    def peeking(conv_a: int, n_a: int, conv_b: int, n_b: int, planned_n: int) -> str:
        _, p_value = proportions_ztest([conv_b, conv_a], [n_b, n_a])
        if p_value >= 0.05:
            return "no difference"
        return "B better" if conv_b / n_b > conv_a / n_a else "B worse"

    feedback = lab72.q3.evaluate(lambda p, e: 1, peeking, grading_only=False)
    assert "✗ ab_decision says 'continue' before the planned sample size" in str(feedback)
    assert "hint: check min(n_a, n_b) < planned_n first" in str(feedback)
