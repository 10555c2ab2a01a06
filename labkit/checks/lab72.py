"""Checks for lab72, an LLM CI gate: an eval-suite runner, quality/cost/latency gates, A/B size."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab72")
q1 = lab.question("q1", "run_eval_suite")
q2 = lab.question("q2", "gate_report")
q3 = lab.question("q3", "ab_sample_size, ab_decision", time_limit=20.0)
summary = lab.summary

PRICE = {"input_per_mtok": 0.15, "output_per_mtok": 0.60}
"""Dollars per million tokens (gpt-4o-mini's list price), the price every case is costed at."""

THRESHOLDS = {"min_quality": 0.8, "max_cost_usd": 0.00005, "max_p95_latency_s": 1.5}
"""The gates the lab's CI step enforces: quality at least, mean cost and p95 latency at most."""

_CITIES = ["Paris", "Tokyo", "Berlin", "Lima", "Oslo", "Cairo", "Quito", "Seoul", "Dakar", "Riga"]


def golden_cases() -> list[dict[str, str]]:
    """Return the lab's golden set: extract the city as JSON, or answer it in plain text."""
    cases = []
    for index, city in enumerate(_CITIES):
        kind = "json" if index % 2 == 0 else "text"
        ask = 'Reply with {"city": ...}.' if kind == "json" else "Reply with the city's name."
        text = f"Case {index}: I moved to {city} last year. {ask}"
        cases.append({"id": f"c{index}", "input": text, "expected": city, "format": kind})
    return cases


def scripted_model(variant: str) -> Callable[[str], dict[str, Any]]:
    """Return a test double of an LLM behind a prompt: ``good`` or ``regressed``.

    It is deterministic: the answer, token counts and latency depend only on the input. The
    good prompt answers every case right, briefly; the regressed prompt rambles, breaks the
    JSON format on three of the five JSON cases, and is slower and dearer.
    """
    if variant not in ("good", "regressed"):
        raise ValueError(f"variant must be 'good' or 'regressed', got {variant!r}")

    def model_fn(text: str) -> dict[str, Any]:
        index = int(text.split(":", 1)[0].removeprefix("Case "))
        city = _CITIES[index]
        wants_json = index % 2 == 0
        if variant == "good":
            answer = json.dumps({"city": city}) if wants_json else city
            return {"answer": answer, "input_tokens": 60, "output_tokens": 8,
                    "latency_s": 0.4 + 0.05 * index}  # fmt: skip
        if index % 4 == 0:
            answer = f"Sure! The city is {city}, a lovely place."
        elif wants_json:
            answer = json.dumps({"city": city, "note": "a lovely place"})
        else:
            answer = city
        return {"answer": answer, "input_tokens": 140, "output_tokens": 90,
                "latency_s": 1.0 + 0.2 * index}  # fmt: skip

    return model_fn


def reference_passed(case: dict[str, str], answer: str) -> bool:
    """Apply Q1's rule: the keyword is in the answer; a ``json`` case parses to an object."""
    if case["expected"].lower() not in answer.lower():
        return False
    if case["format"] == "json":
        try:
            return isinstance(json.loads(answer), dict)
        except json.JSONDecodeError:
            return False
    return True


def _cost(input_tokens: int, output_tokens: int) -> float:
    input_usd = input_tokens * PRICE["input_per_mtok"]
    return (input_usd + output_tokens * PRICE["output_per_mtok"]) / 1e6


def _close(got: Any, expected: float, call: str, rel: float = 1e-9) -> None:
    ok = isinstance(got, int | float) and math.isclose(got, expected, rel_tol=rel, abs_tol=1e-12)
    expect(ok, f"{call} == {expected:.6g}", got)


def _raises_value_error(run: Callable[[], object], call: str) -> None:
    try:
        run()
    except ValueError:
        return
    except Exception as error:
        expect(False, f"{call} to raise ValueError", Text(type(error).__name__))
    expect(False, f"{call} to raise ValueError", Text("no error"))


@q1.case("returns one result per case, in order, with id/passed/cost_usd/latency_s")
def _shape(run_eval_suite: Callable[..., Any]) -> None:
    results = run_eval_suite(scripted_model("good"), golden_cases(), PRICE)
    expect(isinstance(results, list), "a list of dicts", results)
    expect_equal([r["id"] for r in results], [c["id"] for c in golden_cases()], "the ids")
    expect_equal(sorted(results[0]), ["cost_usd", "id", "latency_s", "passed"], "the keys")


@q1.case(
    "passes a json case only when the answer parses to a JSON object with the keyword",
    hint="json.loads(answer) inside try/except json.JSONDecodeError; check isinstance(dict)",
)
def _passed(run_eval_suite: Callable[..., Any]) -> None:
    results = run_eval_suite(scripted_model("regressed"), golden_cases(), PRICE)
    model = scripted_model("regressed")
    expected = [reference_passed(c, model(c["input"])["answer"]) for c in golden_cases()]
    expect_equal([r["passed"] for r in results], expected, "passed for the regressed prompt")


@q1.case(
    "compares the keyword case-insensitively", hint="compare expected.lower() in answer.lower()"
)
def _case_insensitive(run_eval_suite: Callable[..., Any]) -> None:
    case = {"id": "x", "input": "Case 1: x", "expected": "TOKYO", "format": "text"}
    results = run_eval_suite(scripted_model("good"), [case], PRICE)
    expect_equal(results[0]["passed"], True, "passed for expected 'TOKYO', answer 'Tokyo'")


@q1.case("costs each case at tokens x price per million, and keeps the latency")
def _cost_latency(run_eval_suite: Callable[..., Any]) -> None:
    results = run_eval_suite(scripted_model("regressed"), golden_cases()[:3], PRICE)
    _close(results[2]["cost_usd"], _cost(140, 90), "cost_usd of a 140 in / 90 out call")
    _close(results[2]["latency_s"], 1.4, "latency_s of case c2")


@q1.case("raises ValueError on no cases or an unknown format")
def _bad_input(run_eval_suite: Callable[..., Any]) -> None:
    good = scripted_model("good")
    _raises_value_error(lambda: run_eval_suite(good, [], PRICE), "run_eval_suite(model, [], ...)")
    bad = {**golden_cases()[0], "format": "yaml"}
    _raises_value_error(lambda: run_eval_suite(good, [bad], PRICE), "a case with format 'yaml'")


@q1.case("calls the model exactly once per case", grading_only=True)
def _once(run_eval_suite: Callable[..., Any]) -> None:
    calls: list[str] = []
    model = scripted_model("good")

    def counting(text: str) -> dict[str, Any]:
        calls.append(text)
        return model(text)

    run_eval_suite(counting, golden_cases(), PRICE)
    expect_equal(len(calls), len(golden_cases()), "the number of model calls")


def _results(
    passed: list[bool], costs: list[float], latencies: list[float]
) -> list[dict[str, Any]]:
    rows = zip(passed, costs, latencies, strict=True)
    return [
        {"id": f"c{i}", "passed": p, "cost_usd": c, "latency_s": t}
        for i, (p, c, t) in enumerate(rows)
    ]


def _report_for(variant: str) -> list[dict[str, Any]]:
    model = scripted_model(variant)
    rows = []
    for case in golden_cases():
        out = model(case["input"])
        rows.append({"id": case["id"], "passed": reference_passed(case, out["answer"]),
                     "cost_usd": _cost(out["input_tokens"], out["output_tokens"]),
                     "latency_s": out["latency_s"]})  # fmt: skip
    return rows


@q2.case("passes the good prompt with no reasons")
def _good(gate_report: Callable[..., Any]) -> None:
    report = gate_report(_report_for("good"), THRESHOLDS)
    expect_equal(report["passed"], True, "gate_report(<good prompt>)['passed']")
    expect_equal(report["reasons"], [], "gate_report(<good prompt>)['reasons']")


@q2.case(
    "blocks the regressed prompt, with one reason per failed gate",
    hint="start each reason with the gate's name: 'quality …', 'cost …', 'latency …'",
)
def _regressed(gate_report: Callable[..., Any]) -> None:
    report = gate_report(_report_for("regressed"), THRESHOLDS)
    expect_equal(report["passed"], False, "gate_report(<regressed prompt>)['passed']")
    gates = [reason.split()[0] for reason in report["reasons"]]
    expect_equal(gates, ["quality", "cost", "latency"], "the first word of each reason")


@q2.case(
    "computes quality, mean cost and p95 latency like numpy",
    hint="np.percentile(latencies, 95): linear interpolation, not the max or the 95th item",
)
def _metrics(gate_report: Callable[..., Any]) -> None:
    latencies = [0.1 * i for i in range(1, 21)]
    rows = _results([i % 4 != 0 for i in range(20)], [0.001 * i for i in range(20)], latencies)
    report = gate_report(rows, THRESHOLDS)
    _close(report["quality"], 0.75, "quality of 15 passes in 20")
    _close(report["mean_cost_usd"], 0.0095, "mean_cost_usd")
    _close(report["p95_latency_s"], float(np.percentile(latencies, 95)), "p95 of 0.1 … 2.0 s")


@q2.case("a value exactly at a threshold passes", hint="quality >= min, cost and p95 <= max")
def _boundary(gate_report: Callable[..., Any]) -> None:
    rows = _results([True, True, True, False], [0.5] * 4, [1.5] * 4)
    limits = {"min_quality": 0.75, "max_cost_usd": 0.5, "max_p95_latency_s": 1.5}
    report = gate_report(rows, limits)
    expect_equal(report["reasons"], [], "reasons with quality, cost and p95 at the limits")


@q2.case("raises ValueError on no results or a missing threshold")
def _q2_bad(gate_report: Callable[..., Any]) -> None:
    _raises_value_error(lambda: gate_report([], THRESHOLDS), "gate_report([], ...)")
    partial = {"min_quality": 0.8}
    _raises_value_error(lambda: gate_report(_report_for("good"), partial), "missing thresholds")


@q2.case("p95 matches numpy on random latencies", grading_only=True)
def _random_p95(gate_report: Callable[..., Any]) -> None:
    rng = random.Random(72)
    for size in (1, 2, 7, 33, 101):
        latencies = [rng.uniform(0.05, 4.0) for _ in range(size)]
        report = gate_report(_results([True] * size, [0.0] * size, latencies), THRESHOLDS)
        expected = float(np.percentile(latencies, 95))
        _close(report["p95_latency_s"], expected, f"p95 of {size} random latencies", 1e-9)


def _reference_n(baseline: float, effect: float, alpha: float = 0.05, power: float = 0.8) -> int:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    size = proportion_effectsize(baseline + effect, baseline)
    n = NormalIndPower().solve_power(effect_size=size, alpha=alpha, power=power)
    return math.ceil(float(n))


def _near(got: Any, expected: int, call: str) -> None:
    ok = isinstance(got, int) and abs(got - expected) <= 0.02 * expected
    expect(ok, f"{call} to be an int within 2% of statsmodels' {expected:,}", got)


@q3.case(
    "ab_sample_size matches statsmodels for a 10% baseline and +2 points",
    hint="NormalIndPower().solve_power(effect_size=proportion_effectsize(p + mde, p), ...)",
)
def _size(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    _near(ab_sample_size(0.10, 0.02), _reference_n(0.10, 0.02), "ab_sample_size(0.10, 0.02)")
    got = ab_sample_size(0.10, 0.02, alpha=0.01, power=0.9)
    _near(got, _reference_n(0.10, 0.02, 0.01, 0.9), "ab_sample_size(0.10, 0.02, 0.01, 0.9)")


@q3.case("ab_sample_size raises ValueError on impossible rates or effects")
def _size_bad(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    _raises_value_error(lambda: ab_sample_size(1.2, 0.02), "ab_sample_size(1.2, 0.02)")
    _raises_value_error(lambda: ab_sample_size(0.10, 0.0), "ab_sample_size(0.10, 0.0)")
    _raises_value_error(lambda: ab_sample_size(0.95, 0.1), "ab_sample_size(0.95, 0.1)")


@q3.case(
    "ab_decision says 'continue' before the planned sample size, however small p is",
    hint="check min(n_a, n_b) < planned_n first: peeking inflates false positives",
)
def _no_peeking(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    got = ab_decision(10, 1_000, 60, 1_000, planned_n=2_000)
    expect_equal(got, "continue", "ab_decision(10, 1000, 60, 1000, planned_n=2000)")


@q3.case(
    "ab_decision concludes with a two-sided two-proportion z-test at the planned size",
    hint="statsmodels.stats.proportion.proportions_ztest([conv_b, conv_a], [n_b, n_a])",
)
def _decide(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    expect_equal(ab_decision(200, 2_000, 260, 2_000, planned_n=2_000), "B better", "+3 points")
    expect_equal(ab_decision(200, 2_000, 150, 2_000, planned_n=2_000), "B worse", "-2.5 points")
    expect_equal(ab_decision(200, 2_000, 215, 2_000, planned_n=2_000), "no difference", "+0.75")


@q3.case("ab_decision raises ValueError when conversions exceed visitors")
def _decide_bad(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    call = "ab_decision(300, 200, 10, 200, planned_n=100)"
    _raises_value_error(lambda: ab_decision(300, 200, 10, 200, planned_n=100), call)


@q3.case("ab_sample_size matches statsmodels over a grid of designs", grading_only=True)
def _grid(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    for baseline, effect in [(0.02, 0.005), (0.3, 0.05), (0.5, -0.1), (0.8, 0.05)]:
        expected = _reference_n(baseline, effect)
        _near(ab_sample_size(baseline, effect), expected, f"ab_sample_size({baseline}, {effect})")


@q3.case("ab_decision agrees with proportions_ztest on random outcomes", grading_only=True)
def _random_decisions(ab_sample_size: Callable[..., Any], ab_decision: Callable[..., Any]) -> None:
    from statsmodels.stats.proportion import proportions_ztest

    rng = random.Random(7)
    for _ in range(30):
        n_a, n_b = rng.randint(500, 3_000), rng.randint(500, 3_000)
        conv_a, conv_b = rng.randint(40, n_a // 5), rng.randint(40, n_b // 5)
        _, p_value = proportions_ztest([conv_b, conv_a], [n_b, n_a])
        lift = conv_b / n_b - conv_a / n_a
        expected = "no difference" if p_value >= 0.05 else ("B better" if lift > 0 else "B worse")
        got = ab_decision(conv_a, n_a, conv_b, n_b, planned_n=500)
        expect_equal(got, expected, f"ab_decision({conv_a}, {n_a}, {conv_b}, {n_b}, 500)")
