"""Tests for lab30's checks: right answers pass, and each planted bug fails its own case."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from labkit.checks import GRADING_ENV
from labkit.checks import lab30 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def make_loader(X: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int) -> DataLoader[Any]:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size, shuffle=True, generator=generator)


def broken_loader(X: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int) -> Any:
    generator = torch.Generator().manual_seed(seed)
    X = X[torch.randperm(len(X), generator=generator)]
    y = y[torch.randperm(len(y), generator=generator)]
    return DataLoader(TensorDataset(X, y), batch_size)


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    labels = labels.reshape(-1)
    if logits.shape[0] != labels.shape[0]:
        raise ValueError("lengths differ")
    return float((logits.argmax(dim=1) == labels).float().mean())


def stable_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -log_probs.gather(1, labels[:, None]).mean()


def naive_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probs.log().gather(1, labels[:, None]).mean()


def evaluate(model: nn.Module, loader: Any) -> dict[str, float]:
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += float(F.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    model.train(was_training)
    return {"loss": total_loss / count, "accuracy": correct / count}


def train(
    model: nn.Module, loader: Any, *, epochs: int, lr: float, max_grad_norm: float
) -> dict[str, list[float]]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = stable_cross_entropy(model(x), y)
            loss.backward()  # type: ignore[no-untyped-call]
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            history["loss"].append(loss.item())
            history["grad_norm"].append(float(norm))
    return history


def test_do_the_right_answers_pass_every_case_with_grading() -> None:
    for question, answer in [
        (check.q1, make_loader),
        (check.q2, accuracy),
        (check.q3, stable_cross_entropy),
        (check.q4, evaluate),
        (check.q5, train),
    ]:
        feedback = question.evaluate(answer, grading_only=True)
        assert feedback.passed, str(feedback)


def test_does_the_independent_shuffle_bug_fail_the_pairing_case() -> None:
    feedback = check.q1.evaluate(broken_loader)
    assert [result.passed for result in feedback.results] == [False, True, True]


def test_does_broadcasting_a_label_column_fail_with_the_shape_hint() -> None:
    def broadcasting(logits: torch.Tensor, labels: torch.Tensor) -> float:
        return float((logits.argmax(1) == labels).float().mean())

    lines = str(check.q2.evaluate(broadcasting)).splitlines()
    assert lines[0] == (
        "lab30.q2 accuracy: 1/3 local cases passed (1/3 pts) + 1 grading-only case (1 pt) "
        "not run here"
    )
    assert lines[2] == (
        "  ✗ gives the same answer for labels shaped (N, 1), as a DataFrame column gives them: "
        "expected accuracy(LOGITS, <labels of shape (4, 1)>) to return 0.75, got 0.3125"
    )
    assert lines[3] == "    hint: (N,) == (N, 1) broadcasts to (N, N); flatten the labels first"


def test_does_a_naive_softmax_fail_only_on_large_logits() -> None:
    feedback = check.q3.evaluate(naive_cross_entropy)
    assert [result.passed for result in feedback.results] == [True, False, True]


def test_does_forgetting_eval_mode_fail_the_reference_case() -> None:
    def train_mode(model: nn.Module, loader: Any) -> dict[str, float]:
        with torch.no_grad():
            logits = torch.cat([model(x) for x, _ in loader])
            labels = torch.cat([y for _, y in loader])
        return {
            "loss": float(F.cross_entropy(logits, labels)),
            "accuracy": accuracy(logits, labels),
        }

    assert not check.q4.evaluate(train_mode).results[0].passed


def test_does_a_loop_without_clipping_fail_only_the_clipping_case() -> None:
    def unclipped(
        model: nn.Module, loader: Any, *, epochs: int, lr: float, max_grad_norm: float
    ) -> dict[str, list[float]]:
        return train(model, loader, epochs=epochs, lr=lr, max_grad_norm=float("inf"))

    feedback = check.q5.evaluate(unclipped)
    assert [result.passed for result in feedback.results] == [True, False, True]


def test_does_a_loop_that_never_zeroes_gradients_miss_the_reference() -> None:
    def accumulating(
        model: nn.Module, loader: Any, *, epochs: int, lr: float, max_grad_norm: float
    ) -> dict[str, list[float]]:
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
        for _ in range(epochs):
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()  # type: ignore[no-untyped-call]
                norm = nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
                optimizer.step()
                history["loss"].append(loss.item())
                history["grad_norm"].append(float(norm))
        return history

    assert not check.q5.evaluate(accumulating, grading_only=True).passed
