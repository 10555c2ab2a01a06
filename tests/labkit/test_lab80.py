"""Tests for the lab80 checks: PII redaction."""

from __future__ import annotations

from labkit.checks import lab80


def test_does_the_labelled_set_hold_valid_checksums_and_decoys() -> None:
    data = lab80.labelled_set(1, 10)
    assert len(data) == 14
    assert sum(1 for _, spans in data if not spans) == 4
    text, spans = data[4]
    start, end, entity = spans[0]
    assert entity == "CH_AHV"
    assert text[start:end].startswith("756.")


def test_does_a_redactor_that_does_nothing_fail_the_leak_case() -> None:
    feedback = lab80.q3.evaluate(lambda text: text, grading_only=False)
    assert not feedback.passed
    assert "no PII value in the output" in str(feedback)


def test_does_a_finder_that_finds_nothing_score_zero_recall() -> None:
    data = lab80.labelled_set(2, 5)
    assert lab80.precision_recall(lambda text: [], data) == (0.0, 0.0)


def test_does_a_wrong_ahv_validator_get_a_hint() -> None:
    feedback = lab80.q1.evaluate(lambda text: True, grading_only=False)
    assert "hint: digits[:3] must be 756" in str(feedback)
