"""Lab checks: cases with points and hints, deterministic feedback, and time limits."""

from __future__ import annotations

import html
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

GRADING_ENV = "LABKIT_GRADING"
"""Set to ``1`` by ``labkit grade``: questions then also run their grading-only cases."""

_REPR_LIMIT = 60


def grading() -> bool:
    """Whether grading-only cases run: true when ``LABKIT_GRADING=1``, read at call time."""
    return os.environ.get(GRADING_ENV, "") == "1"


def _cut(text: str) -> str:
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def short_repr(value: object, *, to_text: Callable[[object], str] = repr) -> str:
    """Return a ``repr`` (or ``to_text``) on one line, cut short, and safe when it raises."""
    try:
        return _cut(to_text(value).replace("\n", "\\n"))
    except Exception as error:  # a learner's __repr__ may raise anything
        return f"<unprintable {type(value).__name__}: {type(error).__name__}>"


class Text(str):
    """A measurement that feedback shows as is, without the quotes of a ``repr``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


class CaseFailed(Exception):
    """A case's expectation does not hold; the message reads ``expected …, got …``."""

    def __init__(self, expected: str, got: object) -> None:
        super().__init__(f"expected {expected}, got {short_repr(got)}")


def expect(condition: bool, expected: str, got: object) -> None:
    """Fail the case unless ``condition`` holds.

    Args:
        condition: What must be true.
        expected: What was expected, in words, e.g. ``"chunks[1] to start with 'b'"``.
        got: What the answer gave instead; shown through :func:`short_repr`.

    """
    if not condition:
        raise CaseFailed(expected, got)


def same(got: object, expected: object) -> bool:
    """Equal values of exactly the same types, recursively through lists, tuples and dicts.

    The type check comes first, so an object whose ``__eq__`` always says True is not equal.
    """
    if type(got) is not type(expected):
        return False
    if isinstance(expected, list | tuple):
        assert isinstance(got, list | tuple)
        return len(got) == len(expected) and all(map(same, got, expected))
    if isinstance(expected, dict):
        assert isinstance(got, dict)
        return list(got) == list(expected) and all(same(got[k], v) for k, v in expected.items())
    return bool(got == expected)


def expect_equal(got: object, expected: object, call: str) -> None:
    """Fail the case unless ``got`` is :func:`same` as ``expected``.

    Args:
        got: What the answer returned.
        expected: The right value.
        call: The call that returned ``got``, e.g. ``"top_k([5, 1, 9], 2)"``.

    """
    expect(same(got, expected), f"{call} to return {short_repr(expected)}", got)


class CheckTimeout(BaseException):
    """An answer did not return within its question's time limit.

    A ``BaseException``, so an answer's ``except Exception`` cannot swallow it.
    """


def _on_alarm(signum: int, frame: object) -> None:
    raise CheckTimeout


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_with_time_limit(run: Callable[[], None], seconds: float) -> None:
    """Run ``run()``; raise :class:`CheckTimeout` if it has not returned after ``seconds``.

    In the main thread (a notebook cell) a ``SIGALRM`` timer interrupts the answer. Elsewhere
    the answer runs in a daemon thread that is abandoned, still running, when time is up.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            run()
        return
    raised: list[BaseException] = []

    def target() -> None:
        try:
            run()
        except BaseException as error:  # handed back to the calling thread
            raised.append(error)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CheckTimeout
    if raised:
        raise raised[0]


@dataclass(frozen=True)
class Case:
    """One thing a question checks, worth ``points`` when it holds."""

    name: str
    run: Callable[..., None]
    points: int = 1
    hint: str = ""
    grading_only: bool = False


@dataclass(frozen=True)
class CaseResult:
    """A case that ran: ``detail`` says what went wrong, empty when it passed."""

    case: Case
    detail: str = ""
    ran: bool = True

    @property
    def passed(self) -> bool:
        """Whether the case held."""
        return not self.detail

    def lines(self) -> list[str]:
        """Return the feedback lines for this case."""
        tag = "[grading-only] " if self.case.grading_only else ""
        if self.passed:
            return [f"  ✓ {tag}{self.case.name}"]
        hint = [f"    hint: {self.case.hint}"] if self.case.hint and self.ran else []
        return [f"  ✗ {tag}{self.case.name}: {self.detail}", *hint]


def _lines_to_html(text: str) -> str:
    colours = {"✓": "#1a7f37", "✗": "#cf222e", "h": "#6e7781"}
    rows = []
    for line in text.splitlines():
        colour = colours.get(line.strip()[:1], "inherit")
        rows.append(f'<span style="color:{colour}">{html.escape(line)}</span>')
    return '<pre class="labkit-feedback">' + "\n".join(rows) + "</pre>"


@dataclass(frozen=True)
class Feedback:
    """The outcome of one question: deterministic text, with an HTML repr that says the same."""

    question: Question
    results: tuple[CaseResult, ...]
    not_run: tuple[Case, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether every case that ran held."""
        return all(result.passed for result in self.results)

    @property
    def points(self) -> int:
        """Points earned by the cases that held."""
        return sum(result.case.points for result in self.results if result.passed)

    def __str__(self) -> str:
        question = self.question
        passed = sum(result.passed for result in self.results)
        ran_points = sum(result.case.points for result in self.results)
        head = f"{question.label} {question.answer_name}: {passed}/{len(self.results)}"
        if self.not_run:
            hidden = sum(case.points for case in self.not_run)
            count = len(self.not_run)
            head += (
                f" local cases passed ({self.points}/{ran_points} pts)"
                f" + {count} grading-only case{'s' * (count != 1)}"
                f" ({hidden} pt{'s' * (hidden != 1)}) not run here"
            )
        else:
            head += f" cases passed ({self.points}/{ran_points} pts)"
        return "\n".join([head, *(line for result in self.results for line in result.lines())])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _lines_to_html(str(self))


