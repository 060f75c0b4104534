"""Tell when a kind of failure is seen for the first time, so each kind is logged once.

Used on the event loop, by the hub's report fan-out for the :class:`.receipts.UnparsedReport`
the session hands over.  No Home Assistant or smpplib imports.
"""

from __future__ import annotations

__all__ = ["FailureTally"]


class FailureTally:
    """Remember the kinds of failure seen, so that only the first of each is logged loudly.

    ``level = WARNING if tally.record(report.reason) else DEBUG``.  At most ``max_kinds`` kinds
    are remembered; any further kind is never reported as new.
    """

    def __init__(self, max_kinds: int = 64) -> None:
        """Bound the number of distinct kinds kept."""
        self._max_kinds = max_kinds
        self._seen: set[str] = set()

    def record(self, kind: str) -> bool:
        """Note one failure of ``kind``; True the first time this kind is seen."""
        key = str(kind)
        if key in self._seen or len(self._seen) >= self._max_kinds:
            return False
        self._seen.add(key)
        return True
