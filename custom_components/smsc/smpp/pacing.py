"""At most so many events in any window of time, as a sliding window; pure, one thread per use.

SMSC answers `ESME_RTHROTTLED` to a client that writes more than its rate (30 submits a second
for SMSC's own client) in any one second. A token bucket would allow a burst of its whole
capacity right after a full refill, on top of what the previous second already sent, so the
window here is exact: it remembers when each of the last `rate` events happened, and the next
one may happen only once the oldest of them is a full `period` old. The session's I/O thread
paces submits with it; on the event loop, Assist bounds its answers per sender with it.
"""

from __future__ import annotations

from collections import deque


class RateWindow:
    """At most `rate` events in any `period` seconds, by the times they happened."""

    __slots__ = ("_happened", "_period", "_rate")

    def __init__(self, rate: int, period: float = 1.0) -> None:
        if rate < 1:
            msg = f"the rate must be at least 1, not {rate}"
            raise ValueError(msg)
        self._rate = rate
        self._period = period
        self._happened: deque[float] = deque(maxlen=rate)

    @property
    def rate(self) -> int:
        """At most this many events per period."""
        return self._rate

    def set_rate(self, rate: int) -> None:
        """Change the rate from now on, keeping the most recent events (same thread as use)."""
        if rate < 1:
            msg = f"the rate must be at least 1, not {rate}"
            raise ValueError(msg)
        self._rate = rate
        self._happened = deque(self._happened, maxlen=rate)

    def happened(self) -> tuple[float, ...]:
        """When the remembered events happened, oldest first (to store and restore them)."""
        return tuple(self._happened)

    def next_slot(self) -> float:
        """The earliest time the next event may happen (`-inf` while the window has room).

        An absolute time rather than a delay, so that waiting for it and then comparing the
        clock with it cannot come out a rounding error early.
        """
        if len(self._happened) < self._rate:
            return float("-inf")
        return self._happened[0] + self._period

    def record(self, now: float) -> None:
        """An event happened at `now` (a value of the same clock as `next_slot`'s)."""
        self._happened.append(now)
