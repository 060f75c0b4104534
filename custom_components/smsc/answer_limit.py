"""Bound the answers texted to each sender per hour, so an auto-responder cannot ping-pong."""

from __future__ import annotations

from collections.abc import Callable
import time
from typing import Final

from .smpp.pacing import RateWindow

WINDOW: Final = 3600.0  # seconds: the limit counts answers within any hour


class AnswerLimit:
    """At most `per_hour` answers to one number within any hour; one warning per hour above it.

    Memory stays bounded: one window of at most `per_hour` times per number that was answered,
    and only recipients allowed to talk to Assist are ever answered.
    """

    def __init__(self, per_hour: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._answered: dict[str, RateWindow] = {}
        self._warned: dict[str, float] = {}

    def set_per_hour(self, per_hour: int) -> None:
        """Change the limit from now on; the answers of the last hour still count."""
        self.per_hour = per_hour
        for window in self._answered.values():
            window.set_rate(per_hour)

    def try_take(self, number: str) -> bool:
        """Count one more answer to this number; False (and nothing counted) at the limit."""
        now = self._clock()
        window = self._answered.setdefault(number, RateWindow(self.per_hour, WINDOW))
        if now < window.next_slot():
            return False
        window.record(now)
        return True

    def warning_due(self, number: str) -> bool:
        """True for the first refusal to this number in an hour; the caller logs it."""
        now = self._clock()
        last = self._warned.get(number)
        if last is not None and now - last < WINDOW:
            return False
        self._warned[number] = now
        return True
