"""Tests for the lab82 checks: threat-model controls as attack tests."""

from __future__ import annotations

from labkit.checks import lab82


def test_does_a_verifier_that_accepts_everything_fail_the_spoofing_attacks() -> None:
    feedback = lab82.q1.evaluate(lambda body, headers, key, now: True, grading_only=True)
    failed = [r.case.name for r in feedback.results if not r.passed]
    assert failed[0].startswith("spoofing")
    assert len(failed) == 4


def test_does_the_genuine_signature_match_hmac_sha256() -> None:
    assert len(lab82.sign(b"x", "1")) == 64


def test_does_an_authoriser_that_allows_everything_fail_privilege_cases() -> None:
    feedback = lab82.q4.evaluate(lambda call, user: True, grading_only=False)
    assert sum(not r.passed for r in feedback.results) == 3
