"""Refuse what SMSC's rate rules would refuse, before submitting, so the refusal has a reason.

Runs on the event loop only (the hub's sends); it holds no lock and is not thread-safe.

SMSC refuses

* an identical text to the same recipient within 60 seconds (``duplicate_message``);
* a 51st message to one recipient when each of the previous 50 followed the one before it by
  less than 30 seconds (``flood_limit``).  The *chain* counts consecutive messages each sent less
  than ``flood_interval`` after the previous one; a gap of ``flood_interval`` or more starts a new
  chain of length 1;
* a concatenated message whose parts did not all reach it within one minute
  (``parts_deadline``; see :class:`PartsDeadline`).

Use :meth:`SendGuard.check` before submitting, :meth:`SendGuard.parts_deadline` just before the
first part, and :meth:`SendGuard.record` after SMSC accepted the message (check and record are
two steps because the submit may fail).  Pass the recipient's normalised address
and the full text that is sent (``ComposedMessage.text``, comment included: SMSC compares whole
requests).  ``check`` followed by ``record`` is not atomic: the submit in between awaits, so two
sends of the same text in flight at once may both pass ``check``; serialise sends per recipient
if that matters.

Memory is bounded: a recipient's state is dropped once neither rule can apply any more (no
message for ``max(duplicate_window, flood_interval)``), texts are kept as 16-byte digests and
only for ``duplicate_window``, and at most ``max_recipients`` recipients are tracked (the least
recently used is forgotten first; SMSC still enforces its rules for a forgotten one).

:meth:`SendGuard.export` and :meth:`SendGuard.restore` carry the state across a restart in
wall-clock time (the guard's own clock is monotonic, which a restart resets). A recipient's
state is never changed in place, only replaced, so :meth:`SendGuard.snapshot` is a plain copy
of the mapping that another thread may turn into rows (:meth:`SendGuard.rows`) while the loop
goes on sending.

Pure Python, no Home Assistant imports; the clock is injectable for tests.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import hashlib
import math
import time
from typing import Any, Final

from .errors import DuplicateMessageError, FloodLimitError, PartsDeadlineError

__all__ = [
    "DUPLICATE_WINDOW",
    "FLOOD_INTERVAL",
    "FLOOD_LIMIT",
    "MAX_RECIPIENTS",
    "MAX_TEXTS_PER_RECIPIENT",
    "PARTS_WINDOW",
    "PartsDeadline",
    "SendGuard",
]

DUPLICATE_WINDOW: Final = 60.0
"""Seconds during which an identical text to the same recipient is refused."""

FLOOD_INTERVAL: Final = 30.0
"""A message less than this many seconds after the previous one extends the chain."""

FLOOD_LIMIT: Final = 50
"""Longest allowed chain; the next message in the chain is refused."""

PARTS_WINDOW: Final = 60.0
"""Seconds within which all parts of a concatenated message must be submitted."""

MAX_RECIPIENTS: Final = 10_000
"""Most recipients tracked at once."""

MAX_TEXTS_PER_RECIPIENT: Final = 1_000
"""Most text digests kept per recipient (the flood rule keeps real use far below)."""

Clock = Callable[[], float]


def _seconds(value: float) -> str:
    """Format a duration for a message: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(value)))


def _window(value: float) -> str:
    return f"{value:g}"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class PartsDeadline:
    """The time by which every part of one concatenated message must be submitted.

    Create it (``SendGuard.parts_deadline()``) just before submitting the first part; before
    each part call :meth:`check` with the number of parts already submitted.
    """

    started: float
    window: float = PARTS_WINDOW
    clock: Clock = field(default=time.monotonic, repr=False, compare=False)

    @property
    def deadline(self) -> float:
        """Clock value after which no further part may be submitted."""
        return self.started + self.window

    def expired(self) -> bool:
        """Tell whether the deadline has passed (a part submitted now would be too late)."""
        return self.clock() >= self.deadline

    def check(self, *, sent: int, parts: int) -> None:
        """Raise if parts remain (``sent < parts``) and the deadline has passed.

        Raises:
            PartsDeadlineError: ``parts_deadline``.

        """
        if sent < parts and self.expired():
            raise PartsDeadlineError(
                "parts_deadline",
                retry_after=0.0,
                sent=sent,
                parts=parts,
                window=_window(self.window),
            )


@dataclass(frozen=True, slots=True)
class _Recipient:
    """What the rules need of one recipient; replaced at each send, never changed."""

    last: float
    chain: int
    texts: Mapping[bytes, float]  # text digest -> when sent; never changed once made


@dataclass(frozen=True, slots=True)
class GuardSnapshot:
    """The guard's state at one moment: what `SendGuard.rows` turns into stored rows."""

    recipients: list[tuple[str, _Recipient]]
    offset: float  # wall-clock time minus the guard's clock


