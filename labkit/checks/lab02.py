"""Checks for lab02, practical data structures: streaming top-k, an LRU cache, measuring growth."""

from __future__ import annotations

import math
import random
import statistics
import tracemalloc
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab02")
q1 = lab.question("q1", "top_k")
q2 = lab.question("q2", "LRUCache")
q3 = lab.question("q3", "best_time, growth_exponent")
summary = lab.summary


class Counted:
    """An item that counts the comparisons made on it, to measure an algorithm's work."""

    comparisons = 0
    equalities = 0
    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __lt__(self, other: Counted) -> bool:
        Counted.comparisons += 1
        return self.value < other.value

    def __gt__(self, other: Counted) -> bool:
        Counted.comparisons += 1
        return self.value > other.value

    def __le__(self, other: Counted) -> bool:
        Counted.comparisons += 1
        return self.value <= other.value

    def __ge__(self, other: Counted) -> bool:
        Counted.comparisons += 1
        return self.value >= other.value

    def __eq__(self, other: object) -> bool:
        Counted.equalities += 1
        return isinstance(other, Counted) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Counted({self.value})"


def _shuffled(n: int, seed: int = 2) -> list[int]:
    values = list(range(n))
    random.Random(seed).shuffle(values)
    return values


def _comparisons(top_k: Callable[..., Any], n: int, k: int) -> int:
    Counted.comparisons = 0
    top_k((Counted(value) for value in _shuffled(n)), k)
    return Counted.comparisons


@q1.case("returns the k largest, largest first", hint="keep a min-heap of the k best so far")
def _largest_first(top_k: Callable[..., Any]) -> None:
    expect_equal(top_k([5, 1, 9, 3, 7], 3), [9, 7, 5], "top_k([5, 1, 9, 3, 7], 3)")


@q1.case("handles k = 0 and k above the stream's length", hint="return [] when k <= 0")
def _edges(top_k: Callable[..., Any]) -> None:
    expect_equal(top_k([2, 1], 0), [], "top_k([2, 1], 0)")
    expect_equal(top_k([2, 1], 5), [2, 1], "top_k([2, 1], 5)")


@q1.case("reads a generator once and keeps duplicates")
def _generator(top_k: Callable[..., Any]) -> None:
    expect_equal(top_k(iter([3, 8, 3, 8, 1]), 3), [8, 8, 3], "top_k(iter([3, 8, 3, 8, 1]), 3)")


