"""Real models: SmolLM2 end to end (always), a provider (only when a key is set)."""

from __future__ import annotations

import os

import pytest
import torch
from labkit.models import chat_model
from labkit.settings import get_settings

from langgraph_agent.graph import run_agent
from langgraph_agent.tools import ROLE_TOOLS, Toolbox

pytestmark = pytest.mark.slow


def test_does_smollm2_finish_within_the_step_limit_using_allowed_tools_only(
    toolbox: Toolbox,
) -> None:
    # SmolLM2-135M rarely produces a valid tool call; we assert what any model must respect.
    torch.set_num_threads(1)  # several times faster than two threads on a shared 2-core runner
    model = chat_model(
        get_settings().model_copy(update={"chat_model": "local:smollm2-135m-instruct"})
    )
    run = run_agent("How many orders are pending?", model, toolbox, max_steps=2, max_tokens=32)
    assert run.stop_reason in ("answered", "step_limit")
    assert 1 <= run.steps <= 2
    assert all(entry.tool in ROLE_TOOLS["viewer"] for entry in run.audit if entry.allowed)
    assert run.answer


PROVIDER = os.environ.get("LANGGRAPH_AGENT_LIVE_MODEL", "")


@pytest.mark.skipif(
    not PROVIDER, reason="set LANGGRAPH_AGENT_LIVE_MODEL=openai:gpt-4o-mini (+ key)"
)
def test_does_a_real_provider_answer_from_the_database(toolbox: Toolbox) -> None:
    model = chat_model(get_settings().model_copy(update={"chat_model": PROVIDER}))
    run = run_agent("How many orders are pending? Use the database.", model, toolbox)
    assert run.stop_reason == "answered"
    assert any(e.tool == "sql_query" and e.ok for e in run.audit)
    assert "3" in run.answer
