"""Checks for lab31, reproducible training: seeds, a full checkpoint, and a bit-identical resume."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab31")
q1 = lab.question("q1", "seed_everything")
q2 = lab.question("q2", "save_checkpoint, load_checkpoint")
q3 = lab.question("q3", "train", time_limit=60.0)
summary = lab.summary


def make_dataset(n: int = 256, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(X, y)``: a fixed regression problem, the same for every seed of training."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 6, generator=generator)
    y = X @ torch.linspace(-1, 1, 6) + 0.3 * torch.randn(n, generator=generator)
    return X, y[:, None]


class Net(nn.Module):
    """A small MLP with dropout: its training uses the torch RNG on every step."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one prediction per row."""
        out: torch.Tensor = self.layers(x)
        return out


def _draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


@contextmanager
def _deterministic_flag() -> Iterator[None]:
    before = torch.are_deterministic_algorithms_enabled()
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


@q1.case("seeds random, numpy and torch", hint="random.seed, np.random.seed, torch.manual_seed")
def _seeds(seed_everything: Callable[[int], None]) -> None:
    with _deterministic_flag():
        random.seed(7), np.random.seed(7), torch.manual_seed(7)
        want = _draws()
        seed_everything(7)
        expect_equal(_draws(), want, "three draws after seed_everything(7)")


@q1.case(
    "turns on torch.use_deterministic_algorithms",
    hint="it makes torch raise on an op that has no deterministic version, instead of drifting",
)
def _deterministic(seed_everything: Callable[[int], None]) -> None:
    with _deterministic_flag():
        torch.use_deterministic_algorithms(False)
        seed_everything(0)
        on = torch.are_deterministic_algorithms_enabled()
        expect(on, "torch.are_deterministic_algorithms_enabled() to be True", on)


@q1.case("different seeds give different draws", grading_only=True)
def _differ(seed_everything: Callable[[int], None]) -> None:
    with _deterministic_flag():
        seed_everything(1)
        one = _draws()
        seed_everything(2)
        expect(one != _draws(), "seeds 1 and 2 to draw differently", Text("the same draws"))


def _trained_pair() -> tuple[Net, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    X, y = make_dataset(32)
    for _ in range(3):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    return model, optimizer


def _fresh() -> tuple[Net, torch.optim.Optimizer]:
    torch.manual_seed(99)
    model = Net()
    return model, torch.optim.Adam(model.parameters(), lr=0.5)


@q2.case(
    "restores the weights, the optimizer's state and the epoch",
    hint="save model.state_dict() and optimizer.state_dict(); load_state_dict both back",
)
def _roundtrip(save: Callable[..., None], load: Callable[..., int]) -> None:
    model, optimizer = _trained_pair()
    with tempfile.TemporaryDirectory() as folder:
        save(Path(folder) / "ckpt.pt", model, optimizer, 3)
        fresh, fresh_optimizer = _fresh()
        epoch = load(Path(folder) / "ckpt.pt", fresh, fresh_optimizer)
    expect_equal(epoch, 3, "the epoch load_checkpoint returns")
    same = all(
        torch.equal(a, b)
        for a, b in zip(model.state_dict().values(), fresh.state_dict().values(), strict=True)
    )
    expect(same, "identical weights", Text("different weights"))
    moments = [s["exp_avg"] for s in fresh_optimizer.state_dict()["state"].values()]
    want = [s["exp_avg"] for s in optimizer.state_dict()["state"].values()]
    ok = len(moments) == len(want) and all(map(torch.equal, moments, want))
    expect(ok, "Adam's moments (exp_avg) restored", Text(f"{len(moments)} restored"))
    expect_equal(fresh_optimizer.param_groups[0]["lr"], 0.01, "the restored learning rate")


@q2.case(
    "restores the random number generators, so dropout and shuffling continue the same",
    hint="save torch.get_rng_state(), np.random.get_state() and random.getstate() too",
)
def _rng(save: Callable[..., None], load: Callable[..., int]) -> None:
    model, optimizer = _trained_pair()
    with tempfile.TemporaryDirectory() as folder:
        random.seed(5), np.random.seed(5), torch.manual_seed(5)
        save(Path(folder) / "ckpt.pt", model, optimizer, 1)
        want = _draws()
        random.seed(6), np.random.seed(6), torch.manual_seed(6)
        load(Path(folder) / "ckpt.pt", *_fresh())
        expect_equal(_draws(), want, "the draws right after loading")


@q2.case("a missing checkpoint raises FileNotFoundError", grading_only=True)
def _missing(save: Callable[..., None], load: Callable[..., int]) -> None:
    try:
        load(Path(tempfile.gettempdir()) / "no-such-dir-lab31" / "ckpt.pt", *_fresh())
    except FileNotFoundError:
        return
    expect(False, "FileNotFoundError", Text("no error"))


def _train_runs(train: Callable[..., Any], stop: int) -> tuple[Any, Any, Any]:
    with tempfile.TemporaryDirectory() as folder:
        whole = train(epochs=4, seed=0, checkpoint_path=Path(folder) / "a.pt")
        part = train(epochs=4, seed=0, checkpoint_path=Path(folder) / "b.pt", stop_after=stop)
        resumed = train(epochs=4, seed=0, checkpoint_path=Path(folder) / "b.pt")
    return whole, part, resumed


@q3.case(
    "returns one loss per epoch, the same twice for the same seed",
    hint="call seed_everything(seed) first, and shuffle with a seeded torch.Generator",
)
def _repeatable(train: Callable[..., Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        one = train(epochs=3, seed=0, checkpoint_path=Path(folder) / "a.pt")
        two = train(epochs=3, seed=0, checkpoint_path=Path(folder) / "b.pt")
    expect(isinstance(one, list) and len(one) == 3, "a list of 3 losses", one)
    expect_equal(two, one, "a second run with seed 0")


@q3.case(
    "stopped after 2 epochs and resumed, the losses are bit-identical to one run",
    hint="checkpoint after every epoch (RNG states included), and keep the losses in it",
)
def _resume(train: Callable[..., Any]) -> None:
    whole, part, resumed = _train_runs(train, stop=2)
    expect_equal(len(part), 2, "the number of losses when stop_after=2")
    expect_equal(resumed, whole, "the losses after resuming")


@q3.case("resuming after 1 or 3 epochs is bit-identical too", grading_only=True)
def _resume_anywhere(train: Callable[..., Any]) -> None:
    for stop in (1, 3):
        whole, _, resumed = _train_runs(train, stop=stop)
        expect_equal(resumed, whole, f"the losses after stopping at {stop} and resuming")
