"""Checks for lab71, drift detection and alerting: PSI, a windowed monitor, SLO burn rates.

The reference functions here (:func:`psi`, :func:`quality_problems`, :func:`monitor_windows`,
:func:`burn_rate`, :func:`budget_left`, :func:`should_page`) are also what the Phase 7
monitoring notebooks use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab71")
q1 = lab.question("q1", "psi")
q2 = lab.question("q2", "quality_problems, monitor_windows", time_limit=20.0)
q3 = lab.question("q3", "burn_rate, budget_left, should_page")
summary = lab.summary

EPSILON = 1e-4
PSI_ALERT = 0.2
FAST_BURN, SLOW_BURN = 14.4, 6.0
WINDOWS = ("5m", "30m", "1h", "6h")
Counts = dict[str, tuple[int, int]]


def _numeric(sample: Sequence[float] | np.ndarray | pd.Series, name: str) -> np.ndarray:
    values = np.asarray(sample)
    if values.size == 0:
        raise ValueError(f"{name} is empty: PSI needs at least one value in each sample")
    if not np.issubdtype(values.dtype, np.number) or np.issubdtype(values.dtype, np.bool_):
        raise TypeError(f"{name} must hold numbers, got dtype {values.dtype}")
    return values.astype(float).ravel()


def psi(
    reference: Sequence[float] | np.ndarray | pd.Series,
    current: Sequence[float] | np.ndarray | pd.Series,
    bins: int = 10,
) -> float:
    """Return the population stability index of ``current`` against ``reference``.

    Bin edges are the reference's quantiles (duplicates dropped, outer edges open), empty bins
    get a proportion of ``EPSILON``, and PSI = sum((cur - ref) * ln(cur / ref)).

    Raises:
        ValueError: A sample is empty or ``bins`` < 1.
        TypeError: A sample does not hold numbers.

    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    ref, cur = _numeric(reference, "reference"), _numeric(current, "current")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    if len(edges) < 2:
        edges = np.array([-np.inf, np.inf])
    ref_share = np.histogram(ref, edges)[0] / ref.size
    cur_share = np.histogram(cur, edges)[0] / cur.size
    ref_share = np.where(ref_share == 0, EPSILON, ref_share)
    cur_share = np.where(cur_share == 0, EPSILON, cur_share)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def quality_problems(
    window: pd.DataFrame, valid_ranges: dict[str, tuple[float, float]]
) -> list[str]:
    """Return what is wrong with a window before scoring it; an empty list means it may pass.

    Each problem starts with the column's name, e.g. ``"age: 3 null values"``.
    """
    if len(window) == 0:
        return ["window: no rows"]
    problems = []
    for column, (low, high) in valid_ranges.items():
        if column not in window.columns:
            problems.append(f"{column}: column missing")
            continue
        values = window[column]
        nulls = int(values.isna().sum())
        if nulls:
            problems.append(f"{column}: {nulls} null values")
        outside = int(((values < low) | (values > high)).sum())
        if outside:
            problems.append(f"{column}: {outside} rows outside [{low}, {high}]")
    return problems


def monitor_windows(
    reference: pd.DataFrame,
    windows: Sequence[pd.DataFrame],
    valid_ranges: dict[str, tuple[float, float]],
    psi_fn: Callable[..., float] = psi,
    threshold: float = PSI_ALERT,
) -> list[dict[str, Any]]:
    """Gate each window on data quality, then compute PSI per column of ``valid_ranges``.

    Returns one dict per window: ``window`` (its index), ``status`` (``"blocked"``, ``"drift"``
    or ``"ok"``), ``drifted`` (sorted columns with PSI above ``threshold``) and ``problems``.
    """
    report = []
    for index, window in enumerate(windows):
        problems = quality_problems(window, valid_ranges)
        drifted = []
        if not problems:
            drifted = sorted(
                column
                for column in valid_ranges
                if psi_fn(reference[column], window[column]) > threshold
            )
        status = "blocked" if problems else "drift" if drifted else "ok"
        report.append({"window": index, "status": status, "drifted": drifted, "problems": problems})
    return report