@q1.case(
    "keeps only about k items in memory",
    hint="don't build a list of the whole stream; heapq.heapreplace keeps the heap at size k",
)
def _memory(top_k: Callable[..., Any]) -> None:
    stream = (value * 7919 % 100_000 for value in range(100_000))
    tracemalloc.start()
    try:
        top_k(stream, 10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rounded = f"about {peak / 1e6:.1f} MB" if peak >= 1e6 else f"about {peak // 1000:,} kB"
    expect(peak < 64_000, "a peak under 64 kB for n=100,000, k=10", Text(rounded))


@q1.case(
    "does O(n log k) work, not O(n log n)",
    hint="compare each item with heap[0] and skip it unless it beats the k-th best",
)
def _growth(top_k: Callable[..., Any]) -> None:
    ratio = _comparisons(top_k, 20_000, 10) / _comparisons(top_k, 2_000, 10)
    expect(
        ratio <= 11.5,
        "comparisons to grow at most 11.5x when n grows 10x (sorting grows 13.5x)",
        Text(f"{ratio:.2f}x"),
    )


@q1.case("matches sorted() on a long stream with ties and negatives", grading_only=True)
def _reference(top_k: Callable[..., Any]) -> None:
    rng = random.Random(7)
    values = [rng.randint(-50, 50) for _ in range(5_000)]
    expected = sorted(values, reverse=True)[:25]
    expect_equal(top_k(iter(values), 25), expected, "top_k(<5,000 ints from -50 to 50>, 25)")


@q1.case("works on any comparable items, e.g. str", grading_only=True)
def _strings(top_k: Callable[..., Any]) -> None:
    words = ["pear", "apple", "fig", "kiwi"]
    expect_equal(top_k(words, 2), ["pear", "kiwi"], f"top_k({words!r}, 2)")


@q2.case("get returns what put stored, and the default for a missing key")
def _get_put(cache_class: type) -> None:
    cache = cache_class(2)
    cache.put("a", 1)
    expect_equal(cache.get("a"), 1, "get('a') after put('a', 1)")
    expect_equal(cache.get("zz"), None, "get('zz') for a missing key")
    expect_equal(cache.get("zz", -1), -1, "get('zz', -1)")


@q2.case(
    "evicts the least recently used key when full",
    hint="when len(cache) > capacity, drop the oldest key",
)
def _evicts(cache_class: type) -> None:
    cache = cache_class(2)
    for key, value in [("a", 1), ("b", 2), ("c", 3)]:
        cache.put(key, value)
    expect_equal(cache.get("a"), None, "get('a') after put a, b, c with capacity 2")
    expect_equal(len(cache), 2, "len(cache)")


@q2.case("get makes a key the most recently used", hint="move the key to the end on get")
def _get_refreshes(cache_class: type) -> None:
    cache = cache_class(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    expect_equal(cache.get("b"), None, "get('b') after put a, put b, get a, put c")
    expect_equal(cache.get("a"), 1, "get('a') after put a, put b, get a, put c")


@q2.case("put on a stored key updates it and makes it recent, without growing")
def _put_updates(cache_class: type) -> None:
    cache = cache_class(2)
    for key, value in [("a", 1), ("b", 2), ("a", 3), ("c", 4)]:
        cache.put(key, value)
    expect_equal(cache.get("a"), 3, "get('a') after put a=1, b=2, a=3, c=4")
    expect_equal(cache.get("b"), None, "get('b') after put a=1, b=2, a=3, c=4")


@q2.case(
    "get and put are O(1): no scan over the keys",
    hint="a dict finds keys in O(1); list.remove and deque.remove scan every key",
)
def _constant_time(cache_class: type) -> None:
    keys = [Counted(value) for value in range(10_000)]
    cache = cache_class(len(keys))
    for key in keys:
        cache.put(key, key.value)
    Counted.equalities = 0
    for key in keys[:1_000]:
        cache.get(key)
        cache.put(key, 0)
    per_operation = Counted.equalities / 2_000
    expect(
        per_operation <= 1,
        "at most 1 key comparison per get/put on a full cache of 10,000 keys",
        Text(f"{per_operation:,.1f}"),
    )


@q2.case("matches a reference over 5,000 random operations", grading_only=True)
def _random_ops(cache_class: type) -> None:
    rng = random.Random(11)
    cache, reference = cache_class(50), OrderedDict[int, int]()
    for step in range(5_000):
        key = rng.randrange(120)
        if rng.random() < 0.5:
            cache.put(key, step)
            reference[key] = step
            reference.move_to_end(key)
            if len(reference) > 50:
                reference.popitem(last=False)
        else:
            expected = reference.get(key)
            if key in reference:
                reference.move_to_end(key)
            expect_equal(cache.get(key), expected, f"get({key}) at step {step}")


def _fake_clock(
    durations: list[float],
) -> tuple[Callable[[], float], Callable[[], None], list[int]]:
    """Return a fake clock, a run() that advances it by the next duration, and its calls."""
    now = [0.0]
    calls = [0]
    steps: Iterator[float] = iter(durations)

    def clock() -> float:
        return now[0]

    def run() -> None:
        calls[0] += 1
        now[0] += next(steps, 1.0)

    return clock, run, calls


@q3.case(
    "best_time returns the fastest run",
    hint="noise only ever adds time, so the minimum is the best estimate",
)
def _fastest(best_time: Callable[..., float], growth_exponent: Callable[..., float]) -> None:
    clock, run, _ = _fake_clock([5.0, 2.0, 9.0, 1.5, 4.0])
    expect_equal(best_time(run, repeat=5, clock=clock), 1.5, "best_time(<runs of 5, 2, 9, 1.5, 4>)")


@q3.case("best_time calls run exactly repeat times")
def _repeats(best_time: Callable[..., float], growth_exponent: Callable[..., float]) -> None:
    clock, run, calls = _fake_clock([1.0] * 10)
    best_time(run, repeat=7, clock=clock)
    expect_equal(calls[0], 7, "the number of run() calls for repeat=7")


@q3.case(
    "growth_exponent finds 1 for linear and 2 for quadratic costs",
    hint="fit a line to (log size, log cost); its slope is the exponent",
)
def _exponents(best_time: Callable[..., float], growth_exponent: Callable[..., float]) -> None:
    sizes = [1_000, 2_000, 4_000, 8_000]
    for power in (1, 2):
        got = growth_exponent(sizes, [size**power for size in sizes])
        expect(math.isclose(got, power, abs_tol=1e-6), f"{power} for costs n**{power}", got)


@q3.case(
    "growth_exponent fits every point, not just the ends",
    hint="statistics.linear_regression(log_sizes, log_costs).slope",
)
def _least_squares(best_time: Callable[..., float], growth_exponent: Callable[..., float]) -> None:
    sizes, costs = [1, 2, 4, 8], [1.0, 4.0, 4.0, 8.0]
    logs = [math.log(size) for size in sizes], [math.log(cost) for cost in costs]
    slope = statistics.linear_regression(*logs).slope
    got = growth_exponent(sizes, costs)
    expect(math.isclose(got, slope, abs_tol=1e-6), f"{slope:.4f} for costs {costs}", got)


@q3.case("growth_exponent gives 0 for a constant cost", grading_only=True)
def _constant(best_time: Callable[..., float], growth_exponent: Callable[..., float]) -> None:
    got = growth_exponent([10, 100, 1_000], [3.0, 3.0, 3.0])
    expect(math.isclose(got, 0.0, abs_tol=1e-9), "0.0 for a constant cost", got)
