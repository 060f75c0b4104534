"""Remember what was sent, so a report can be matched to it and a caller can wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
import time
from typing import Any

from .delivery_states import delivery_state
from .models import PENDING
from .smpp.compose import MessageKind
from .smpp.receipts import DeliveryState, normalize_message_id


@dataclass(slots=True)
class TrackedMessage:
    """A sent message a receipt can be attributed to."""

    recipient: str
    kind: MessageKind
    sent_at: float
    state: DeliveryState | None = None
    error_code: int | None = None


class MessageTracker:
    """Message id → what was sent, bounded in size and age (oldest dropped first).

    Times are wall-clock seconds, so the messages can be stored and read back after a restart.
    """

    def __init__(
        self,
        *,
        max_size: int = 50_000,
        max_age: float = 3 * 24 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # A plain dict keeps insertion order at about half an OrderedDict's cost per entry:
        # re-adding an id moves it to the end by popping it first.
        self._messages: dict[str, TrackedMessage] = {}
        self._max_size = max_size
        self._max_age = max_age
        self._clock = clock
        # Called after every added message, so the messages can be saved (see `persistence`).
        self.on_change: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self._messages)

    def add(self, message_id: str, recipient: str, kind: MessageKind) -> TrackedMessage:
        """Track a message id as SMSC returned it."""
        now = self._clock()
        tracked = TrackedMessage(recipient, kind, now)
        key = normalize_message_id(message_id, hint="decimal")
        self._messages.pop(key, None)
        self._messages[key] = tracked
        self._prune(now)
        if self.on_change is not None:
            self.on_change()
        return tracked

    def find(self, keys: Iterable[str]) -> TrackedMessage | None:
        """The message under the first of a receipt's candidate keys that is tracked."""
        for key in keys:
            if (tracked := self._messages.get(key)) is not None:
                return tracked
        return None

    def export(self) -> list[list[Any]]:
        """The messages, oldest first, as `[message id, recipient, kind, sent at]` rows."""
        return self.rows(self.snapshot())

    def snapshot(self) -> list[tuple[str, TrackedMessage]]:
        """The messages, oldest first, copied at once (on the event loop, which changes them)."""
        return list(self._messages.items())

    @staticmethod
    def rows(snapshot: Iterable[tuple[str, TrackedMessage]]) -> list[list[Any]]:
        """A snapshot as stored rows; any thread may build them (only fixed fields are read)."""
        return [
            [key, tracked.recipient, tracked.kind.value, tracked.sent_at]
            for key, tracked in snapshot
        ]

    def restore(self, rows: Iterable[Any]) -> None:
        """Put back what `export` gave, ahead of anything tracked since; skips malformed rows."""
        restored: dict[str, TrackedMessage] = {}
        for row in rows:
            try:
                key, recipient, kind, sent_at = row
                restored[str(key)] = TrackedMessage(
                    str(recipient), MessageKind(kind), float(sent_at)
                )
            except (TypeError, ValueError):
                continue
        for key in self._messages:
            restored.pop(key, None)
        restored.update(self._messages)
        self._messages = restored
        self._prune(self._clock())

    def _prune(self, now: float) -> None:
        messages = self._messages
        while len(messages) > self._max_size:
            del messages[next(iter(messages))]
        while messages:
            oldest = next(iter(messages))
            if now - messages[oldest].sent_at <= self._max_age:
                break
            del messages[oldest]


class DeliveryWaiters:
    """Callers waiting for the final state of the messages they sent (`wait_for_delivery`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiters: dict[int, tuple[set[str], asyncio.Future[DeliveryState | None]]] = {}

    def add(self, ids: set[str]) -> asyncio.Future[DeliveryState | None]:
        """Wait for any of `ids` (filled in as SMSC accepts the parts) to reach a state."""
        waiter: asyncio.Future[DeliveryState | None] = self._loop.create_future()
        self._waiters[id(waiter)] = (ids, waiter)
        return waiter

    def remove(self, waiter: asyncio.Future[DeliveryState | None]) -> None:
        """Stop tracking a waiter once its caller is done with it."""
        self._waiters.pop(id(waiter), None)

    def resolve(self, keys: Iterable[str], state: DeliveryState) -> None:
        """Hand `state` to every waiter whose message has one of `keys`."""
        wanted = set(keys)
        for ids, waiter in list(self._waiters.values()):
            if ids & wanted and not waiter.done():
                waiter.set_result(state)

    def release_all(self) -> None:
        """The account is unloading: every waiting caller gets its answer now, `pending`.

        Not cancelled: a caller must get its response, never `CancelledError`.
        """
        for _ids, waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_result(None)


async def wait_state(waiter: asyncio.Future[DeliveryState | None], seconds: float) -> str:
    """The delivery state the waiter gets within `seconds`, else (or once released) `pending`."""
    try:
        async with asyncio.timeout(seconds):
            state = await asyncio.shield(waiter)
    except TimeoutError:
        return PENDING
    return PENDING if state is None else delivery_state(state)
