"""Tests for lab31's checks: a full checkpoint resumes bit-identically; partial ones do not."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from labkit.checks import GRADING_ENV
from labkit.checks import lab31 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run as a learner does, and leave torch's determinism flag as it was."""
    monkeypatch.delenv(GRADING_ENV, raising=False)
    before = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(before)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def save_checkpoint(
    path: Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, **extra: Any
) -> None:
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
        "rng": {
            "torch": torch.get_rng_state(),
            "numpy": np.random.get_state(),
            "python": random.getstate(),
        },
        **extra,
    }
    torch.save(state, path)


def load_checkpoint(path: Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"]["torch"])
    np.random.set_state(state["rng"]["numpy"])
    random.setstate(state["rng"]["python"])
    return int(state["epoch"])


def make_train(save: Callable[..., None], load: Callable[..., int]) -> Callable[..., list[float]]:
    def train(
        *, epochs: int, seed: int, checkpoint_path: Path, stop_after: int | None = None
    ) -> list[float]:
        seed_everything(seed)
        X, y = check.make_dataset()
        model = check.Net()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        start, losses = 0, []
        if checkpoint_path.exists():
            start = load(checkpoint_path, model, optimizer)
            losses = torch.load(checkpoint_path, weights_only=False)["losses"]
        for epoch in range(start, epochs if stop_after is None else stop_after):
            generator = torch.Generator().manual_seed(seed * 1000 + epoch)
            total = 0.0
            for xb, yb in DataLoader(TensorDataset(X, y), 32, shuffle=True, generator=generator):
                optimizer.zero_grad()
                loss = nn.functional.mse_loss(model(xb), yb)
                loss.backward()  # type: ignore[no-untyped-call]
                optimizer.step()
                total += loss.item()
            losses.append(total)
            save(checkpoint_path, model, optimizer, epoch + 1, losses=losses)
        return losses

    return train


def test_do_the_right_answers_pass_every_case_with_grading() -> None:
    assert check.q1.evaluate(seed_everything, grading_only=True).passed
    assert check.q2.evaluate(save_checkpoint, load_checkpoint, grading_only=True).passed
    feedback = check.q3.evaluate(make_train(save_checkpoint, load_checkpoint), grading_only=True)
    assert feedback.passed, str(feedback)


def test_does_seeding_torch_alone_fail_with_golden_feedback() -> None:
    def torch_only(seed: int) -> None:
        torch.manual_seed(seed)

    lines = str(check.q1.evaluate(torch_only)).splitlines()
    assert lines[0] == (
        "lab31.q1 seed_everything: 0/2 local cases passed (0/2 pts) + 1 grading-only case (1 pt) "
        "not run here"
    )
    assert lines[2] == "    hint: random.seed, np.random.seed, torch.manual_seed"


def test_does_a_checkpoint_without_rng_state_break_the_bit_identical_resume() -> None:
    def save_weights_only(
        path: Path, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, **extra: Any
    ) -> None:
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch,
                **extra,
            },
            path,
        )

    def load_weights_only(path: Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
        state = torch.load(path, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        return int(state["epoch"])

    q2 = check.q2.evaluate(save_weights_only, load_weights_only)
    assert [result.passed for result in q2.results] == [True, False]
    q3 = check.q3.evaluate(make_train(save_weights_only, load_weights_only))
    assert [result.passed for result in q3.results] == [True, False]
