"""Keep submits under SMSC's rate: a sliding one-second window; used by the I/O thread only.

SMSC answers `ESME_RTHROTTLED` to a client that writes more than its rate (30 submits a second
for SMSC's own client) in any one second. A token bucket would allow a burst of its whole
capacity right after a full refill, on top of what the previous second already sent, so the
window here is exact: it remembers when each of the last `rate` submits was written, and the
next one may go only once the oldest of them is a full `period` old.
"""

from __future__ import annotations

from collections import deque


class SubmitPacer:
    """At most `rate` submits in any `period` seconds, by the times they were written."""

    __slots__ = ("_period", "_rate", "_written")

    def __init__(self, rate: int, period: float = 1.0) -> None:
        if rate < 1:
            msg = f"the rate must be at least 1, not {rate}"
            raise ValueError(msg)
        self._rate = rate
        self._period = period
        self._written: deque[float] = deque(maxlen=rate)

    def next_slot(self) -> float:
        """The earliest time the next submit may be written (`-inf` while the window has room).

        An absolute time rather than a delay, so that waiting for it and then comparing the
        clock with it cannot come out a rounding error early.
        """
        if len(self._written) < self._rate:
            return float("-inf")
        return self._written[0] + self._period

    def record(self, now: float) -> None:
        """A submit was written at `now` (a value of the same clock as `next_slot`'s)."""
        self._written.append(now)
