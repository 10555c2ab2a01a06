"""A sentence classifier: a transformer encoder, mean pooling and a linear head; LoRA or full."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch
from torch import nn

Mode = Literal["lora", "full"]


class TicketClassifier(nn.Module):
    """Mean-pool the encoder's token vectors (as MiniLM was trained to) and classify them."""

    def __init__(self, encoder: nn.Module, hidden_size: int, num_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Return one row of logits per text."""
        tokens = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        logits: torch.Tensor = self.head(self.dropout(pooled))
        return logits


def build_model(model_path: Path, num_labels: int, mode: Mode, *, lora_rank: int = 8) -> nn.Module:
    """Load the encoder from ``model_path`` and make it trainable the way ``mode`` says.

    ``full`` trains every weight. ``lora`` freezes the encoder and adds rank-``lora_rank``
    adapters to its attention's query and value projections; the head is trained in both.

    Raises:
        ValueError: ``mode`` is neither ``lora`` nor ``full``.

    """
    from transformers import AutoModel

    if mode not in ("lora", "full"):
        raise ValueError(f"mode must be 'lora' or 'full', got {mode!r}")
    encoder = AutoModel.from_pretrained(str(model_path), local_files_only=True, dtype=torch.float32)
    if mode == "lora":
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            lora_dropout=0.1,
            target_modules=["query", "value"],
        )
        encoder = get_peft_model(encoder, config)
    return TicketClassifier(encoder, encoder.config.hidden_size, num_labels)


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """Return ``(trainable, total)`` parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())
