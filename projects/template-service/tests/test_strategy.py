"""Summary strategies: prompts and parsing per style, chosen by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from template_service.strategy import BulletSummary, OneLineSummary, get_strategy

answers = st.text(alphabet=st.characters(codec="ascii"), max_size=400)


@given(answers, st.integers(min_value=1, max_value=60))
def test_is_a_one_line_summary_one_line_within_budget(answer: str, max_words: int) -> None:
    """Whatever the model answers, is the one-line summary a single line of <= max_words?"""
    summary = OneLineSummary().parse(answer, max_words)
    assert "\n" not in summary
    assert len(summary.split()) <= max_words


@given(answers, st.integers(min_value=1, max_value=60))
def test_are_bullets_normalised_and_within_budget(answer: str, max_words: int) -> None:
    """Does every bullet start with '- ', with at most 5 bullets and max_words words in all?"""
    summary = BulletSummary().parse(answer, max_words)
    lines = summary.splitlines()
    assert len(lines) <= 5
    assert all(line.startswith("- ") and line[2:].strip() for line in lines)
    assert sum(len(line[2:].split()) for line in lines) <= max_words


def test_does_the_bullet_parser_accept_common_list_markers() -> None:
    """Are '*', '•', '1.' and '2)' list markers rewritten as '- '?"""
    answer = "* alpha\n\n• beta\n1. gamma\n2) delta"
    assert BulletSummary().parse(answer, 20) == "- alpha\n- beta\n- gamma\n- delta"


def test_do_strategies_put_the_text_in_the_user_turn() -> None:
    """Does each strategy send instructions as system and the text alone as user?"""
    for name in ("one_line", "bullets"):
        messages = get_strategy(name).build_messages("Some text.", 12)
        assert [m.role for m in messages] == ["system", "user"]
        assert messages[1].content == "Some text."
        assert "12 words" in messages[0].content


def test_does_an_unknown_style_name_the_known_ones() -> None:
    """Does asking for an unknown style raise ValueError listing the valid names?"""
    with pytest.raises(ValueError, match="choose one of: bullets, one_line"):
        get_strategy("haiku")
