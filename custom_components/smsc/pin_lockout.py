"""Lock a number out of Assist for an hour after 5 wrong PINs within an hour (guessing is slow)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
import time
from typing import Any, Final

MAX_WRONG_PINS: Final = 5
WINDOW: Final = 3600.0  # seconds in which the wrong PINs count
LOCKOUT: Final = 3600.0  # seconds a number stays ignored


class PinLockout:
    """Wrong PINs per number and the numbers locked out, by `clock` (monotonic) time.

    Only recipients allowed to talk to Assist with a PIN are ever counted, so memory stays
    bounded by them: at most `MAX_WRONG_PINS` times and one lockout per number. `stored` and
    `restore` translate to and from the wall clock, so a restart does not lift a lockout.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._wrong: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def locked(self, number: str) -> bool:
        """Whether messages from this number are ignored right now."""
        until = self._locked_until.get(number)
        if until is None:
            return False
        if self._clock() < until:
            return True
        del self._locked_until[number]
        return False

    def wrong_pin(self, number: str) -> bool:
        """Count a wrong PIN from this number; True when it starts a lockout."""
        now = self._clock()
        wrong = self._wrong.setdefault(number, deque(maxlen=MAX_WRONG_PINS))
        wrong.append(now)
        if len(wrong) < MAX_WRONG_PINS or now - wrong[0] >= WINDOW:
            return False
        wrong.clear()
        self._locked_until[number] = now + LOCKOUT
        return True

    def stored(self) -> dict[str, Any]:
        """The wrong PINs of the last hour and the lockouts still on, in wall-clock seconds."""
        now = self._clock()
        to_wall = self._wall_clock() - now
        return {
            "wrong": {
                number: kept
                for number, times in self._wrong.items()
                if (kept := [t + to_wall for t in times if now - t < WINDOW])
            },
            "locked_until": {
                number: until + to_wall
                for number, until in self._locked_until.items()
                if until > now
            },
        }

    def restore(self, stored: Mapping[str, Any]) -> None:
        """Take back what `stored` gave before a reload or restart."""
        now = self._clock()
        from_wall = now - self._wall_clock()
        wrong = stored.get("wrong")
        for number, times in (wrong if isinstance(wrong, dict) else {}).items():
            if not isinstance(times, list):
                continue
            kept = sorted(
                t + from_wall
                for t in times
                if isinstance(t, int | float) and 0 <= now - (t + from_wall) < WINDOW
            )
            if kept:
                self._wrong[str(number)] = deque(kept, maxlen=MAX_WRONG_PINS)
        locked = stored.get("locked_until")
        for number, until in (locked if isinstance(locked, dict) else {}).items():
            if isinstance(until, int | float) and 0 < until + from_wall - now <= LOCKOUT:
                self._locked_until[str(number)] = until + from_wall
