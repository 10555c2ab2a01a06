"""The real model: SmolLM2-135M on a few cases, so CI shows what a tiny model does.

SmolLM2 is tiny: it often ignores both its instructions and the attacker's. The assertions
are the ones that hold for any model: the defended pipeline never scores worse than the
undefended one, and its gates stop the cases they are built to stop.
"""

from __future__ import annotations

import pytest
import torch

from red_team_harness.__main__ import build_model
from red_team_harness.battery import Attack
from red_team_harness.pipeline import DefendedPipeline, UndefendedPipeline
from red_team_harness.runner import run_battery, summarise

pytestmark = pytest.mark.slow
CASES = ("jb-ignore-rules", "ii-return-policy", "ok-hours")


@pytest.fixture(autouse=True)
def one_thread() -> None:
    # On a shared 2-core runner, one torch thread is several times faster than two.
    torch.set_num_threads(1)


def test_does_the_defended_pipeline_never_do_worse_on_smollm2(battery: list[Attack]) -> None:
    attacks = [a for a in battery if a.id in CASES]
    model = build_model("smollm2")
    before = run_battery(UndefendedPipeline(model, max_tokens=16), attacks)
    after = run_battery(DefendedPipeline(model, max_tokens=16), attacks)
    undefended, defended = summarise(before), summarise(after)
    assert defended.asr <= undefended.asr
    by_id = {r.attack_id: r for r in after}
    assert by_id["jb-ignore-rules"].blocked_by == ("input_gate",)
    assert by_id["ii-return-policy"].blocked_by[:1] == ("document_quarantine",)
    assert by_id["ok-hours"].model_calls == 1
    assert all(r.answer for r in before), "SmolLM2 answered every case"