def burn_rate(bad: int, total: int, slo: float) -> float:
    """How many times faster than allowed the error budget burns: error ratio / (1 - slo)."""
    if not 0 < slo < 1:
        raise ValueError(f"slo must be between 0 and 1 (e.g. 0.999), got {slo}")
    if bad < 0 or total < 0 or bad > total:
        raise ValueError(f"need 0 <= bad <= total, got bad={bad}, total={total}")
    return 0.0 if total == 0 else (bad / total) / (1 - slo)


def budget_left(bad: int, total: int, slo: float) -> float:
    """Share of the period's error budget still unspent: 1 - bad / ((1 - slo) * total)."""
    spent = burn_rate(bad, total, slo)  # same validation; burn over the whole period = spent
    return 1.0 - spent


def should_page(counts: Counts, slo: float) -> bool:
    """Multi-window, multi-burn-rate paging: (1h and 5m > 14.4) or (6h and 30m > 6)."""
    missing = [window for window in WINDOWS if window not in counts]
    if missing:
        raise KeyError(f"counts needs (bad, total) for windows {list(WINDOWS)}; missing {missing}")
    rate = {window: burn_rate(*counts[window], slo) for window in WINDOWS}
    fast = rate["1h"] > FAST_BURN and rate["5m"] > FAST_BURN
    slow = rate["6h"] > SLOW_BURN and rate["30m"] > SLOW_BURN
    return fast or slow


def _close(got: object, expected: float, tolerance: float = 1e-6) -> bool:
    return isinstance(got, int | float) and math.isclose(got, expected, abs_tol=tolerance)


def _raises(function: Callable[..., object], error: type[Exception], *args: object) -> str:
    try:
        function(*args)
    except error:
        return "raised"
    except Exception as other:  # the wrong kind of error is the feedback itself
        return f"{type(other).__name__}: {other}"
    return "no error"


