"""Tests for lab10's checks: the master's answers pass, a non-idempotent handler fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab10 as check

ROOT_MASTER = "solutions/01-backend/lab10-idempotent-orders-api.ipynb"


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@pytest.fixture(scope="module")
def master() -> dict[str, Any]:
    """The master's answer cells, run in one namespace after its imports cell."""
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[2] / ROOT_MASTER).read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    namespace: dict[str, Any] = {"__name__": "lab10_master"}
    setup = re.sub(r"^engine = .*$|^print\(.*$", "", cells[0], flags=re.M)
    exec(
        compile(setup, ROOT_MASTER, "exec", dont_inherit=True), namespace
    )  # the course's own master notebook
    for source in cells[1:]:
        if "### BEGIN SOLUTION" in source:
            exec(compile(source, ROOT_MASTER, "exec", dont_inherit=True), namespace)
    return namespace


def test_do_the_masters_answers_pass_every_case_with_grading_cases(master: dict[str, Any]) -> None:
    assert check.q1.evaluate(master["PlaceOrder"], grading_only=True).passed
    assert check.q2.evaluate(
        master["issue_token"], master["verify_token"], grading_only=True
    ).passed
    assert check.q3.evaluate(master["SqlUnitOfWork"], grading_only=True).passed
    assert check.q4.evaluate(
        master["place_order"], master["SqlUnitOfWork"], grading_only=True
    ).passed
    assert check.q5.evaluate(master["build_app"], master["SqlUnitOfWork"], grading_only=True).passed


def test_does_a_handler_without_idempotency_fail_replay_and_crash(master: dict[str, Any]) -> None:
    def place_twice(
        uow_factory: Callable[[], Any],
        key: str,
        command: dict[str, Any],
        *,
        between_steps: Callable[[], None] = lambda: None,
    ) -> dict[str, Any]:
        with uow_factory() as uow:
            order_id = uow.orders.add(command["customer"], command["sku"], command["quantity"])
            uow.commit()  # commits before the event: a crash now loses it
            between_steps()
        with uow_factory() as uow:
            uow.outbox.add("order.placed", {"order_id": order_id})
            uow.commit()
        return {"order_id": order_id, "status": "placed"}

    feedback = check.q4.evaluate(place_twice, master["SqlUnitOfWork"])
    failed = {r.case.name for r in feedback.results if not r.passed}
    assert "a replay returns the same response and changes nothing" in failed
    assert (
        "a crash between the order and the event leaves nothing; the retry applies it once"
        in failed
    )
