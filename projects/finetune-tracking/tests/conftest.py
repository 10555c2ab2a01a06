"""Fixtures: a tiny random BERT saved like a real encoder folder, and a tiny tickets CSV."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import torch

WORDS = [
    "refund",
    "invoice",
    "charge",
    "parcel",
    "delivery",
    "late",
    "login",
    "password",
    "crash",
    "error",
    "feature",
    "please",
    "add",
    "the",
    "my",
    "is",
]
TOPICS = {
    "billing": ["refund", "invoice", "charge"],
    "shipping": ["parcel", "delivery", "late"],
    "account": ["login", "password"],
}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Save a 2-layer, 32-wide BERT and its 21-token tokenizer (the transformers 5 API)."""
    from transformers import BertConfig, BertModel, BertTokenizerFast  # type: ignore[attr-defined]

    folder = tmp_path_factory.mktemp("tiny-bert")
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    BertTokenizerFast(vocab={token: index for index, token in enumerate(tokens)}).save_pretrained(
        folder
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS) + 5,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tickets_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write 60 tickets whose topic word gives their category away."""
    rng = random.Random(0)  # noqa: S311
    path = tmp_path_factory.mktemp("data") / "tickets.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "category"])
        for index in range(60):
            category = list(TOPICS)[index % 3]
            writer.writerow([f"please {rng.choice(TOPICS[category])} the my", category])
    return path