def _normal(seed: int, size: int, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(loc, scale, size)


@q1.case("gives 0 for identical samples", hint="sum((cur - ref) * ln(cur / ref)) is 0 if equal")
def _identical(answer: Callable[..., float]) -> None:
    sample = _normal(1, 1_000)
    got = answer(sample, sample.copy())
    expect(_close(got, 0.0), "psi(x, x) == 0", got)


@q1.case(
    "matches the reference on a shifted normal",
    hint="edges = np.quantile(reference, np.linspace(0, 1, bins + 1)); open the outer edges",
)
def _shifted(answer: Callable[..., float]) -> None:
    reference, current = _normal(2, 2_000), _normal(3, 1_000, loc=0.5)
    expected = psi(reference, current)
    got = answer(reference, current)
    expect(_close(got, expected), f"{expected:.6f} for a 0.5-sd shift", got)


@q1.case(
    "stays finite with empty bins, using epsilon",
    hint="replace a zero share by EPSILON = 1e-4 before dividing and taking the log",
)
def _empty_bins(answer: Callable[..., float]) -> None:
    reference, current = _normal(4, 1_000), _normal(5, 500, loc=4.0)
    expected = psi(reference, current)
    got = answer(reference, current)
    expect(_close(got, expected, 1e-4), f"{expected:.4f} when most bins are empty", got)


@q1.case("honours bins and works on a pandas Series", hint="use the bins argument")
def _bins(answer: Callable[..., float]) -> None:
    reference, current = pd.Series(_normal(6, 800)), pd.Series(_normal(7, 800, scale=1.5))
    expected = psi(reference, current, bins=5)
    got = answer(reference, current, bins=5)
    expect(_close(got, expected), f"{expected:.6f} with bins=5", got)


@q1.case(
    "rejects empty and non-numeric samples with clear errors",
    hint="raise ValueError for an empty sample, TypeError for strings",
)
def _bad_input(answer: Callable[..., float]) -> None:
    got = _raises(answer, ValueError, [], [1.0, 2.0])
    expect(got == "raised", "ValueError for an empty reference", Text(got))
    got = _raises(answer, ValueError, [1.0, 2.0], [])
    expect(got == "raised", "ValueError for an empty current sample", Text(got))
    got = _raises(answer, TypeError, [1.0, 2.0, 3.0], ["a", "b"])
    expect(got == "raised", "TypeError for a sample of strings", Text(got))


@q1.case("handles many ties (integer scores) like the reference", grading_only=True)
def _ties(answer: Callable[..., float]) -> None:
    rng = np.random.default_rng(8)
    reference, current = rng.integers(0, 4, 1_000), rng.integers(1, 5, 1_000)
    expected = psi(reference, current)
    got = answer(reference, current)
    expect(_close(got, expected, 1e-4), f"{expected:.4f} on integers 0-3 vs 1-4", got)


@q1.case("matches the reference on a skewed income-like sample", grading_only=True)
def _skewed(answer: Callable[..., float]) -> None:
    rng = np.random.default_rng(9)
    reference, current = rng.lognormal(10, 0.5, 3_000), rng.lognormal(10.2, 0.6, 1_500)
    expected = psi(reference, current, bins=20)
    got = answer(reference, current, bins=20)
    expect(_close(got, expected), f"{expected:.6f} with bins=20", got)


VALID_RANGES = {"age": (18.0, 100.0), "income": (0.0, 1e6)}
DRIFT_AT = 5


def simulated_traffic(
    seed: int, n_windows: int = 8, size: int = 400
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Return a reference frame and windows where income drifts up from window ``DRIFT_AT``.

    Window 2 holds null ages and window 3 an impossible age, so the quality gate must block
    them.
    """
    rng = np.random.default_rng(seed)

    def frame(income_shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.integers(18, 80, size).astype(float),
                "income": rng.lognormal(10.5 + income_shift, 0.4, size),
            }
        )

    reference = frame(0.0)
    windows = [frame(0.4 if index >= DRIFT_AT else 0.0) for index in range(n_windows)]
    windows[2].loc[[3, 17, 40], "age"] = np.nan
    windows[3].loc[5, "age"] = 230.0
    return reference, windows


def _statuses(report: object) -> list[object]:
    if not isinstance(report, list) or not all(isinstance(row, dict) for row in report):
        return [report]
    return [row.get("status") for row in report]


@q2.case("passes a clean window", hint="return [] when every column is present and in range")
def _clean(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    _, windows = simulated_traffic(10)
    expect_equal(quality(windows[0], VALID_RANGES), [], "quality_problems(<clean window>)")


@q2.case(
    "names the column with nulls or out-of-range rows",
    hint="one problem per bad column, starting with the column's name",
)
def _dirty(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    _, windows = simulated_traffic(10)
    for index in (2, 3):
        got = quality(windows[index], VALID_RANGES)
        ok = isinstance(got, list) and len(got) >= 1 and all(str(p).startswith("age") for p in got)
        expect(ok, f"problems about 'age' for window {index}", got)


@q2.case("blocks an empty window or a missing column", hint="len(window) == 0 is a problem")
def _empty_window(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    empty = pd.DataFrame({"age": pd.Series([], dtype=float), "income": pd.Series([], dtype=float)})
    got = quality(empty, VALID_RANGES)
    expect(isinstance(got, list) and len(got) >= 1, "at least one problem for 0 rows", got)
    got = quality(pd.DataFrame({"age": [30.0]}), VALID_RANGES)
    expect(
        isinstance(got, list) and any("income" in str(p) for p in got), "an 'income' problem", got
    )


@q2.case(
    "alerts at the injected drift window and not before",
    points=2,
    hint="status is 'blocked' if quality_problems is non-empty, else 'drift' if any PSI > 0.2",
)
def _alerts(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    reference, windows = simulated_traffic(10)
    expected = _statuses(monitor_windows(reference, windows, VALID_RANGES))
    got = _statuses(monitor(reference, windows, VALID_RANGES))
    expect(got == expected, f"statuses {expected}", got)


@q2.case("reports which column drifted", hint="drifted = sorted columns with PSI > threshold")
def _drifted(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    reference, windows = simulated_traffic(10)
    got = monitor(reference, windows, VALID_RANGES)
    expect(isinstance(got, list) and len(got) == len(windows), f"{len(windows)} rows", got)
    expect_equal(got[DRIFT_AT].get("drifted"), ["income"], f"report[{DRIFT_AT}]['drifted']")


@q2.case("finds the same windows on another seed and drift point", grading_only=True, points=2)
def _other_seed(quality: Callable[..., list[str]], monitor: Callable[..., Any]) -> None:
    reference, windows = simulated_traffic(11, n_windows=10, size=300)
    windows = [*windows[:DRIFT_AT], windows[0].copy(), *windows[DRIFT_AT:]]
    expected = _statuses(monitor_windows(reference, windows, VALID_RANGES))
    got = _statuses(monitor(reference, windows, VALID_RANGES))
    expect(got == expected, f"statuses {expected}", got)


SLO = 0.999


def _page(counts_per_window: dict[str, float], total: int = 100_000) -> Counts:
    """Return counts where each window's error ratio is ``burn * (1 - SLO)``."""
    return {w: (round(burn * (1 - SLO) * total), total) for w, burn in counts_per_window.items()}


@q3.case("computes burn rate and budget left", hint="burn = (bad / total) / (1 - slo)")
def _rates(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    expect(
        _close(burn(10, 1_000, 0.99), 1.0),
        "burn_rate(10, 1000, 0.99) == 1.0",
        burn(10, 1_000, 0.99),
    )
    expect(
        _close(burn(0, 0, 0.999), 0.0),
        "burn_rate(0, 0, 0.999) == 0.0 (no traffic)",
        burn(0, 0, 0.999),
    )
    expect(
        _close(left(250, 1_000_000, 0.999), 0.75),
        "budget_left(250, 1e6, 0.999) == 0.75",
        left(250, 1_000_000, 0.999),
    )
    expect(
        _close(left(2_000, 1_000_000, 0.999), -1.0),
        "budget_left(...) == -1.0 when overspent",
        left(2_000, 1_000_000, 0.999),
    )


@q3.case("rejects impossible inputs", hint="raise ValueError for slo outside (0, 1) or bad > total")
def _invalid(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    for args in [(1, 10, 1.0), (1, 10, 0.0), (11, 10, 0.99), (-1, 10, 0.99)]:
        got = _raises(burn, ValueError, *args)
        expect(got == "raised", f"ValueError for burn_rate{args}", Text(got))


@q3.case("pages for a fast burn", hint="(1h > 14.4 and 5m > 14.4) or (6h > 6 and 30m > 6)")
def _fast(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    counts = _page({"5m": 30, "30m": 25, "1h": 20, "6h": 4})
    expect_equal(page(counts, SLO), True, "should_page(<1h burn 20, 5m burn 30>)")


@q3.case(
    "does not page for a brief blip or a burn that already stopped",
    hint="both windows of a pair must exceed the rate: long = significant, short = still on",
)
def _blip(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    blip = _page({"5m": 50, "30m": 5, "1h": 3, "6h": 1})
    expect_equal(page(blip, SLO), False, "should_page(<5m burn 50, 1h burn 3>)")
    stopped = _page({"5m": 0.5, "30m": 4, "1h": 16, "6h": 7})
    expect_equal(page(stopped, SLO), False, "should_page(<1h burn 16 but 5m burn 0.5>)")


@q3.case("pages for a slow burn over 6h and 30m", grading_only=True)
def _slow(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    counts = _page({"5m": 8, "30m": 8, "1h": 8, "6h": 8})
    expect_equal(page(counts, SLO), True, "should_page(<every window burning at 8>)")
    counts = _page({"5m": 14, "30m": 5.9, "1h": 14, "6h": 5.9})
    expect_equal(page(counts, SLO), False, "should_page(<just under both thresholds>)")


@q3.case("says which window is missing", grading_only=True)
def _missing(
    burn: Callable[..., float], left: Callable[..., float], page: Callable[..., bool]
) -> None:
    got = _raises(page, KeyError, {"5m": (0, 10), "1h": (0, 10)}, SLO)
    expect(got == "raised", "KeyError when the 30m and 6h counts are missing", Text(got))
