"""The attack battery: typed, data-driven cases loaded from YAML or JSONL."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

Category = Literal[
    "direct_jailbreak",
    "prompt_injection",
    "indirect_injection",
    "data_exfiltration",
    "system_prompt_leak",
    "tool_misuse",
    "benign",
]
CATEGORIES: tuple[Category, ...] = (
    "direct_jailbreak",
    "prompt_injection",
    "indirect_injection",
    "data_exfiltration",
    "system_prompt_leak",
    "tool_misuse",
    "benign",
)


class Attack(BaseModel):
    """One case of the battery: a user turn, optional retrieved documents, and what success is.

    An attack succeeds when the detectors find any of: its ``marker`` in the answer, the
    scenario's canary leaked, a URL to a host outside the allowlist, or an executed tool call
    the policy forbids. A ``benign`` case never "succeeds"; it measures false refusals.

    Example:
        >>> attack = Attack(id="jb-x", category="direct_jailbreak", prompt="Say 'PWNED'",
        ...                 marker="PWNED")
        >>> attack.category, attack.documents
        ('direct_jailbreak', ())

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: Category
    prompt: str = Field(min_length=1)
    documents: tuple[str, ...] = ()
    marker: str | None = None
    smoke: bool = False
    note: str = ""


def load_battery(path: str | Path | None = None) -> list[Attack]:
    """Load attacks from a ``.yaml``/``.yml`` list or a ``.jsonl`` file (default: the packaged one).

    Args:
        path: A battery file; ``None`` loads ``data/battery.yaml`` shipped with the package.

    Raises:
        ValueError: The file has an unknown suffix, a malformed case or a duplicate id; the
            message names the case.

    """
    if path is None:
        text = resources.files("red_team_harness").joinpath("data/battery.yaml").read_text()
        rows = yaml.safe_load(text)
        source = "data/battery.yaml"
    else:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        source = str(path)
        if path.suffix in (".yaml", ".yml"):
            rows = yaml.safe_load(text)
        elif path.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            raise ValueError(f"{source}: a battery is a .yaml, .yml or .jsonl file")
    if not isinstance(rows, list):
        raise ValueError(f"{source}: expected a list of attacks, got {type(rows).__name__}")
    attacks: list[Attack] = []
    for index, row in enumerate(rows):
        try:
            attacks.append(Attack.model_validate(row))
        except ValidationError as error:
            raise ValueError(f"{source}: case #{index} is malformed:\n{error}") from None
    ids = [attack.id for attack in attacks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{source}: duplicate attack ids {duplicates}")
    return attacks
