"""Tests for labkit.checks: golden feedback, grading-only cases, time limits and the guard."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from labkit.checks import GRADING_ENV, Lab, expect, expect_equal, load
from labkit.checks import lab02 as check
from labkit.checks._core import same
from labkit.checks._guard import forbidden_uses
from labkit.errors import GradingError


def chunk_lab() -> Lab:
    """The example question of the course design, section 4."""
    lab = Lab("lab05")
    q1 = lab.question("q1", "chunk_text")

    @q1.case("returns a list of str")
    def _types(chunk_text: Callable[..., Any]) -> None:
        chunks = chunk_text("a b c d", size=2, overlap=1)
        expect(all(type(c) is str for c in chunks), "a list of str", chunks)

    @q1.case("consecutive chunks overlap", hint="step by size - overlap, not size")
    def _overlap(chunk_text: Callable[..., Any]) -> None:
        chunks = chunk_text("a b c d", size=2, overlap=1)
        expect(chunks[1].startswith("b"), "chunks[1] to start with 'b'", chunks[1])

    return lab


def chunk_without_overlap(text: str, size: int, overlap: int) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def test_does_feedback_read_exactly_as_the_course_design_shows() -> None:
    feedback = chunk_lab().questions[0].evaluate(chunk_without_overlap)
    assert str(feedback) == (
        "lab05.q1 chunk_text: 1/2 cases passed (1/2 pts)\n"
        "  ✓ returns a list of str\n"
        "  ✗ consecutive chunks overlap: expected chunks[1] to start with 'b', got 'c d'\n"
        "    hint: step by size - overlap, not size"
    )


def test_does_the_html_repr_say_the_same_as_the_text() -> None:
    feedback = chunk_lab().questions[0].evaluate(chunk_without_overlap)
    shown = html.unescape(re.sub(r"<[^>]+>", "", feedback._repr_html_()))
    assert shown == str(feedback)


def test_does_a_failing_check_print_its_feedback_then_raise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    question = chunk_lab().questions[0]
    with pytest.raises(AssertionError) as raised:
        question(chunk_without_overlap)
    printed = capsys.readouterr().out
    assert printed.startswith("lab05.q1 chunk_text: 1/2 cases passed (1/2 pts)\n")
    assert str(raised.value) == printed.rstrip("\n")


def test_does_a_passing_check_print_and_return_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    def chunk_text(text: str, size: int, overlap: int) -> list[str]:
        words = text.split()
        return [" ".join(words[i : i + size]) for i in range(0, len(words), size - overlap)]

    chunk_lab().questions[0](chunk_text)
    assert capsys.readouterr().out.startswith("lab05.q1 chunk_text: 2/2 cases passed (2/2 pts)")


def sorted_top_k(stream: Iterable[Any], k: int) -> list[Any]:
    return sorted(stream, reverse=True)[:k]


def test_does_a_learner_see_how_many_grading_only_cases_were_not_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(GRADING_ENV, raising=False)
    assert str(check.q1.evaluate(sorted_top_k)) == (
        "lab02.q1 top_k: 3/5 local cases passed (3/5 pts) + 2 grading-only cases (2 pts) "
        "not run here\n"
        "  ✓ returns the k largest, largest first\n"
        "  ✓ handles k = 0 and k above the stream's length\n"
        "  ✓ reads a generator once and keeps duplicates\n"
        "  ✗ keeps only about k items in memory: expected a peak under 64 kB for "
        "n=100,000, k=10, got about 4.4 MB\n"
        "    hint: don't build a list of the whole stream; heapq.heapreplace keeps the heap at "
        "size k\n"
        "  ✗ does O(n log k) work, not O(n log n): expected comparisons to grow at most 11.5x "
        "when n grows 10x (sorting grows 13.5x), got 13.48x\n"
        "    hint: compare each item with heap[0] and skip it unless it beats the k-th best"
    )


def test_do_grading_only_cases_run_and_say_so_when_grading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(GRADING_ENV, "1")
    text = str(check.q1.evaluate(sorted_top_k))
    assert text.splitlines()[0] == "lab02.q1 top_k: 5/7 cases passed (5/7 pts)"
    assert "  ✓ [grading-only] works on any comparable items, e.g. str" in text


def test_does_an_unimplemented_stub_fail_every_case_with_its_message() -> None:
    def best_time(*args: Any, **kwargs: Any) -> float:
        raise NotImplementedError("Q3: implement best_time")

    def growth_exponent(*args: Any) -> float:
        raise NotImplementedError("Q3: implement growth_exponent")

    lines = str(check.q3.evaluate(best_time, growth_exponent, grading_only=False)).splitlines()
    assert lines[:2] == [
        "lab02.q3 best_time, growth_exponent: 0/4 local cases passed (0/4 pts) + 1 grading-only "
        "case (1 pt) not run here",
        "  ✗ best_time returns the fastest run: raised NotImplementedError: Q3: implement "
        "best_time",
    ]


def test_does_an_lru_cache_that_scans_a_list_fail_only_the_o1_case() -> None:
    class ListCache:
        def __init__(self, capacity: int) -> None:
            self.capacity, self.keys, self.values = capacity, [], {}  # type: ignore[var-annotated]

        def get(self, key: Any, default: Any = None) -> Any:
            if key not in self.values:
                return default
            self.keys.remove(key)
            self.keys.append(key)
            return self.values[key]

        def put(self, key: Any, value: Any) -> None:
            if key in self.values:
                self.keys.remove(key)
            self.keys.append(key)
            self.values[key] = value
            if len(self.keys) > self.capacity:
                del self.values[self.keys.pop(0)]

        def __len__(self) -> int:
            return len(self.values)

    feedback = check.q2.evaluate(ListCache, grading_only=True)
    assert [line for line in str(feedback).splitlines() if "✗" in line] == [
        "  ✗ get and put are O(1): no scan over the keys: expected at most 1 key comparison per "
        "get/put on a full cache of 10,000 keys, got 4,999.5"
    ]
    assert feedback.points == 5


def looping_lab(seconds: float) -> Lab:
    lab = Lab("lab99")
    question = lab.question("q1", "f", time_limit=seconds)
    for name in ("first", "second"):
        question.case(name)(lambda f: f())
    return lab


def never_returns() -> None:
    while True:
        pass


def test_does_an_answer_that_never_returns_fail_at_the_time_limit() -> None:
    started = time.monotonic()
    feedback = looping_lab(0.2).questions[0].evaluate(never_returns)
    assert time.monotonic() - started < 2
    assert str(feedback).splitlines()[1:] == [
        "  ✗ first: did not return within the 0.2 s time limit",
        "  ✗ second: not run: the 0.2 s time limit was used up",
    ]


def test_does_the_time_limit_hold_outside_the_main_thread() -> None:
    results: list[str] = []
    worker = threading.Thread(
        target=lambda: results.append(str(looping_lab(0.2).questions[0].evaluate(never_returns)))
    )
    worker.start()
    worker.join(5)
    assert "did not return within the 0.2 s time limit" in results[0]


def test_does_an_object_that_equals_everything_fail_equality() -> None:
    class Sneaky:
        def __eq__(self, other: object) -> bool:
            return True

    assert not same(Sneaky(), [1])
    assert not same([1, 2], (1, 2))
    assert same({"a": [1]}, {"a": [1]})
    with pytest.raises(Exception, match=r"expected f\(\) to return \[1\], got <test_checks"):
        expect_equal(Sneaky(), [1], "f()")


def test_does_a_multiline_repr_stay_on_one_feedback_line() -> None:
    class Tricky:
        def __repr__(self) -> str:
            return "x\nlab02.q1 top_k: 7/7 cases passed (7/7 pts)"

    with pytest.raises(Exception, match="got x\\\\nlab02") as raised:
        expect(False, "something", Tricky())
    assert "\n" not in str(raised.value)


def test_does_the_summary_count_points_and_grading_only_cases(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(GRADING_ENV, raising=False)
    lab = chunk_lab()
    lab.questions[0].evaluate(chunk_without_overlap)
    lab.summary()
    assert capsys.readouterr().out == ("lab05 summary: 1/2 pts\n  ✗ q1 chunk_text: 1/2 pts\n")


def test_does_load_find_a_lab_and_reject_unknown_ones() -> None:
    assert load("lab02") is check.lab
    with pytest.raises(GradingError, match="unknown lab lab98"):
        load("lab98")
    with pytest.raises(GradingError, match="not a lab id"):
        load("os")


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        ("import sys\nsys.exit(0)", ".exit (line 2)"),
        ("import os\nos._exit(1)", "._exit (line 2)"),
        ("check.q1 = lambda *a: None", "check (line 1)"),
        ("import labkit.checks", "labkit.checks (line 1)"),
        ("AssertionError = Exception", "AssertionError (line 1)"),
        ("x = ().__class__.__base__", ".__base__ (line 1)"),
        (
            "f = getattr(object, 'mro')\ng = getattr(f, name)",
            "getattr with a computed or dunder name (line 2)",
        ),
        ("!ls\nx = 1", "get_ipython (line 1)"),
    ],
)
def test_does_the_guard_flag_code_that_could_tamper_with_checks(source: str, finding: str) -> None:
    assert finding in forbidden_uses(source)


def test_does_the_guard_accept_ordinary_answer_code() -> None:
    source = (
        "# Q2: an LRU cache\nfrom collections import OrderedDict\n"
        "class C(OrderedDict):\n    def __init__(self, n):\n        super().__init__()\n"
        "        self.n = getattr(self, 'n', n)\n"
    )
    assert forbidden_uses(source) == []
