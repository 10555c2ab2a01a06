"""``Ok`` and ``Err``: a tiny, typed Result for failures the caller must handle."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

T = TypeVar("T")
E = TypeVar("E")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """A success holding ``value``.

    Example:
        >>> match Ok(3).map(lambda x: x * 2):
        ...     case Ok(value):
        ...         print(value)
        ...     case Err(error):
        ...         print("failed:", error)
        6
    """

    value: T

    def is_ok(self) -> bool:
        """True: this is a success."""
        return True

    def map(self, function: Callable[[T], U]) -> Ok[U]:
        """Apply ``function`` to the value."""
        return Ok(function(self.value))

    def and_then(self, function: Callable[[T], Result[U, E]]) -> Result[U, E]:
        """Chain a step that may itself fail."""
        return function(self.value)

    def unwrap_or(self, default: T) -> T:
        """The value; ``default`` is ignored."""
        return self.value


@dataclass(frozen=True, slots=True)
class Err(Generic[E]):
    """A failure holding ``error``; ``map`` and ``and_then`` pass it through untouched."""

    error: E

    def is_ok(self) -> bool:
        """False: this is a failure."""
        return False

    def map(self, function: Callable[[Any], Any]) -> Err[E]:
        """Skip ``function``: there is no value to map."""
        return self

    def and_then(self, function: Callable[[Any], Any]) -> Err[E]:
        """Skip ``function``: the chain stops at the first failure."""
        return self

    def unwrap_or(self, default: U) -> U:
        """Return ``default``, since there is no value."""
        return default


Result: TypeAlias = Ok[T] | Err[E]


def collect(results: Iterable[Result[T, E]]) -> Result[list[T], E]:
    """Turn many results into one: all the values, or the first error.

    Example:
        >>> collect([Ok(1), Ok(2)])
        Ok(value=[1, 2])
        >>> collect([Ok(1), Err("boom"), Err("later")])
        Err(error='boom')
    """
    values: list[T] = []
    for result in results:
        match result:
            case Ok(value):
                values.append(value)
            case Err():
                return result
    return Ok(values)
