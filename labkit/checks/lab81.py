"""Checks for lab81: classify AI use cases under the EU AI Act and pick GDPR obligations.

Teaching simplifications of the law, not legal advice; each case's name cites the article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, expect_equal

lab = Lab("lab81")
q1 = lab.question("q1", "ai_act_tier")
q2 = lab.question("q2", "gdpr_obligations")
summary = lab.summary

_AI_DEFAULTS: dict[str, Any] = {
    "practice": None,
    "annex_iii_area": None,
    "narrow_procedural_task": False,
    "profiling": False,
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_recognition": False,
}

AI_CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # (why, facts, expected tier, grading only)
    (
        "social scoring by a public authority is prohibited (Art. 5(1)(c))",
        {"practice": "social_scoring"},
        "prohibited",
        False,
    ),
    (
        "emotion recognition of employees at work is prohibited (Art. 5(1)(f))",
        {"practice": "emotion_recognition_workplace", "emotion_recognition": True},
        "prohibited",
        False,
    ),
    (
        "CV screening for hiring is high-risk (Annex III point 4(a))",
        {"annex_iii_area": "employment", "profiling": True},
        "high",
        False,
    ),
    (
        "credit scoring of people is high-risk (Annex III point 5(b))",
        {"annex_iii_area": "credit_scoring", "profiling": True, "interacts_with_people": True},
        "high",
        False,
    ),
    (
        "a narrow procedural Annex III task without profiling is not high-risk (Art. 6(3))",
        {"annex_iii_area": "education", "narrow_procedural_task": True},
        "minimal",
        False,
    ),
    (
        "an Annex III system that profiles people is always high-risk (Art. 6(3))",
        {"annex_iii_area": "employment", "narrow_procedural_task": True, "profiling": True},
        "high",
        False,
    ),
    (
        "a customer-service chatbot has transparency duties (Art. 50(1))",
        {"interacts_with_people": True},
        "limited",
        False,
    ),
    (
        "an image generator must mark its output (Art. 50(2))",
        {"generates_synthetic_content": True},
        "limited",
        False,
    ),
    ("a spam filter is minimal risk (no specific obligations)", {}, "minimal", False),
    (
        "untargeted scraping of faces for a database is prohibited (Art. 5(1)(e))",
        {"practice": "untargeted_face_scraping", "interacts_with_people": True},
        "prohibited",
        True,
    ),
    (
        "exam proctoring that evaluates students is high-risk (Annex III point 3)",
        {"annex_iii_area": "education", "profiling": True},
        "high",
        True,
    ),
    (
        "emotion recognition outside work/school is limited risk (Art. 50(3))",
        {"emotion_recognition": True},
        "limited",
        True,
    ),
]

_GDPR_DEFAULTS: dict[str, Any] = {
    "special_category": False,
    "large_scale": False,
    "systematic_monitoring": False,
    "profiling": False,
    "automated_decision_legal_effect": False,
    "vulnerable_subjects": False,
    "innovative_technology": False,
    "uses_processor": False,
    "transfer_country": None,
}
BASE = {"lawful_basis", "transparency", "records"}

GDPR_CASES: list[tuple[str, dict[str, Any], set[str], bool]] = [
    (
        "any processing needs a lawful basis (Art. 6), notice (Art. 13-14) and records (Art. 30)",
        {},
        set(),
        False,
    ),
    (
        "health data needs an Art. 9(2) condition",
        {"special_category": True},
        {"art9_condition"},
        False,
    ),
    (
        "a hosted LLM API is a processor: sign a DPA (Art. 28)",
        {"uses_processor": True},
        {"dpa_contract"},
        False,
    ),
    (
        "a transfer to the US needs a mechanism (Art. 44-46); Switzerland is adequate",
        {"uses_processor": True, "transfer_country": "US"},
        {"dpa_contract", "transfer_safeguards"},
        False,
    ),
    (
        "no transfer mechanism is needed for Switzerland (adequacy, Art. 45)",
        {"transfer_country": "CH"},
        set(),
        False,
    ),
    (
        "automated loan refusals: Art. 22 safeguards, and two criteria call for a DPIA (Art. 35)",
        {"automated_decision_legal_effect": True, "profiling": True},
        {"art22_safeguards", "dpia"},
        False,
    ),
    (
        "large-scale health data: a DPIA (Art. 35(3)(b)) and a DPO (Art. 37(1)(c))",
        {"special_category": True, "large_scale": True},
        {"art9_condition", "dpia", "dpo"},
        False,
    ),
    (
        "one criterion alone (innovative AI) does not call for a DPIA",
        {"innovative_technology": True},
        set(),
        False,
    ),
    (
        "large-scale systematic monitoring: DPIA and DPO (Art. 35(3)(c), 37(1)(b))",
        {"systematic_monitoring": True, "large_scale": True},
        {"dpia", "dpo"},
        True,
    ),
    (
        "children's data with a new AI tool: two criteria, a DPIA",
        {"vulnerable_subjects": True, "innovative_technology": True},
        {"dpia"},
        True,
    ),
]


def _register_ai(why: str, facts: dict[str, Any], tier: str, hidden: bool) -> None:
    @q1.case(
        why, grading_only=hidden, hint="check Art. 5, then Annex III with Art. 6(3), then Art. 50"
    )
    def _case(ai_act_tier: Callable[[dict[str, Any]], str]) -> None:
        case = {**_AI_DEFAULTS, **facts}
        expect_equal(ai_act_tier(case), tier, f"ai_act_tier({facts})")


def _register_gdpr(why: str, facts: dict[str, Any], extra: set[str], hidden: bool) -> None:
    @q2.case(why, grading_only=hidden, hint="count the DPIA criteria; two or more call for one")
    def _case(gdpr_obligations: Callable[[dict[str, Any]], set[str]]) -> None:
        case = {**_GDPR_DEFAULTS, **facts}
        got = gdpr_obligations(case)
        expected = BASE | extra
        expect_equal(
            sorted(got) if isinstance(got, set) else got,
            sorted(expected),
            f"gdpr_obligations({facts})",
        )


for _why, _facts, _tier, _hidden in AI_CASES:
    _register_ai(_why, _facts, _tier, _hidden)
for _why, _facts, _extra, _hidden in GDPR_CASES:
    _register_gdpr(_why, _facts, _extra, _hidden)
