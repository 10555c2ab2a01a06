from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from red_team_harness.battery import CATEGORIES, Attack, load_battery


def test_does_every_category_have_at_least_five_cases(battery: list[Attack]) -> None:
    counts = Counter(attack.category for attack in battery)
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 5, counts


def test_does_the_smoke_subset_cover_every_category(battery: list[Attack]) -> None:
    assert {a.category for a in battery if a.smoke} == set(CATEGORIES)


def test_does_jsonl_load_like_yaml(tmp_path: Path, battery: list[Attack]) -> None:
    path = tmp_path / "battery.jsonl"
    path.write_text("".join(json.dumps(a.model_dump(mode="json")) + "\n" for a in battery))
    assert load_battery(path) == battery


def test_does_a_malformed_case_name_its_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- id: ok-1\n  category: benign\n  prompt: hi\n- id: x\n  category: nope\n")
    with pytest.raises(ValueError, match=r"case #1 is malformed"):
        load_battery(path)


def test_are_duplicate_ids_rejected(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(
        "- {id: a, category: benign, prompt: hi}\n- {id: a, category: benign, prompt: yo}\n"
    )
    with pytest.raises(ValueError, match="duplicate attack ids"):
        load_battery(path)


def test_is_an_unknown_file_type_refused(tmp_path: Path) -> None:
    path = tmp_path / "battery.csv"
    path.write_text("id,category\n")
    with pytest.raises(ValueError, match=r"\.yaml, \.yml or \.jsonl"):
        load_battery(path)