def show(feedback: object) -> None:
    """Display rich feedback in a notebook, or print it elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display as ipython_display
    except ImportError:  # pragma: no cover - IPython ships with every kernel
        print(feedback)
        return
    if get_ipython() is None:
        print(feedback)
    else:
        ipython_display(feedback)  # type: ignore[no-untyped-call]


@dataclass
class Question:
    """A graded question: its cases, and the answer name the feedback shows.

    Example:
        >>> q1 = lab.question("q1", "top_k")
        >>> @q1.case("keeps the largest", hint="a min-heap of size k")
        ... def _(top_k):
        ...     expect_equal(top_k([5, 1, 9], 2), [9, 5], "top_k([5, 1, 9], 2)")

    """

    lab_id: str
    name: str
    answer_name: str
    time_limit: float = 10.0
    cases: list[Case] = field(default_factory=list, repr=False)
    last: Feedback | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """``lab02.q1``: how feedback and the gradebook name the question."""
        return f"{self.lab_id}.{self.name}"

    @property
    def max_points(self) -> int:
        """Points for every case, grading-only ones included."""
        return sum(case.points for case in self.cases)

    def case(
        self, name: str, *, points: int = 1, hint: str = "", grading_only: bool = False
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Declare a case: a function of the answer(s) that fails through :func:`expect`."""

        def register(run: Callable[..., None]) -> Callable[..., None]:
            self.cases.append(Case(name, run, points, hint, grading_only))
            return run

        return register

    def evaluate(self, *answers: Any, grading_only: bool | None = None) -> Feedback:
        """Run the cases against the answer(s) and return the feedback; never raises.

        Args:
            answers: What the learner passed to the check, e.g. their ``top_k`` function.
            grading_only: Also run grading-only cases; defaults to :func:`grading`.

        """
        run_hidden = grading() if grading_only is None else grading_only
        to_run = [case for case in self.cases if run_hidden or not case.grading_only]
        deadline = time.monotonic() + self.time_limit
        results = []
        for case in to_run:
            left = deadline - time.monotonic()
            if left <= 0:
                detail = f"not run: the {self.time_limit:g} s time limit was used up"
                results.append(CaseResult(case, detail, ran=False))
            else:
                results.append(CaseResult(case, _run_case(case, answers, left, self.time_limit)))
        not_run = tuple(case for case in self.cases if case not in to_run)
        self.last = Feedback(self, tuple(results), not_run)
        return self.last

    def __call__(self, *answers: Any) -> None:
        """Check the answer(s): show the feedback, and raise ``AssertionError`` on a failure."""
        feedback = self.evaluate(*answers)
        show(feedback)
        if not feedback.passed:
            raise AssertionError(str(feedback))


def _run_case(case: Case, answers: tuple[Any, ...], seconds: float, limit: float) -> str:
    try:
        run_with_time_limit(lambda: case.run(*answers), seconds)
    except CheckTimeout:
        return f"did not return within the {limit:g} s time limit"
    except CaseFailed as failure:
        return str(failure)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # whatever the answer raised fails this case only
        return f"raised {type(error).__name__}: {short_repr(error, to_text=str)}"
    return ""


@dataclass(frozen=True)
class Summary:
    """Where a lab stands: points per question checked so far in this session."""

    lab: Lab

    def __str__(self) -> str:
        questions = self.lab.questions
        earned = sum(q.last.points for q in questions if q.last is not None)
        total = sum(q.max_points for q in questions)
        hidden = sum(case.points for q in questions for case in q.cases if case.grading_only)
        lines = [f"{self.lab.lab_id} summary: {earned}/{total} pts"]
        for q in questions:
            if q.last is None:
                lines.append(f"  · {q.name} {q.answer_name}: not checked yet")
                continue
            ran = sum(result.case.points for result in q.last.results)
            mark = "✓" if q.last.passed else "✗"
            lines.append(f"  {mark} {q.name} {q.answer_name}: {q.last.points}/{ran} pts")
        if hidden and not grading():
            lines.append(
                f"  {hidden} pts come from grading-only cases, which run only when you are graded"
            )
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _lines_to_html(str(self))


@dataclass
class Lab:
    """A lab's questions, in order; its module exposes them as ``q1``, ``q2`` … ``summary``."""

    lab_id: str
    questions: list[Question] = field(default_factory=list)

    def question(self, name: str, answer_name: str, *, time_limit: float = 10.0) -> Question:
        """Declare the lab's next question, e.g. ``lab.question("q1", "top_k")``."""
        question = Question(self.lab_id, name, answer_name, time_limit)
        self.questions.append(question)
        return question

    def summary(self) -> None:
        """Show the points of every question checked so far; this closes every lab."""
        show(Summary(self))
