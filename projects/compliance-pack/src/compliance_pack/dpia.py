"""A DPIA-lite: rule-based findings about a system, with the articles they come from.

Not legal advice: the rules flag what a data protection officer should look at first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compliance_pack.dfd import data_flow_diagram
from compliance_pack.system import ADEQUATE, System

Severity = Literal["high", "medium", "low"]
ANNEX_III_AREAS = frozenset(
    {
        "biometrics",
        "critical_infrastructure",
        "education",
        "employment",
        "essential_services",
        "credit_scoring",
        "law_enforcement",
        "migration",
        "justice",
    }
)
"""The high-risk areas of the EU AI Act's Annex III (names shortened)."""


@dataclass(frozen=True)
class Finding:
    """One risk the DPIA found: how bad, which rule, what to do."""

    severity: Severity
    article: str
    issue: str
    measure: str


def dpia_criteria(system: System) -> list[str]:
    """Return the EDPB (WP248 rev.01) criteria the system meets; two or more call for a DPIA."""
    ai = system.ai
    met = {
        "evaluation or scoring (profiling)": ai.profiling,
        "automated decision with legal or similar effect": ai.automated_decisions_with_legal_effect,
        "systematic monitoring": ai.systematic_monitoring,
        "sensitive (special-category) data": bool(system.special_categories()),
        "data processed on a large scale": ai.large_scale,
        "vulnerable data subjects": ai.vulnerable_subjects,
        "innovative technology (AI)": True,
    }
    return [criterion for criterion, holds in met.items() if holds]


def ai_act_tier(system: System) -> str:
    """Return the system's EU AI Act risk tier: ``high``, ``limited`` or ``minimal``.

    Prohibited practices (Art. 5) are not described by the YAML schema, so never returned.
    """
    ai = system.ai
    if ai.annex_iii_area in ANNEX_III_AREAS:
        return "high"
    if ai.interacts_with_people or ai.generates_synthetic_content:
        return "limited"
    return "minimal"


def findings(system: System) -> list[Finding]:
    """Return every finding, the most severe first."""
    found: list[Finding] = []
    special = system.special_categories()
    if special and not system.art9_condition:
        found.append(
            Finding(
                "high",
                "GDPR Art. 9(2)",
                f"special-category data {sorted(special)} has no Art. 9 condition",
                "name the Art. 9(2) condition (e.g. explicit consent) in art9_condition, or stop "
                "collecting it",
            )
        )
    for flow in system.flows:
        source, target = system.component(flow.source), system.component(flow.target)
        if target.kind == "external" and special & set(flow.data) and not source.redacts_pii:
            found.append(
                Finding(
                    "high",
                    "GDPR Art. 5(1)(c), 25",
                    f"special-category data flows to third party {target.name!r} unredacted",
                    "route the flow through a redaction component",
                )
            )
        if not flow.encrypted and source.zone != target.zone:
            found.append(
                Finding(
                    "medium",
                    "GDPR Art. 32",
                    f"flow {source.name} -> {target.name} crosses a trust boundary unencrypted",
                    "use TLS (mTLS inside the cluster)",
                )
            )
    for component in system.components:
        if component.country not in ADEQUATE and component.id not in system.safeguards:
            found.append(
                Finding(
                    "high",
                    "GDPR Art. 44-46; nFADP Art. 16",
                    f"{component.name!r} in {component.country} has no transfer mechanism",
                    "add standard contractual "
                    "clauses (or DPF certification) to safeguards, or host in an adequate country",
                )
            )
        if component.processor:
            found.append(
                Finding(
                    "low",
                    "GDPR Art. 28; nFADP Art. 9",
                    f"{component.name!r} is a processor",
                    "sign a data processing agreement",
                )
            )
        if component.kind == "store":
            if component.retention_days is None:
                found.append(
                    Finding(
                        "medium",
                        "GDPR Art. 5(1)(e)",
                        f"store {component.name!r} has no retention period",
                        "set retention_days and run a deletion job",
                    )
                )
            if not component.encrypted_at_rest:
                found.append(
                    Finding(
                        "medium",
                        "GDPR Art. 32",
                        f"store {component.name!r} is not encrypted at rest",
                        "encrypt with a KMS key",
                    )
                )
    if system.ai.automated_decisions_with_legal_effect:
        found.append(
            Finding(
                "high",
                "GDPR Art. 22; nFADP Art. 21",
                "automated decisions with legal effect",
                "offer human review, explain the logic, let people contest the decision",
            )
        )
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda finding: order[finding.severity])


def dpia_markdown(system: System) -> str:
    """Return the DPIA-lite as a Markdown document, diagram included."""
    criteria = dpia_criteria(system)
    required = len(criteria) >= 2
    rows = "\n".join(
        f"| {f.severity} | {f.article} | {f.issue} | {f.measure} |" for f in findings(system)
    )
    retention = "\n".join(
        f"| {c.name} | {c.retention_days or 'not set'} | {'yes' if c.encrypted_at_rest else 'no'} |"
        for c in system.components
        if c.kind == "store"
    )
    categories = ", ".join(
        f"{c.name}{' (special, Art. 9)' if c.special else ''}" for c in system.data_categories
    )
    return f"""# DPIA-lite: {system.name}

> Generated from the system description. Not legal advice: a starting point for your DPO.

## 1. Description (GDPR Art. 35(7)(a))

- **Controller:** {system.controller}
- **Purpose:** {system.purpose}
- **Lawful basis (Art. 6):** {system.lawful_basis}
- **Data subjects:** {", ".join(system.data_subjects)}
- **Data categories:** {categories}

## 2. Is a DPIA required?

EDPB criteria met ({len(criteria)}): {"; ".join(criteria)}.
**{"Yes" if required else "Not by the two-criteria rule"}** (GDPR Art. 35(1); nFADP Art. 22).

## 3. Data-flow diagram

```mermaid
{data_flow_diagram(system)}```

## 4. Retention and storage (Art. 5(1)(e), Art. 32)

| store | retention (days) | encrypted at rest |
|---|---|---|
{retention}

## 5. Risks and measures (Art. 35(7)(c)-(d))

| severity | rule | issue | measure |
|---|---|---|---|
{rows}

## 6. EU AI Act

Risk tier: **{ai_act_tier(system)}**.
"""
