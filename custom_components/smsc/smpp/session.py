"""One persistent SMPP session to SMSC, as its callers see it; runs on the event loop.

`SmppSession` is what the integration holds: `start()` binds once, `submit()` sends one
`submit_sm` and returns SMSC's message id, `update_limits()` changes the rate and the window
while bound, `close()` lets written submits get their answers for a few seconds, then
unbinds. Behind it one I/O thread (:class:`.connection.IoThread`) owns the socket, keeps the
session bound and reconnects; this module never touches the socket and never waits for a
thread. `submit()` waits for a slot in the submit window, for the session to be bound and for
any throttling pause to end, then queues a request (:mod:`.submits`) and wakes the I/O thread
(once per batch). The thread hands results back in batches, which the loop runs in slices of
at most `_SLICE` seconds so that a burst of receipts never holds it for long.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
import contextlib
import dataclasses
from enum import StrEnum
from functools import partial
import logging
import time
from typing import Any, Final

from smpplib import consts

from .config import BindMode, Received, SessionConfig, SessionCounters
from .connection import Call, IoThread
from .errors import (
    ConnectionLost,
    NotConnected,
    SessionClosed,
    SmppError,
    SubmitRefused,
    SubmitTimeout,
)
from .logs import register_secret, unregister_secret
from .submits import Request, Submits

__all__ = [
    "BindMode",
    "Received",
    "SessionConfig",
    "SessionCounters",
    "SessionState",
    "SmppSession",
]

_LOGGER = logging.getLogger(__name__)

_MAX_THROTTLE_DELAY: Final = 10.0
# The longest `close()` waits for SMSC to answer the submits already written.
MAX_CLOSE_GRACE: Final = 5.0
# The longest the event loop spends on results from the I/O thread before it lets others run.
_SLICE: Final = 0.001


class SessionState(StrEnum):
    """Where the session is in its life."""

    CONNECTING = "connecting"
    BOUND = "bound"
    DISCONNECTED = "disconnected"
    AUTH_FAILED = "auth_failed"
    CLOSED = "closed"


class _ThrottledLocally(SubmitRefused):
    """SMSC's last throttling pause lasts beyond the caller's time; nothing was sent."""

    def __init__(self) -> None:
        super().__init__(consts.SMPP_ESME_RTHROTTLED)


class _SubmitWindow:
    """At most `size` submits awaiting an answer; resizable while submits hold slots.

    Like an `asyncio.Semaphore`, first come first served, but `resize()` changes the size at
    once: growing lets waiters in, shrinking lets no new one in until enough slots are released
    (nothing that holds a slot is disturbed). `close()` fails every waiter and every later
    `acquire()`.
    """

    def __init__(self, size: int, loop: asyncio.AbstractEventLoop) -> None:
        self._size = size
        self._used = 0
        self._loop = loop
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed: BaseException | None = None

    async def acquire(self) -> None:
        if self._closed is not None:
            raise self._closed
        if self._used < self._size and not self._waiters:
            self._used += 1
            return
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # granted a slot, but the caller gave up at the same time
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self._used -= 1
        self._grant()

    def resize(self, size: int) -> None:
        self._size = size
        self._grant()

    def close(self, error: BaseException) -> None:
        self._closed = error
        waiters, self._waiters = self._waiters, deque()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)

    def _grant(self) -> None:
        while self._waiters and self._used < self._size:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._used += 1
                waiter.set_result(None)


class SmppSession:
    """A self-healing SMPP transceiver session.

    `start()` binds once and raises `CannotConnect` or `AuthenticationFailed`; after that
    the I/O thread keeps the session bound on its own until `close()`.
    """

    def __init__(
        self,
        config: SessionConfig,
        *,
        loop: asyncio.AbstractEventLoop,
        on_state: Callable[[SessionState], None] | None = None,
        on_deliver: Callable[[Received], None] | None = None,
    ) -> None:
        self.config = config
        self.counters = SessionCounters()
        self._loop = loop
        self._on_state = on_state
        self._state = SessionState.CLOSED
        self._closing = False
        self._submits = Submits()
        self._thread = IoThread(
            config,
            self.counters,
            self._submits,
            loop=loop,
            hand_over=self._take_batch,
            on_started=self._on_started,
            on_bound=partial(self._set_state, SessionState.BOUND),
            on_disconnected=partial(self._set_state, SessionState.DISCONNECTED),
            on_auth_failed=partial(self._set_state, SessionState.AUTH_FAILED),
            on_deliver=on_deliver,
        )
        # What the I/O thread handed over, run here in slices.
        self._inbox: deque[Call] = deque()
        self._draining = False
        self._bound_event = asyncio.Event()
        self._window = _SubmitWindow(config.submit_window, loop)
        self._resume_at = 0.0  # loop time before which SMSC asked us to hold back
        self._throttle_backoff = config.throttle_delay
        self._started: asyncio.Future[None] | None = None

    @property
    def state(self) -> SessionState:
        """The current state; updated on the event loop."""
        return self._state

    @property
    def in_flight(self) -> int:
        """Submits written and not yet answered."""
        return self._submits.in_flight

    async def start(self) -> None:
        """Bind, then keep the session up in the background."""
        if self._started is not None:
            raise RuntimeError("session already started")
        self._started = self._loop.create_future()
        self._set_state(SessionState.CONNECTING)
        register_secret(self, self.config.password)
        self._thread.start()
        try:
            await self._started
        except BaseException:
            await self.close()
            raise

    def update_limits(self, *, max_rate: int, submit_window: int) -> None:
        """Apply a new rate and submit window at once, without unbinding (event loop).

        The I/O thread's pacer takes the rate before it writes its next submit; a smaller
        window lets new submits in only once enough of those awaiting an answer are answered.
        """
        if max_rate < 1 or submit_window < 1:
            raise ValueError(f"rate {max_rate} and window {submit_window} must be at least 1")
        self.config = dataclasses.replace(
            self.config, max_rate=max_rate, submit_window=submit_window
        )
        self._window.resize(submit_window)
        self._thread.set_rate(max_rate)

    async def close(self, *, grace: float = MAX_CLOSE_GRACE) -> None:
        """Stop taking submits, let written ones be answered for up to `grace` s, then unbind.

        A submit not yet written fails at once as not sent (`SessionClosed`). The link goes on
        being served meanwhile (reports and incoming messages still arrive), and the wait ends
        as soon as no written submit awaits its answer. One still unanswered after `grace`
        (at most `MAX_CLOSE_GRACE`) fails with `ConnectionLost`: SMSC may hold it.
        """
        if self._closing:
            return
        self._closing = True
        not_sent = SessionClosed("the SMSC session was closed; the message was not sent")
        self._window.close(not_sent)
        self._bound_event.set()  # submits waiting for a bind see the session closing
        for request in self._submits.take_queued():
            request.fail(not_sent)
        if self._thread.is_alive():
            await self._wait_for_answers(max(0.0, min(grace, MAX_CLOSE_GRACE)))
        self._thread.stop()
        if self._thread.is_alive():
            await self._loop.run_in_executor(None, self._thread.finish)
        lost = ConnectionLost("the SMSC session closed before SMSC confirmed the message")
        for request in self._submits.take_all():  # left only if the thread never ran
            request.fail(not_sent if request.sequence is None else lost)
        unregister_secret(self)
        self._thread.close()
        self._state = SessionState.CLOSED

    async def _wait_for_answers(self, grace: float) -> None:
        """Wait until every written submit is answered (or failed), for at most `grace` s."""
        deadline = self._loop.time() + grace
        while futures := self._submits.pending_futures():
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                return
            await asyncio.wait(futures, timeout=remaining)

    async def submit(
        self,
        params: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_accepted: Callable[[str], None] | None = None,
    ) -> str:
        """Send one `submit_sm` and return SMSC's message id.

        `on_accepted(message_id)` runs on the event loop before any `deliver_sm` read after
        the answer is handed over, so a receipt can always be matched to its message.
        `ESME_RTHROTTLED` makes the whole session hold back for a while (doubling while SMSC
        keeps throttling) and the submit is retried while the caller's time lasts; after that
        the caller gets the `SubmitRefused`. Every other error status raises `SubmitRefused`.
        A submit is written at most once: nothing is resent after a dropped link.
        """
        deadline = self._loop.time() + (timeout or self.config.submit_timeout)
        while True:
            try:
                message_id = await self._submit_once(params, deadline, on_accepted)
            except _ThrottledLocally:
                raise
            except SubmitRefused as err:
                if err.status != consts.SMPP_ESME_RTHROTTLED:
                    raise
                self.counters.throttled += 1
                resume_at = self._throttled()
                if resume_at >= deadline:
                    raise
                _LOGGER.debug(
                    "SMSC throttled a submit; retrying in %.2f s", resume_at - self._loop.time()
                )
                continue
            if self._loop.time() >= self._resume_at:
                self._throttle_backoff = self.config.throttle_delay
            return message_id

    def _throttled(self) -> float:
        """Start (or keep) the session's pause after ESME_RTHROTTLED; returns its end."""
        now = self._loop.time()
        if now >= self._resume_at:
            # Throttled again after the last pause ended: hold back longer this time. Answers
            # to submits written before the pause began do not lengthen it.
            self._resume_at = now + self._throttle_backoff
            self._throttle_backoff = min(self._throttle_backoff * 2, _MAX_THROTTLE_DELAY)
        return self._resume_at

    async def _submit_once(
        self,
        params: Mapping[str, Any],
        deadline: float,
        on_accepted: Callable[[str], None] | None,
    ) -> str:
        # One timer for the whole attempt; what had been reached tells what timed out.
        acquired = False
        request: Request | None = None
        try:
            async with asyncio.timeout_at(deadline):
                await self._window.acquire()
                acquired = True
                await self._wait_ready(deadline)
                request = Request(params, self._loop.create_future(), on_accepted)
                self._submits.put(request)
                self._thread.kick()
                message_id = await request.future
        except TimeoutError as err:
            self.counters.submit_errors += 1
            if not acquired:
                raise SubmitTimeout(
                    "SMSC answered earlier submits too slowly; this one was not sent"
                ) from err
            if request is None:
                raise NotConnected("SMSC is not connected") from err
            if self._submits.withdraw(request):
                raise NotConnected("SMSC did not take the message in time; not sent") from err
            raise SubmitTimeout("SMSC did not answer the submit in time") from err
        except SmppError:
            self.counters.submit_errors += 1
            raise
        except BaseException:
            if request is not None:
                self._submits.withdraw(request)
            raise
        finally:
            if acquired:
                self._window.release()
        self.counters.submits += 1
        return message_id

    async def _wait_ready(self, deadline: float) -> None:
        """Wait until the session is bound and not holding back after a throttle."""
        while True:
            if self._closing or self._state in (SessionState.CLOSED, SessionState.AUTH_FAILED):
                state = SessionState.CLOSED if self._closing else self._state
                raise SessionClosed(f"the SMSC session is {state}")
            if self._state is not SessionState.BOUND:
                self._bound_event.clear()
                await self._bound_event.wait()
                continue
            now = self._loop.time()
            if now < self._resume_at:
                if self._resume_at >= deadline:
                    raise _ThrottledLocally
                await asyncio.sleep(self._resume_at - now)
                continue
            return

    # --- what the I/O thread hands over --------------------------------------------------

    def _take_batch(self, batch: list[Call]) -> None:
        self._inbox.extend(batch)
        if not self._draining:
            self._draining = True
            self._drain()

    def _drain(self) -> None:
        """Run what the I/O thread handed over, a slice per loop iteration.

        A burst of thousands of receipts arrives in a few batches; running each batch at once
        would hold the event loop for its whole length. After `_SLICE` seconds the rest waits
        for the next iteration, behind whatever else is ready, timers and I/O included.
        """
        inbox = self._inbox
        until = time.monotonic() + _SLICE
        while inbox:
            callback, args = inbox.popleft()
            try:
                callback(*args)
            except Exception:
                _LOGGER.exception("Error while handling what SMSC sent")
            if inbox and time.monotonic() >= until:
                self._loop.call_soon(self._drain)
                return
        self._draining = False

    def _on_started(self, error: SmppError | None) -> None:
        """The first bind's outcome: `start()` returns or raises it."""
        started = self._started
        if started is None or started.done():
            return
        if error is None:
            started.set_result(None)
        else:
            started.set_exception(error)

    def _set_state(self, state: SessionState) -> None:
        if self._state is SessionState.CLOSED and state is not SessionState.CONNECTING:
            return
        self._state = state
        if state is SessionState.BOUND:
            self._bound_event.set()
        elif state in (SessionState.AUTH_FAILED, SessionState.CLOSED):
            self._bound_event.set()  # wake waiters so they see the final state
        if self._on_state is not None:
            self._on_state(state)
