"""The YAML description of an AI system: components, data flows, data categories, AI use."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ComponentKind = Literal["actor", "service", "store", "external"]

EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    }
)
"""EU member states plus Iceland, Liechtenstein and Norway: no transfer mechanism is needed."""

ADEQUATE = EEA | frozenset({"CH", "GB", "JP", "KR", "CA", "NZ", "IL", "AR", "UY", "AD", "FO"})
"""Countries with an EU adequacy decision (GDPR Art. 45), a subset kept short on purpose.

The US is left out: its adequacy (the Data Privacy Framework) covers only certified companies,
so a transfer there must name its mechanism in ``safeguards``.
"""


class SystemDescriptionError(ValueError):
    """The system description is invalid; the message says which field and how to fix it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataCategory(_Strict):
    """A kind of personal data, e.g. contact details; ``special`` marks GDPR Art. 9 data."""

    name: str
    special: bool = False


class Component(_Strict):
    """A box in the data-flow diagram: a person, a service, a data store or a third party."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: ComponentKind
    zone: str = "app"
    country: str = "CH"
    retention_days: int | None = Field(default=None, ge=1)
    encrypted_at_rest: bool = False
    processor: bool = False
    redacts_pii: bool = False


class Flow(_Strict):
    """Personal data moving from one component to another."""

    source: str
    target: str
    data: list[str]
    encrypted: bool = True


class AiUse(_Strict):
    """How the system uses AI: the facts the EU AI Act and the DPIA criteria depend on."""

    annex_iii_area: str | None = None
    interacts_with_people: bool = False
    generates_synthetic_content: bool = False
    profiling: bool = False
    automated_decisions_with_legal_effect: bool = False
    large_scale: bool = False
    systematic_monitoring: bool = False
    vulnerable_subjects: bool = False


class System(_Strict):
    """A whole system, as the YAML file describes it."""

    name: str
    controller: str
    purpose: str
    lawful_basis: Literal[
        "consent",
        "contract",
        "legal_obligation",
        "vital_interests",
        "public_task",
        "legitimate_interests",
    ]
    art9_condition: str | None = None
    data_subjects: list[str]
    data_categories: list[DataCategory]
    components: list[Component]
    flows: list[Flow]
    safeguards: dict[str, str] = Field(default_factory=dict)
    ai: AiUse = Field(default_factory=AiUse)

    @model_validator(mode="after")
    def _references_exist(self) -> System:
        ids = {component.id for component in self.components}
        categories = {category.name for category in self.data_categories}
        if len(ids) != len(self.components):
            raise ValueError("component ids must be unique")
        for flow in self.flows:
            for end in (flow.source, flow.target):
                if end not in ids:
                    raise ValueError(
                        f"flow {flow.source}->{flow.target}: unknown component {end!r}"
                    )
            unknown = sorted(set(flow.data) - categories)
            if unknown:
                raise ValueError(
                    f"flow {flow.source}->{flow.target}: data {unknown} is not in data_categories"
                )
        for component_id in self.safeguards:
            if component_id not in ids:
                raise ValueError(f"safeguards: unknown component {component_id!r}")
        return self

    def component(self, component_id: str) -> Component:
        """Return the component with this id."""
        return next(c for c in self.components if c.id == component_id)

    def special_categories(self) -> set[str]:
        """Return the names of the special-category (Art. 9) data this system handles."""
        return {category.name for category in self.data_categories if category.special}


def load_system(source: str | Path) -> System:
    """Load and validate a system description from a YAML file path or YAML text.

    Raises:
        SystemDescriptionError: With every problem found, each prefixed by where it is.

    """
    text = Path(source).read_text() if isinstance(source, Path) else source
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SystemDescriptionError(f"not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise SystemDescriptionError(
            "the system description must be a YAML mapping (name: ..., flows: ...)"
        )
    try:
        return System.model_validate(raw)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or '<root>'}: {item['msg']}"
            for item in error.errors()
        ]
        raise SystemDescriptionError(
            "invalid system description:\n  " + "\n  ".join(problems)
        ) from None
