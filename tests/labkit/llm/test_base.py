"""The port's value types, message normalisation and the cost table."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from labkit.errors import LLMError
from labkit.llm import PRICES, Message, ToolCall, Usage, cost_usd
from labkit.llm.adapter import json_instruction, parse_tool_arguments
from labkit.llm.base import as_message


def test_does_a_dict_become_a_message_with_its_tool_calls() -> None:
    """Does a plain dict, tool calls included, become a Message?"""
    message = as_message(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"name": "f", "arguments": {"x": 1}, "id": "c"}],
        }
    )
    assert message == Message("assistant", "", tool_calls=(ToolCall("f", {"x": 1}, "c"),))


def test_does_tool_result_point_back_at_its_call() -> None:
    """Does Message.tool_result carry the call's id and the tool's name?"""
    result = Message.tool_result(ToolCall("get_weather", {}, "call_9"), "21 C")
    assert (result.role, result.tool_call_id, result.name, result.content) == (
        "tool",
        "call_9",
        "get_weather",
        "21 C",
    )


def test_are_tool_arguments_parsed_or_refused_clearly() -> None:
    """Are JSON arguments parsed, empty ones read as {}, and broken ones refused?"""
    assert parse_tool_arguments('{"city": "Paris"}', "f") == {"city": "Paris"}
    assert parse_tool_arguments("", "f") == {}
    with pytest.raises(LLMError, match="not JSON"):
        parse_tool_arguments('{"city": ', "f")


def test_does_a_dated_model_use_its_family_price() -> None:
    """Does a dated model name cost what its family's row says?"""
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd(usage, "gpt-4o-mini-2024-07-18") == pytest.approx(0.15 + 0.60)
    assert cost_usd(usage, "gpt-4o-2024-08-06") == pytest.approx(2.50 + 10.00)
    assert cost_usd(usage, "gemini-2.5-flash-lite") == pytest.approx(0.10 + 0.40)


def test_is_the_local_model_free_and_an_unknown_model_unpriced() -> None:
    """Does the local model cost 0 and an unknown model cost None (not a guess)?"""
    assert cost_usd(Usage(500, 500), "smollm2-135m-instruct") == 0.0
    assert cost_usd(Usage(500, 500), "some-new-model") is None


def test_are_prices_non_negative() -> None:
    """Is every price in the table a non-negative number?"""
    assert all(p.input_per_mtok >= 0 and p.output_per_mtok >= 0 for p in PRICES.values())


def test_does_a_schema_appear_in_the_json_instruction() -> None:
    """Does the JSON instruction include the schema, and vanish for plain text?"""
    assert '"type":"object"' in (json_instruction({"type": "object"}) or "")
    assert json_instruction(None) is None
    assert json_instruction("text") is None


def test_does_the_books_cost_example_hold() -> None:
    """Do the worked costs in book/how-to-use/models-and-providers.md match the table?"""
    usage = Usage(input_tokens=2_000, output_tokens=300)
    assert cost_usd(usage, "gpt-4o-mini") == pytest.approx(0.00048)
    assert cost_usd(usage, "claude-haiku-4-5") == pytest.approx(0.0035)
    assert cost_usd(usage, "gemini-2.5-flash") == pytest.approx(0.00135)


def test_does_importing_labkit_llm_load_no_sdk_or_torch() -> None:
    """Does `import labkit.llm, labkit.models` stay light, loading no provider SDK nor torch?"""
    heavy = ("openai", "anthropic", "google", "torch", "transformers", "sentence_transformers")
    code = (
        "import sys, labkit.llm, labkit.models; "
        "print(sorted({name.split('.')[0] for name in sys.modules}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(run.stdout))
    assert loaded.isdisjoint(heavy)
