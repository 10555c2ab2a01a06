"""Does the split keep the label mix, repeat itself for a seed, and refuse bad input clearly?"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from finetune_tracking.data import load_tickets


def test_does_the_split_keep_every_label_in_train_and_test(tickets_csv: Path) -> None:
    split = load_tickets(tickets_csv, test_fraction=0.25)
    assert split.label_names == ["account", "billing", "shipping"]
    assert Counter(split.test_labels) == {0: 5, 1: 5, 2: 5}
    assert len(split.train_texts) == len(split.train_labels) == 45


def test_does_the_same_seed_give_the_same_split(tickets_csv: Path) -> None:
    assert load_tickets(tickets_csv, seed=3) == load_tickets(tickets_csv, seed=3)
    assert load_tickets(tickets_csv, seed=3) != load_tickets(tickets_csv, seed=4)


def test_does_limit_sample_the_rows(tickets_csv: Path) -> None:
    split = load_tickets(tickets_csv, limit=30)
    assert len(split.train_texts) + len(split.test_texts) == 30


def test_does_a_missing_file_say_which_flag_to_pass(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--data"):
        load_tickets(tmp_path / "nope.csv")


def test_does_a_missing_column_name_the_columns_there(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("body,label\nhello,a\n")
    with pytest.raises(ValueError, match=r"no column\(s\) \['category', 'text'\]"):
        load_tickets(path)
