"""Checks for lab30, a broken training loop: data, shape, NaN and eval-mode bugs, then train."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab30")
q1 = lab.question("q1", "make_loader")
q2 = lab.question("q2", "accuracy")
q3 = lab.question("q3", "stable_cross_entropy")
q4 = lab.question("q4", "evaluate")
q5 = lab.question("q5", "train", time_limit=60.0)
summary = lab.summary

N_FEATURES, N_CLASSES = 8, 3


def toy_data(n: int = 600, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(X, y)``: ``n`` points in 8-d around 3 overlapping centres, standardised."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(N_CLASSES, N_FEATURES, generator=generator) * 1.5
    y = torch.arange(n) % N_CLASSES
    X = centres[y] + torch.randn(n, N_FEATURES, generator=generator)
    order = torch.randperm(n, generator=generator)
    X = (X - X.mean(0)) / X.std(0)
    return X[order].float(), y[order]


class TinyNet(nn.Module):
    """An MLP with dropout, so train and eval mode give different outputs."""

    def __init__(self, dropout: float = 0.3, hidden: int = 32) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(N_FEATURES, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, N_CLASSES),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits, one row per example."""
        logits: torch.Tensor = self.layers(x)
        return logits


def _indexed(n: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows whose first feature is their index and whose label is index % 3."""
    X = torch.zeros(n, N_FEATURES)
    X[:, 0] = torch.arange(n, dtype=torch.float32)
    return X, torch.arange(n) % N_CLASSES


def _rows(loader: Any) -> list[tuple[int, int]]:
    return [(int(x[0]), int(label)) for xs, ys in loader for x, label in zip(xs, ys, strict=True)]


@q1.case("keeps every x with its own label", hint="shuffle the pairs together, not X and y apart")
def _pairs(make_loader: Callable[..., Any]) -> None:
    rows = _rows(make_loader(*_indexed(), batch_size=8, seed=0))
    wrong = [(index, label) for index, label in rows if label != index % N_CLASSES]
    expect(not wrong, "each row's label to be its index % 3", Text(f"{len(wrong)} mismatched"))


@q1.case("yields every row exactly once, in batches of batch_size")
def _complete(make_loader: Callable[..., Any]) -> None:
    loader = make_loader(*_indexed(), batch_size=8, seed=0)
    expect_equal([len(ys) for _, ys in loader], [8] * 6 + [2], "the batch sizes for 50 rows")
    expect_equal(sorted(index for index, _ in _rows(loader)), list(range(50)), "the row indices")


@q1.case(
    "shuffles, and the same seed gives the same order",
    hint="DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))",
)
def _seeded(make_loader: Callable[..., Any]) -> None:
    first = _rows(make_loader(*_indexed(), batch_size=8, seed=3))
    expect(first != sorted(first), "a shuffled order", Text("rows in their original order"))
    expect_equal(_rows(make_loader(*_indexed(), batch_size=8, seed=3)), first, "a second loader")


@q1.case("different seeds give different orders", grading_only=True)
def _seeds_differ(make_loader: Callable[..., Any]) -> None:
    one, two = (_rows(make_loader(*_indexed(), batch_size=8, seed=s)) for s in (1, 2))
    expect(one != two, "seeds 1 and 2 to shuffle differently", Text("the same order"))


LOGITS = torch.tensor([[2.0, 0.1, 0.0], [0.0, 3.0, 0.2], [0.1, 0.0, 1.0], [5.0, 0.0, 0.0]])


@q2.case("returns a float: the share of rows whose argmax is the label")
def _accuracy(accuracy: Callable[..., Any]) -> None:
    expect_equal(accuracy(LOGITS, torch.tensor([0, 1, 2, 1])), 0.75, "accuracy(LOGITS, [0,1,2,1])")


@q2.case(
    "gives the same answer for labels shaped (N, 1), as a DataFrame column gives them",
    hint="(N,) == (N, 1) broadcasts to (N, N); flatten the labels first",
)
def _column(accuracy: Callable[..., Any]) -> None:
    labels = torch.tensor([[0], [1], [2], [1]])
    expect_equal(accuracy(LOGITS, labels), 0.75, "accuracy(LOGITS, <labels of shape (4, 1)>)")


@q2.case(
    "raises ValueError when logits and labels have different lengths",
    hint="compare logits.shape[0] with the number of labels before comparing values",
)
def _mismatch(accuracy: Callable[..., Any]) -> None:
    try:
        accuracy(LOGITS, torch.tensor([0, 1, 2]))
    except ValueError:
        return
    expect(False, "ValueError for 4 logits and 3 labels", Text("no error"))


@q2.case("takes the argmax over classes, not over the batch", grading_only=True)
def _dim(accuracy: Callable[..., Any]) -> None:
    logits = torch.tensor([[0.0, 9.0, 0.0], [0.0, 8.0, 0.0], [0.0, 0.0, 1.0]])
    expect_equal(accuracy(logits, torch.tensor([1, 1, 2])), 1.0, "accuracy on 3x3 logits")


def _ce_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(6, 4, generator=generator), torch.tensor([0, 3, 1, 2, 2, 0])


@q3.case("matches F.cross_entropy on ordinary logits")
def _matches(loss_fn: Callable[..., Any]) -> None:
    logits, labels = _ce_inputs()
    got, want = float(loss_fn(logits, labels)), float(F.cross_entropy(logits, labels))
    expect(math.isclose(got, want, abs_tol=1e-5), f"{want:.5f}", got)


@q3.case(
    "stays finite for logits of ±1000, where exp() overflows",
    hint="log_softmax(z) = z - logsumexp(z): torch.logsumexp subtracts the max for you",
)
def _large(loss_fn: Callable[..., Any]) -> None:
    logits, labels = _ce_inputs()
    got, want = float(loss_fn(logits * 1000, labels)), float(F.cross_entropy(logits * 1000, labels))
    expect(math.isfinite(got) and math.isclose(got, want, rel_tol=1e-4), f"{want:.1f}", got)


@q3.case(
    "its gradient is (softmax - one_hot) / N, checked by hand and by gradcheck",
    hint="build the loss from differentiable torch ops only (no .item(), no numpy)",
)
def _gradient(loss_fn: Callable[..., Any]) -> None:
    logits, labels = _ce_inputs()
    logits = logits.double().requires_grad_()
    loss_fn(logits, labels).backward()
    by_hand = (logits.detach().softmax(-1) - F.one_hot(labels, 4)) / len(labels)
    assert logits.grad is not None
    error = float((logits.grad - by_hand).abs().max())
    expect(error < 1e-9, "the hand-derived gradient", Text(f"max difference {error:.2e}"))
    passed = torch.autograd.gradcheck(
        lambda z: loss_fn(z, labels), (logits.detach().requires_grad_(),)
    )
    expect(passed, "gradcheck to pass", passed)


def _trained_model(seed: int = 0) -> tuple[TinyNet, DataLoader[Any]]:
    torch.manual_seed(seed)
    X, y = toy_data(200, seed)
    return TinyNet(), DataLoader(TensorDataset(X, y), batch_size=64)


def _reference_evaluate(model: nn.Module, loader: DataLoader[Any]) -> dict[str, float]:
    model.eval()
    with torch.no_grad():
        batches = [(model(x), y) for x, y in loader]
    logits, labels = torch.cat([b[0] for b in batches]), torch.cat([b[1] for b in batches])
    model.train()
    loss = float(F.cross_entropy(logits, labels))
    return {"loss": loss, "accuracy": float((logits.argmax(1) == labels).float().mean())}


@q4.case(
    "gives the same numbers twice and matches the reference (dropout off)",
    hint="call model.eval() before the loop: dropout is random in train mode",
)
def _eval_mode(evaluate: Callable[..., Any]) -> None:
    model, loader = _trained_model()
    want = _reference_evaluate(model, loader)
    got = evaluate(model, loader)
    expect_equal(sorted(got), ["accuracy", "loss"], "the keys of evaluate's dict")
    for key in want:
        expect(math.isclose(got[key], want[key], abs_tol=1e-5), f"{key} {want[key]:.4f}", got[key])


@q4.case(
    "puts the model back in train mode and records no gradients",
    hint="wrap the loop in torch.no_grad() and call model.train(was_training) at the end",
)
def _restores(evaluate: Callable[..., Any]) -> None:
    model, loader = _trained_model()
    result = evaluate(model, loader)
    expect(model.training, "model.training to be True again", model.training)
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    expect(not grads and all(isinstance(v, float) for v in result.values()), "plain floats", result)


@q4.case("leaves a model in eval mode in eval mode", grading_only=True)
def _keeps_eval(evaluate: Callable[..., Any]) -> None:
    model, loader = _trained_model()
    model.eval()
    evaluate(model, loader)
    expect(not model.training, "model.training to stay False", model.training)


def _reference_train(model: nn.Module, loader: Any, epochs: int, lr: float, clip: float) -> None:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()


def _run(train: Callable[..., Any], seed: int = 0, epochs: int = 5) -> tuple[Any, TinyNet, Any]:
    torch.manual_seed(seed)
    X, y = toy_data(300, seed)
    model = TinyNet()
    loader = DataLoader(TensorDataset(X, y), batch_size=32)
    history = train(model, loader, epochs=epochs, lr=0.1, max_grad_norm=1.0)
    return history, model, loader


@q5.case(
    "returns a loss and a grad_norm per step, all finite, and the loss falls",
    hint="append loss.item() and float(clip_grad_norm_(...)) to the history each step",
)
def _falls(train: Callable[..., Any]) -> None:
    history, _, _ = _run(train)
    losses, norms = history["loss"], history["grad_norm"]
    expect_equal((len(losses), len(norms)), (50, 50), "(len(loss), len(grad_norm)) for 5x10 steps")
    expect(all(map(math.isfinite, losses + norms)), "finite numbers", Text("a NaN or inf"))
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    expect(last < 0.6 * first, f"the last epoch's mean loss below 0.6 x {first:.3f}", last)


@q5.case(
    "clips: one SGD step moves the weights by at most lr x max_grad_norm",
    hint="call nn.utils.clip_grad_norm_ after backward() and before optimizer.step()",
)
def _clips(train: Callable[..., Any]) -> None:
    torch.manual_seed(0)
    model = TinyNet(dropout=0.0)
    for parameter in model.parameters():
        parameter.data.mul_(20)  # an exploding start: huge gradients
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    X, y = toy_data(32)
    train(model, [(X, y)], epochs=1, lr=0.1, max_grad_norm=0.5)
    moved = float((torch.cat([p.detach().flatten() for p in model.parameters()]) - before).norm())
    expect(moved <= 0.05 + 1e-5, "a step of norm <= 0.05", Text(f"{moved:.4f}"))


@q5.case(
    "can overfit one batch: the loss on 16 examples goes below 0.05",
    hint="if one batch cannot be memorised, the loop (not the data) is broken",
)
def _overfit(train: Callable[..., Any]) -> None:
    torch.manual_seed(0)
    X, y = toy_data(16, seed=5)
    history = train(
        TinyNet(dropout=0.0, hidden=64), [(X, y)], epochs=300, lr=0.5, max_grad_norm=5.0
    )
    expect(history["loss"][-1] < 0.05, "a final loss below 0.05", history["loss"][-1])


@q5.case("ends with the reference's loss and accuracy", grading_only=True)
def _reference(train: Callable[..., Any]) -> None:
    _, model, loader = _run(train, seed=1)
    torch.manual_seed(1)
    reference = TinyNet()
    _reference_train(reference, loader, epochs=5, lr=0.1, clip=1.0)
    got, want = (_reference_evaluate(m, loader) for m in (model, reference))
    close = math.isclose(got["loss"], want["loss"], rel_tol=0.02)
    expect(close and abs(got["accuracy"] - want["accuracy"]) <= 0.02, f"about {want}", got)
