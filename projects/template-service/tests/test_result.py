"""The Result type: Ok/Err behave like values and compose without exceptions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from template_service.result import Err, Ok, Result, collect


def parse_int(text: str) -> Result[int, str]:
    return Ok(int(text)) if text.lstrip("-").isdigit() else Err(f"not a number: {text!r}")


@given(st.integers())
def test_does_map_on_ok_apply_the_function(value: int) -> None:
    """Does Ok(x).map(f) equal Ok(f(x)), and Err pass through map untouched?"""
    assert Ok(value).map(lambda x: x + 1) == Ok(value + 1)
    assert Err("boom").map(lambda x: x + 1) == Err("boom")


@given(st.integers())
def test_does_and_then_chain_only_successes(value: int) -> None:
    """Does and_then run the next step after Ok, and stop at the first Err?"""
    assert Ok(str(value)).and_then(parse_int) == Ok(value)
    assert Ok("x").and_then(parse_int) == Err("not a number: 'x'")
    assert Err("first").and_then(parse_int) == Err("first")


@given(st.lists(st.integers()))
def test_does_collect_return_every_value_when_all_succeed(values: list[int]) -> None:
    """Does collect turn a list of Ok into Ok of the list, in order?"""
    assert collect(Ok(v) for v in values) == Ok(values)


@given(st.lists(st.integers()), st.lists(st.integers()))
def test_does_collect_stop_at_the_first_error(before: list[int], after: list[int]) -> None:
    """Does collect return the first Err, whatever surrounds it?"""
    results: list[Result[int, str]] = [Ok(v) for v in before]
    results += [Err("first"), *(Ok(v) for v in after), Err("second")]
    assert collect(results) == Err("first")


def test_can_a_result_be_pattern_matched() -> None:
    """Do Ok and Err work with match/case, and does unwrap_or give the right value?"""
    outcomes = []
    for result in (parse_int("42"), parse_int("forty-two")):
        match result:
            case Ok(value):
                outcomes.append(f"ok {value}")
            case Err(error):
                outcomes.append(f"err {error}")
    assert outcomes == ["ok 42", "err not a number: 'forty-two'"]
    assert parse_int("7").unwrap_or(0) == 7
    assert parse_int("seven").unwrap_or(0) == 0
    assert Ok(1).is_ok()
    assert not Err(1).is_ok()