class SendGuard:
    """Refuse messages SMSC would refuse because of its duplicate and flood rules."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        duplicate_window: float = DUPLICATE_WINDOW,
        flood_interval: float = FLOOD_INTERVAL,
        flood_limit: int = FLOOD_LIMIT,
        max_recipients: int = MAX_RECIPIENTS,
        parts_window: float = PARTS_WINDOW,
    ) -> None:
        """Configure the rules; the defaults are SMSC's."""
        if duplicate_window < 0 or flood_interval < 0 or parts_window <= 0:
            msg = "windows must not be negative"
            raise ValueError(msg)
        if flood_limit < 1 or max_recipients < 1:
            msg = "flood_limit and max_recipients must be positive"
            raise ValueError(msg)
        self._clock = clock
        self._duplicate_window = duplicate_window
        self._flood_interval = flood_interval
        self._flood_limit = flood_limit
        self._max_recipients = max_recipients
        self._parts_window = parts_window
        self._horizon = max(duplicate_window, flood_interval)
        self._recipients: OrderedDict[str, _Recipient] = OrderedDict()

    def __len__(self) -> int:
        """Number of recipients currently tracked."""
        return len(self._recipients)

    def check(self, recipient: str, text: str) -> None:
        """Raise if SMSC would refuse ``text`` to ``recipient`` now; records nothing.

        Raises:
            DuplicateMessageError: ``duplicate_message``.
            FloodLimitError: ``flood_limit``.

        """
        now = self._clock()
        self._expire(now)
        state = self._recipients.get(recipient)
        if state is None:
            return
        sent_at = state.texts.get(_digest(text))
        if sent_at is not None and now - sent_at < self._duplicate_window:
            wait = self._duplicate_window - (now - sent_at)
            raise DuplicateMessageError(
                "duplicate_message",
                retry_after=wait,
                recipient=recipient,
                window=_window(self._duplicate_window),
                seconds=_seconds(wait),
            )
        gap = now - state.last
        if gap < self._flood_interval and state.chain >= self._flood_limit:
            wait = self._flood_interval - gap
            raise FloodLimitError(
                "flood_limit",
                retry_after=wait,
                recipient=recipient,
                limit=self._flood_limit,
                interval=_window(self._flood_interval),
                seconds=_seconds(wait),
            )

    def record(self, recipient: str, text: str) -> None:
        """Remember that SMSC accepted ``text`` for ``recipient`` now."""
        now = self._clock()
        self._expire(now)
        previous = self._recipients.pop(recipient, None)
        digest = _digest(text)
        if previous is None:
            chain = 1
            texts: dict[bytes, float] = {}
        else:
            chain = previous.chain + 1 if now - previous.last < self._flood_interval else 1
            texts = self._fresh_texts(previous, now)
            texts.pop(digest, None)
        texts[digest] = now
        while len(texts) > MAX_TEXTS_PER_RECIPIENT:
            del texts[next(iter(texts))]
        state = _Recipient(last=now, chain=chain, texts=texts)
        self._recipients[recipient] = state
        while len(self._recipients) > self._max_recipients:
            self._recipients.popitem(last=False)

    def export(self, wall_now: float) -> list[list[Any]]:
        """The state, least recently used first, in wall-clock time (`wall_now` is now).

        One row per recipient: ``[recipient, last send, chain, [[text digest hex, sent], ...]]``.
        """
        return self.rows(self.snapshot(wall_now))

    def snapshot(self, wall_now: float) -> GuardSnapshot:
        """The state now, copied at once (on the event loop, which changes it)."""
        now = self._clock()
        self._expire(now)
        return GuardSnapshot(list(self._recipients.items()), wall_now - now)

    @staticmethod
    def rows(snapshot: GuardSnapshot) -> list[list[Any]]:
        """A snapshot as :meth:`export` rows; any thread may build them (states never change)."""
        offset = snapshot.offset
        return [
            [
                recipient,
                state.last + offset,
                state.chain,
                [[digest.hex(), sent_at + offset] for digest, sent_at in state.texts.items()],
            ]
            for recipient, state in snapshot.recipients
        ]

    def restore(self, rows: Iterable[Any], wall_now: float) -> None:
        """Put back what :meth:`export` gave, ahead of anything recorded since.

        Malformed rows are skipped; the bounds apply as if the rows had been recorded.
        """
        now = self._clock()
        offset = now - wall_now
        restored: OrderedDict[str, _Recipient] = OrderedDict()
        for row in rows:
            try:
                recipient, last, chain, texts = row
                state = _Recipient(
                    last=float(last) + offset,
                    chain=int(chain),
                    texts={
                        bytes.fromhex(digest): float(sent_at) + offset
                        for digest, sent_at in list(texts)[-MAX_TEXTS_PER_RECIPIENT:]
                    },
                )
            except (TypeError, ValueError):
                continue
            restored[str(recipient)] = state
        restored.update(self._recipients)
        while len(restored) > self._max_recipients:
            restored.popitem(last=False)
        self._recipients = restored
        self._expire(now)

    def parts_deadline(self) -> PartsDeadline:
        """Return the deadline for the parts of a message whose first part is submitted now."""
        return PartsDeadline(started=self._clock(), window=self._parts_window, clock=self._clock)

    def _expire(self, now: float) -> None:
        """Drop recipients no rule applies to any more (oldest activity first)."""
        recipients = self._recipients
        while recipients:
            oldest = next(iter(recipients.values()))
            if now - oldest.last < self._horizon:
                break
            recipients.popitem(last=False)

    def _fresh_texts(self, state: _Recipient, now: float) -> dict[bytes, float]:
        """A new mapping of the texts of `state` that the duplicate rule still applies to."""
        window = self._duplicate_window
        return {digest: at for digest, at in state.texts.items() if now - at < window}
