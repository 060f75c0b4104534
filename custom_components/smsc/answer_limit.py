"""Bound Assist's answers per hour, per sender and for the whole account: no loop runs up costs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
import time
from typing import Any, Final

from .smpp.pacing import RateWindow

WINDOW: Final = 3600.0  # seconds: the limit counts answers within any hour


class Limited(StrEnum):
    """Which cap refused an answer."""

    NUMBER = "number"  # this sender had all answers of the hour
    ACCOUNT = "account"  # the account texted all answers of the hour, to everyone together


class AnswerLimit:
    """At most `per_hour` answers to one number, and `account_per_hour` in all, within any hour.

    One warning per hour and cap is due above it. Memory stays bounded: one window of at most
    `per_hour` times per number that was answered (only recipients allowed to talk to Assist
    are), and one of `account_per_hour` times. Times are of `clock` (monotonic); `stored` and
    `restore` translate them to and from the wall clock, so a restart keeps the hour.
    """

    def __init__(
        self,
        per_hour: int,
        account_per_hour: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_hour = per_hour
        self.account_per_hour = account_per_hour
        self._clock = clock
        self._wall_clock = wall_clock
        self._answered: dict[str, RateWindow] = {}
        self._account = RateWindow(account_per_hour, WINDOW)
        self._warned: dict[str, float] = {}

    def set_limits(self, per_hour: int, account_per_hour: int) -> None:
        """Apply changed options, keeping the answers already counted."""
        self.per_hour = per_hour
        self.account_per_hour = account_per_hour
        for window in self._answered.values():
            window.set_rate(per_hour)
        self._account.set_rate(account_per_hour)

    def try_take(self, number: str) -> Limited | None:
        """Count one more answer to this number; the cap that refuses it (nothing counted)."""
        now = self._clock()
        window = self._answered.get(number)
        if window is not None and now < window.next_slot():
            return Limited.NUMBER
        if now < self._account.next_slot():
            return Limited.ACCOUNT
        if window is None:
            window = self._answered[number] = RateWindow(self.per_hour, WINDOW)
        window.record(now)
        self._account.record(now)
        return None

    def warning_due(self, key: str) -> bool:
        """True for the first refusal of this key (a number, or a `Limited`) in an hour."""
        now = self._clock()
        last = self._warned.get(key)
        if last is not None and now - last < WINDOW:
            return False
        self._warned[key] = now
        return True

    def stored(self) -> dict[str, Any]:
        """The answers and warnings of the last hour, in wall-clock seconds."""
        now = self._clock()
        to_wall = self._wall_clock() - now
        return {
            "account": [t + to_wall for t in self._account.happened() if now - t < WINDOW],
            "numbers": {
                number: kept
                for number, window in self._answered.items()
                if (kept := [t + to_wall for t in window.happened() if now - t < WINDOW])
            },
            "warned": {key: at + to_wall for key, at in self._warned.items() if now - at < WINDOW},
        }

    def restore(self, stored: Mapping[str, Any]) -> None:
        """Take back what `stored` gave before a reload or restart; older than an hour is gone."""
        now = self._clock()
        from_wall = now - self._wall_clock()

        def recent(times: Any) -> list[float]:
            if not isinstance(times, list):
                return []
            return sorted(
                t + from_wall
                for t in times
                if isinstance(t, int | float) and 0 <= now - (t + from_wall) < WINDOW
            )

        for at in recent(stored.get("account")):
            self._account.record(at)
        numbers = stored.get("numbers")
        for number, times in (numbers if isinstance(numbers, dict) else {}).items():
            if kept := recent(times):
                window = self._answered.setdefault(str(number), RateWindow(self.per_hour, WINDOW))
                for at in kept:
                    window.record(at)
        warned = stored.get("warned")
        for key, at in (warned if isinstance(warned, dict) else {}).items():
            for local in recent([at]):
                self._warned[str(key)] = local
