"""Submits on their way, shared by the event loop and the I/O thread under one lock.

The event loop queues a `Request` (`put`); the I/O thread takes it (`next_queued`), builds its
PDU and files it under its sequence number (`register`) before writing it; the answer takes
it out again (`resolve`), or a drop does (`take_pending`). A caller that gives up withdraws
its request from the event loop (`withdraw`), which only keeps it from being written if the
I/O thread has not registered it yet: the lock makes that decision one or the other.
A request's future is only ever completed on the event loop (`accept`, `fail`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import logging
import threading
from typing import Any

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True, eq=False)
class Request:
    """A submit on its way: queued by the event loop, written by the I/O thread."""

    params: Mapping[str, Any]
    future: asyncio.Future[str]
    on_accepted: Callable[[str], None] | None
    sequence: int | None = None  # set (under the lock) once it is in a PDU
    end: int = 0  # stream offset just past its PDU
    cancelled: bool = False  # set (under the lock) when the caller gave up before that

    def accept(self, message_id: str) -> None:
        """SMSC took it (on the event loop): tell `on_accepted`, then the caller."""
        if self.on_accepted is not None:
            try:
                self.on_accepted(message_id)
            except Exception:
                _LOGGER.exception("Error while recording accepted message %s", message_id)
        if not self.future.done():
            self.future.set_result(message_id)

    def fail(self, error: BaseException) -> None:
        """It failed (on the event loop): tell the caller, unless it stopped waiting."""
        if not self.future.done():
            self.future.set_exception(error)


class Submits:
    """The requests queued and not yet written, and those written and not yet answered."""

    def __init__(self) -> None:
        # Appended on the event loop, popped on the I/O thread: a deque needs no lock for that.
        self._queued: deque[Request] = deque()
        # Written (or about to be) and not yet answered, by sequence number.
        self._pending: dict[int, Request] = {}
        # The one place the event loop and the I/O thread meet over a request: taken by
        # both, never held across anything that could block.
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        """Submits written and not yet answered."""
        with self._lock:
            return len(self._pending)

    def put(self, request: Request) -> None:
        """Queue a request for the I/O thread (event loop)."""
        self._queued.append(request)

    def withdraw(self, request: Request) -> bool:
        """Stop waiting for a request (event loop); True if it was never written."""
        with self._lock:
            if request.sequence is None:
                request.cancelled = True
                return True
            self._pending.pop(request.sequence, None)
            return False

    def next_queued(self) -> Request | None:
        """The oldest queued request, or None (I/O thread)."""
        try:
            return self._queued.popleft()
        except IndexError:
            return None

    def register(self, request: Request, sequence: int) -> bool:
        """Await the answer under this sequence, unless the caller gave up already (I/O)."""
        with self._lock:
            if request.cancelled:
                return False
            request.sequence = sequence
            self._pending[sequence] = request
            return True

    def forget(self, request: Request) -> None:
        """Stop awaiting an answer for a request whose PDU could not be built (I/O thread)."""
        with self._lock:
            if request.sequence is not None:
                self._pending.pop(request.sequence, None)

    def resolve(self, sequence: int) -> Request | None:
        """Take the request an answer with this sequence belongs to (I/O thread)."""
        with self._lock:
            return self._pending.pop(sequence, None)

    def take_pending(self) -> list[Request]:
        """Take every request written and not yet answered; the queued ones stay (I/O)."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        return pending

    def pending_futures(self) -> list[asyncio.Future[str]]:
        """The futures of the requests written and not yet answered (event loop)."""
        with self._lock:
            return [request.future for request in self._pending.values()]

    def take_queued(self) -> list[Request]:
        """Take every request not yet taken by the I/O thread: it will never be written.

        Each request goes either here or to the thread (`next_queued`), never both: both pop
        from the same deque.
        """
        with self._lock:
            taken: list[Request] = []
            while True:
                try:
                    request = self._queued.popleft()
                except IndexError:
                    return taken
                request.cancelled = True
                taken.append(request)

    def take_all(self) -> list[Request]:
        """Take every request, written or queued: the session is ending (either thread)."""
        with self._lock:
            left = [*self._pending.values(), *self._queued]
            self._pending.clear()
            self._queued.clear()
        return left
