"""Reassemble incoming (MO) SMS from their parts into whole messages.

Used on the session's I/O thread only: :func:`.deliver_sm.parse_deliver_sm` turns each incoming
``deliver_sm`` into an :class:`IncomingPart`, and the session's one :class:`IncomingAssembler`
hands back the :class:`IncomingMessage` once every part is there (at once for a single-part SMS).
The message is immutable and goes to the event loop from there.  No Home Assistant or smpplib
imports.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
import time
from typing import Literal

from .decoding import decode_short_message

__all__ = ["IncomingAssembler", "IncomingMessage", "IncomingPart"]


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A complete incoming SMS."""

    source: str
    destination: str
    text: str
    data_coding: int
    parts: int


@dataclass(frozen=True, slots=True)
class IncomingPart:
    """One part of an incoming SMS (the user data header already removed)."""

    source: str
    destination: str
    data_coding: int
    payload: bytes
    reference: int | None = None
    """Concatenation reference, None for a single-part SMS."""
    total: int = 1
    sequence: int = 1
    reference_kind: Literal["", "udh8", "udh16", "sar"] = ""


# --------------------------------------------------------------------------------------------
# Multipart assembly


@dataclass(slots=True)
class _PendingSet:
    created: float
    parts: dict[int, IncomingPart] = field(default_factory=dict)
    size: int = 0


type _SetKey = tuple[str, str, str, int, int]


def _join(parts: list[IncomingPart]) -> IncomingMessage:
    """Join the parts' octets before decoding (a UCS-2 surrogate pair or GSM escape may span
    parts); parts in different codings are decoded one by one."""
    first = parts[0]
    if all(part.data_coding == first.data_coding for part in parts):
        text = decode_short_message(b"".join(part.payload for part in parts), first.data_coding)
    else:
        text = "".join(decode_short_message(part.payload, part.data_coding) for part in parts)
    return IncomingMessage(
        source=first.source,
        destination=first.destination,
        text=text,
        data_coding=first.data_coding,
        parts=len(parts),
    )


class IncomingAssembler:
    """Reassemble multipart incoming SMS.  Not thread-safe: use it from the I/O thread only.

    A set is keyed by source, destination, kind and number of its reference, and its part
    count.  A repeated part is ignored.  Sets older than ``max_age`` seconds (counted from
    their first part) are dropped; beyond ``max_pending`` sets or ``max_bytes`` octets held,
    the oldest are dropped.  :attr:`pending` and :attr:`pending_bytes` tell what is held.
    """

    def __init__(
        self,
        *,
        max_pending: int = 256,
        max_age: float = 600.0,
        max_bytes: int = 1 << 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set the bounds; ``clock`` returns seconds (monotonic)."""
        self._max_pending = max_pending
        self._max_age = max_age
        self._max_bytes = max_bytes
        self._clock = clock
        self._sets: OrderedDict[_SetKey, _PendingSet] = OrderedDict()
        self._bytes = 0

    @property
    def pending(self) -> int:
        """Number of incomplete sets held."""
        return len(self._sets)

    @property
    def pending_bytes(self) -> int:
        """Octets held in incomplete sets."""
        return self._bytes

    def expire(self) -> None:
        """Drop the sets older than ``max_age`` (:meth:`feed` does it first)."""
        deadline = self._clock() - self._max_age
        while self._sets:
            key, pending = next(iter(self._sets.items()))
            if pending.created > deadline:
                break
            self._drop(key)

    def _drop(self, key: _SetKey) -> None:
        self._bytes -= self._sets.pop(key).size

    def feed(self, part: IncomingPart) -> IncomingMessage | None:
        """Add a part; return the message once complete (a single part at once), else None."""
        if part.reference is None or not 1 <= part.sequence <= part.total or part.total == 1:
            return _join([part])
        self.expire()
        key: _SetKey = (
            part.source,
            part.destination,
            part.reference_kind,
            part.reference,
            part.total,
        )
        pending = self._sets.get(key)
        if pending is None:
            pending = self._sets[key] = _PendingSet(created=self._clock())
        if part.sequence in pending.parts:
            return None
        pending.parts[part.sequence] = part
        pending.size += len(part.payload)
        self._bytes += len(part.payload)
        if len(pending.parts) >= part.total:
            self._drop(key)
            return _join([pending.parts[number] for number in sorted(pending.parts)])
        while self._sets and (len(self._sets) > self._max_pending or self._bytes > self._max_bytes):
            self._drop(next(iter(self._sets)))
        return None
