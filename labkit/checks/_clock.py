"""The clock test double that labs with a ``clock`` argument share (lab41, lab61, lab62)."""

from __future__ import annotations


class FakeClock:
    """A test double for ``time.monotonic``: it moves only through ``advance`` and ``sleep``.

    Example:
        >>> clock = FakeClock()
        >>> clock.sleep(1.5)
        >>> clock.advance(0.5)
        >>> clock(), clock.sleeps
        (2.0, [1.5])

    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        """Read the fake time, in seconds."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and remember the delay (a retry's back-off)."""
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Move the clock forward without recording a sleep (time passing elsewhere)."""
        self.now += seconds
