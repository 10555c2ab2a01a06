"""Load labelled tickets from a CSV and split them, stratified and seeded."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TicketSplit:
    """Train and test texts with integer labels; ``label_names[i]`` names label ``i``."""

    train_texts: list[str]
    train_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]
    label_names: list[str]


def default_data_path() -> Path:
    """Find the course's ``data/support_tickets.csv`` above this file, if it is there."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "data" / "support_tickets.csv"
        if candidate.is_file():
            return candidate
    return Path("data/support_tickets.csv")


def load_tickets(
    path: Path,
    *,
    text_column: str = "text",
    label_column: str = "category",
    limit: int | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> TicketSplit:
    """Read ``path`` and split it per label, so train and test keep the label mix.

    Args:
        path: A CSV file with a header row.
        text_column: The column holding the text to classify.
        label_column: The column holding the label.
        limit: Keep a seeded sample of at most this many rows (smoke runs).
        test_fraction: The share of each label held out for testing.
        seed: Seeds the sample and the split.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A column is missing, or too few rows are left to split.

    """
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; pass --data PATH to a CSV of tickets.")
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = {text_column, label_column} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(
                f"{path} has no column(s) {sorted(missing)}; it has {reader.fieldnames}."
            )
        rows = [(row[text_column], row[label_column]) for row in reader]
    rng = random.Random(seed)  # noqa: S311  # a seeded split, not security
    if limit is not None and limit < len(rows):
        rows = rng.sample(rows, limit)
    label_names = sorted({label for _, label in rows})
    if len(rows) < 2 * len(label_names):
        raise ValueError(f"{len(rows)} rows are too few to split {len(label_names)} labels.")
    train: list[tuple[str, int]] = []
    test: list[tuple[str, int]] = []
    for index, name in enumerate(label_names):
        texts = [text for text, label in rows if label == name]
        rng.shuffle(texts)
        n_test = max(1, round(len(texts) * test_fraction))
        test += [(text, index) for text in texts[:n_test]]
        train += [(text, index) for text in texts[n_test:]]
    rng.shuffle(train)
    return TicketSplit(
        train_texts=[text for text, _ in train],
        train_labels=[label for _, label in train],
        test_texts=[text for text, _ in test],
        test_labels=[label for _, label in test],
        label_names=label_names,
    )
