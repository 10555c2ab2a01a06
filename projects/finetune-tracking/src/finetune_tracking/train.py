"""Train and evaluate one configuration; measure accuracy, time per epoch and peak memory."""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from finetune_tracking.data import TicketSplit
from finetune_tracking.model import Mode, build_model, count_parameters


@dataclass(frozen=True)
class TrainConfig:
    """One run's settings. ``learning_rate`` of None picks 1e-3 for LoRA and 1e-4 for full."""

    model_path: Path
    mode: Mode = "lora"
    device: str = "cpu"
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float | None = None
    max_length: int = 64
    seed: int = 0

    @property
    def lr(self) -> float:
        """The learning rate this run uses."""
        if self.learning_rate is not None:
            return self.learning_rate
        return 1e-3 if self.mode == "lora" else 1e-4


@dataclass
class RunResult:
    """What one run measured; ``to_dict()`` is the JSON line the CLI prints."""

    mode: str
    device: str
    device_name: str
    accuracy: float
    trainable_params: int
    total_params: int
    seconds_per_epoch: float
    peak_memory_mb: float
    memory_kind: str
    train_size: int
    test_size: int
    epochs: int
    losses: list[float] = field(default_factory=list)
    label_names: list[str] = field(default_factory=list)
    predictions: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return the figures as plain JSON-ready values, without the per-item lists."""
        figures = asdict(self)
        for name in ("losses", "predictions", "label_names"):
            figures.pop(name)
        figures["final_loss"] = self.losses[-1] if self.losses else None
        return figures


def resolve_device(wanted: str) -> str:
    """Turn ``auto`` into ``cuda`` or ``cpu``; refuse ``cuda`` on a machine without one.

    Raises:
        ValueError: ``wanted`` is unknown, or is ``cuda`` and no CUDA device is visible.

    """
    if wanted not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {wanted!r}")
    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if wanted == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device here.")
    return wanted


def device_name(device: str) -> str:
    """Name the device: the GPU's model, or the CPU with its thread count."""
    if device == "cuda":
        return torch.cuda.get_device_name(torch.cuda.current_device())
    return f"cpu ({torch.get_num_threads()} threads)"


def _peak_memory_mb(device: str) -> tuple[float, str]:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20, "torch.cuda.max_memory_allocated"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10), "process peak RSS"


def train_and_evaluate(config: TrainConfig, split: TicketSplit) -> RunResult:
    """Fine-tune the encoder on ``split``'s train texts and score it on its test texts.

    On CUDA the forward pass runs under bf16 autocast (no GradScaler needed: bf16 has
    float32's range); on the CPU it stays float32. The peak memory figure is
    ``torch.cuda.max_memory_allocated`` on CUDA, and the process's peak RSS on the CPU, so
    run one configuration per process to compare them.

    """
    from transformers import AutoTokenizer

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = config.device
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    tokenizer = AutoTokenizer.from_pretrained(str(config.model_path), local_files_only=True)
    model = build_model(config.model_path, len(split.label_names), config.mode).to(device)
    trainable, total = count_parameters(model)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.lr, weight_decay=0.01
    )

    def encode(texts: list[str]) -> dict[str, torch.Tensor]:
        batch = tokenizer(
            texts, padding=True, truncation=True, max_length=config.max_length, return_tensors="pt"
        )
        return {
            "input_ids": batch["input_ids"].to(device),
            "attention_mask": batch["attention_mask"].to(device),
        }

    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device == "cuda")
    generator = torch.Generator().manual_seed(config.seed)
    labels = torch.tensor(split.train_labels)
    losses, epoch_seconds = [], []
    for _ in range(config.epochs):
        model.train()
        order = torch.randperm(len(labels), generator=generator).tolist()
        _sync(device)
        start = time.perf_counter()
        for first in range(0, len(order), config.batch_size):
            rows = order[first : first + config.batch_size]
            inputs = encode([split.train_texts[row] for row in rows])
            with autocast:
                logits = model(**inputs)
            loss = nn.functional.cross_entropy(logits.float(), labels[rows].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            losses.append(loss.item())
        _sync(device)
        epoch_seconds.append(time.perf_counter() - start)
    predictions = predict(model, encode, split.test_texts, config.batch_size, autocast)
    correct = sum(p == t for p, t in zip(predictions, split.test_labels, strict=True))
    peak, memory_kind = _peak_memory_mb(device)
    return RunResult(
        mode=config.mode,
        device=device,
        device_name=device_name(device),
        accuracy=correct / len(split.test_labels),
        trainable_params=trainable,
        total_params=total,
        seconds_per_epoch=sum(epoch_seconds) / len(epoch_seconds),
        peak_memory_mb=round(peak, 1),
        memory_kind=memory_kind,
        train_size=len(labels),
        test_size=len(split.test_labels),
        epochs=config.epochs,
        losses=losses,
        label_names=split.label_names,
        predictions=predictions,
    )


@torch.no_grad()
def predict(
    model: nn.Module,
    encode: Callable[[list[str]], dict[str, torch.Tensor]],
    texts: list[str],
    batch_size: int,
    autocast: torch.autocast,
) -> list[int]:
    """Return the predicted label of each text, in eval mode (dropout off)."""
    model.eval()
    predictions: list[int] = []
    for first in range(0, len(texts), batch_size):
        with autocast:
            logits = model(**encode(texts[first : first + batch_size]))
        predictions += logits.argmax(dim=-1).tolist()
    return predictions


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()
