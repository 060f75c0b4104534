"""Connect, bind, serve the link, reconnect with backoff; runs on the session's I/O thread.

`IoThread` owns the socket; everything here runs on it. It connects and binds (blocking,
bounded by `response_timeout`), then serves the link from a `select` loop on a non-blocking
socket: it reads whatever has arrived and splits it into frames, answers `enquire_link` and
`deliver_sm`, resolves submits by sequence number, writes the submits the event loop queued
together with its own answers, sends `enquire_link` when the link is quiet, and drops the link
when SMSC stops answering, stops reading, or sends what cannot be framed; then it reconnects
with capped exponential backoff. A submit is written at most once: after a drop its caller
learns whether it went out (`ConnectionLost`) or not (`NotConnected`).

The event loop reaches the thread only through the submits it queues (:mod:`.submits`), a
wake-up on a socket pair, and `stop()`/`finish()`; the thread reaches the event loop only
through `loop.call_soon_threadsafe`, with the calls it gathered in order (`_emit`), in batches.
smpplib's sequence generator is only used here, and as one thread does all reads and writes, a
TLS socket is never used from two threads at once.
"""

from __future__ import annotations

import asyncio
import binascii
from collections.abc import Callable
import contextlib
import logging
import select
import socket
import ssl
import threading
import time
from typing import Any, Final

from smpplib import command as smpp_command, consts, exceptions, smpp

from .config import Received, SessionConfig, SessionCounters
from .deliver_sm import DeliverSm, parse_deliver_sm
from .errors import (
    AuthenticationFailed,
    BindRefusals,
    CannotConnect,
    ConnectionLost,
    NotConnected,
    SessionClosed,
    SmppError,
    SubmitRefused,
    describe_status,
)
from .incoming import IncomingAssembler, IncomingPart
from .logs import WIRE_LOGGER_NAME
from .pacing import RateWindow
from .receipts import UnparsedReport
from .submits import Submits
from .wire import (
    DELIVER_SM,
    ENQUIRE_LINK,
    GENERIC_NACK,
    HEADER_FIELDS,
    RESPONSE_BIT,
    SUBMIT_SM_RESP,
    ConnectionDropped,
    Link,
    SmscClient,
    UnparsablePdu,
    read_deliver_sm,
    submit_sm_resp_message_id,
)

_LOGGER = logging.getLogger(__name__)

# The I/O thread wakes at least this often, to check its timers.
_READ_TICK: Final = 1.0
# How long a closing session waits for SMSC's unbind_resp.
_UNBIND_GRACE: Final = 2.0
# The longest the I/O thread parses a burst before it lets the event loop's thread run, and
# how long it then sleeps: a real sleep, as `sleep(0)` gives the GIL straight back to this
# thread and leaves the loop's thread waiting out the 5 ms switch interval.
_HOLD_GIL: Final = 0.0005
_GIL_PAUSE: Final = 0.0001
# SMSC counts a second's submits as they arrive: a few milliseconds of network jitter must not
# squeeze one more into its second than the rate, so the window is this much longer than that.
_PACING_MARGIN: Final = 0.05
_SYSERR: Final = consts.SMPP_ESME_RSYSERR
# What the first bind's refusal means a wrong login by (later ones: `BindRefusals`).
_AUTH_FAILURES: Final = frozenset(
    {consts.SMPP_ESME_RINVPASWD, consts.SMPP_ESME_RBINDFAIL, consts.SMPP_ESME_RINVSYSID}
)

# A call for the event loop: gathered on the I/O thread, run on the loop in order.
type Call = tuple[Callable[..., None], tuple[Any, ...]]


class IoThread(threading.Thread):
    """The thread that keeps one session bound: started, woken and stopped by the session.

    The callbacks run on the event loop, handed over in the order the thread made them:
    `on_started(error)` once, with the first bind's outcome (None when bound); `on_bound`,
    `on_disconnected` and `on_auth_failed` as the link comes and goes; `on_deliver` with each
    receipt or incoming message. `hand_over(batch)` is what the loop runs them through.
    """

    def __init__(
        self,
        config: SessionConfig,
        counters: SessionCounters,
        submits: Submits,
        *,
        loop: asyncio.AbstractEventLoop,
        hand_over: Callable[[list[Call]], None],
        on_started: Callable[[SmppError | None], None],
        on_bound: Callable[[], None],
        on_disconnected: Callable[[], None],
        on_auth_failed: Callable[[], None],
        on_deliver: Callable[[Received], None] | None,
    ) -> None:
        super().__init__(name=f"smsc-smpp-{config.host}", daemon=True)
        self._config = config
        # Shared with the event loop without a lock: each counter has one writer, this thread
        # or the loop (see `SessionCounters`), and diagnostics only read them.
        self._counters = counters
        self._submits = submits
        # Kept across reconnects: SMSC's rate is per account, not per connection.
        self._pacer = RateWindow(config.max_rate, period=1.0 + _PACING_MARGIN)
        self._paced_until: float | None = None  # queued submits wait for the pacer till then
        # Set by the event loop (`set_rate`), read here before each batch of submits: one
        # attribute, written whole, so the pacer itself stays this thread's only.
        self._wanted_rate = config.max_rate
        self._loop = loop
        self._hand_over = hand_over
        self._on_started = on_started
        self._on_bound = on_bound
        self._on_disconnected = on_disconnected
        self._on_auth_failed = on_auth_failed
        self._on_deliver = on_deliver
        self._stopping = threading.Event()
        # The event loop wakes the thread through this pair (`kick`, `stop`).
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        # Set by the loop, cleared here before taking requests, so no wake-up is lost.
        self._kicked = False  # a wake-up for queued requests is on its way
        # Read without a lock by the thread running `finish()` (the session closing): at
        # worst it shuts down a socket that is being closed anyway.
        self._client: SmscClient | None = None  # the connection the thread is using
        self._serving = False  # the thread is in a bound link's loop
        self._outbox: list[Call] = []  # this thread's only
        self._assembler = IncomingAssembler()  # this thread's only
        self._bind_refusals = BindRefusals()  # this thread's only
        self._default_tls_context: ssl.SSLContext | None = None  # this thread's only

    # --- called by the session: on the event loop, `finish` in an executor ---------------

    def kick(self) -> None:
        """Wake the thread for queued requests, once per batch."""
        if not self._kicked:
            self._kicked = True
            self._wake()

    def set_rate(self, rate: int) -> None:
        """Pace submits at `rate` a second from the next one on."""
        self._wanted_rate = rate
        self._wake()

    def stop(self) -> None:
        """Ask the thread to unbind and end; `finish()` waits for it."""
        self._stopping.set()
        self._wake()

    def finish(self) -> None:
        """Wait for the thread to end, blocking (the session's close(), in an executor).

        A bound link gets the time to unbind properly; a connect or bind that blocks is cut
        at once (there is nothing to unbind yet), as is a link that overstays the grace.
        """
        if not self._serving:
            self._interrupt()
        self.join(min(self._config.response_timeout, _UNBIND_GRACE) + 1.0)
        if self.is_alive():
            self._interrupt()
            self.join()

    def close(self) -> None:
        """Close the wake-up pair, once the thread has ended (or never started)."""
        for sock in (self._wake_reader, self._wake_writer):
            sock.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def _interrupt(self) -> None:
        """Shut down the socket the thread uses, so a blocking call in it returns."""
        client = self._client
        if client is not None:
            client.abort()

    # --- the thread ----------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run_links()
        except Exception:  # a bug here must not leave callers waiting forever
            _LOGGER.exception("The SMSC session thread failed")
            self._report_start(CannotConnect("the SMSC session failed"), first_attempt=True)
            self._emit(self._on_disconnected)
        finally:
            self._fail_all(SessionClosed("the SMSC session was closed"))
            self._flush_outbox()

    def _run_links(self) -> None:
        config = self._config
        delay = config.reconnect_min_delay
        first_attempt = True
        while not self._stopping.is_set():
            try:
                link = self._connect_and_bind(rebind=not first_attempt)
            except AuthenticationFailed as err:
                self._counters.last_error = str(err)
                self._report_start(err, first_attempt)
                self._emit(self._on_auth_failed)
                if not first_attempt:  # at start the caller gets the error instead
                    _LOGGER.error("SMSC refused the login: %s", err)
                return
            except CannotConnect as err:
                self._counters.last_error = str(err)
                if first_attempt:
                    self._report_start(err, first_attempt)
                    return
                _LOGGER.debug("Reconnecting to SMSC failed: %s", err)
                self._emit(self._on_disconnected)
                self._flush_outbox()
                self._stopping.wait(delay)
                delay = min(delay * 2, config.reconnect_max_delay)
                continue
            if self._stopping.is_set():  # closed while binding
                self._close_client(link.client)
                return
            self._counters.connects += 1
            self._report_start(None, first_attempt)
            first_attempt = False
            delay = config.reconnect_min_delay
            self._emit(self._on_bound)
            self._serving = True
            try:
                self._serve(link)
            except Exception as err:  # any failure of the link means reconnect
                if not self._stopping.is_set():
                    self._counters.disconnects += 1
                    self._counters.last_error = str(err) or type(err).__name__
                    # Debug only: the hub logs the outage once, at warning, and its end.
                    _LOGGER.debug("Connection to SMSC lost (%s); reconnecting", err)
            finally:
                self._serving = False
                self._close_client(link.client)
            if self._stopping.is_set():
                # The session waited for answers before it stopped us; one still missing
                # went out, and SMSC may hold it.
                self._fail_written(link, "the SMSC session closed before SMSC confirmed it")
                return
            self._fail_written(link, "the connection to SMSC dropped before it confirmed it")
            self._emit(self._on_disconnected)
            self._flush_outbox()
            self._stopping.wait(delay)
            delay = min(delay * 2, config.reconnect_max_delay)

    def _connect_and_bind(self, *, rebind: bool) -> Link:
        config = self._config
        for name, value, status in (
            ("login", config.login, consts.SMPP_ESME_RINVSYSID),
            ("password", config.password, consts.SMPP_ESME_RINVPASWD),
        ):
            try:
                value.encode("latin-1")  # what smpplib puts on the wire
            except UnicodeEncodeError:
                raise AuthenticationFailed(
                    status, f"the {name} has characters an SMPP bind cannot carry"
                ) from None
        client = SmscClient(
            config.host,
            config.port,
            timeout=config.response_timeout,
            logger_name=WIRE_LOGGER_NAME,
            ssl_context=self._tls_context(),
            allow_unknown_opt_params=True,
        )
        self._client = client
        try:
            response = self._bind(client)
        except BaseException:
            self._close_client(client)
            raise
        if response.is_error():
            self._close_client(client)
            status = response.status
            # A rebind is refused for a wrong login only by the policy: a single 0x0D from
            # a struggling SMSC must not stop the session until the user logs in again.
            wrong_login = self._bind_refusals.final(status) if rebind else status in _AUTH_FAILURES
            if wrong_login:
                raise AuthenticationFailed(status)
            raise CannotConnect(f"bind refused: {describe_status(status)}")
        self._bind_refusals.reset()
        link = Link(client)
        link.sock.setblocking(False)
        return link

    def _tls_context(self) -> ssl.SSLContext | None:
        """The session's TLS context: the one given, or a default one made once, here.

        Made on this thread, not the event loop: loading the CA certificates reads files.
        """
        config = self._config
        if not config.use_tls:
            return None
        if self._default_tls_context is None:
            self._default_tls_context = config.ssl_context or ssl.create_default_context()
        return self._default_tls_context

    def _bind(self, client: SmscClient) -> Any:
        config = self._config
        where = f"{config.host}:{config.port}"
        try:
            client.connect()
        except exceptions.ConnectionError as err:
            reason = err.__cause__ or err.__context__ or err
            raise CannotConnect(f"cannot connect to {where}: {reason}") from err
        try:
            bind = smpp.make_pdu(
                f"bind_{config.bind_mode}",
                client=client,
                system_id=config.login,
                password=config.password,
                system_type=config.system_type,
                interface_version=0x34,
            )
            # smpplib cuts system_id at 15 and password at 8 characters (the SMPP 3.4
            # field sizes) without a word; SMSC takes longer ones, so widen them here.
            bind.params = {
                **bind.params,
                "system_id": smpp_command.Param(type=str, max=65),
                "password": smpp_command.Param(type=str, max=65),
            }
            client.send_pdu(bind)
            return client.read_pdu()
        except (exceptions.ConnectionError, OSError, ConnectionDropped, UnparsablePdu) as err:
            raise CannotConnect(f"no bind answer from {where}") from err
        except Exception as err:
            raise CannotConnect(f"binding to {where} failed: {err!r}") from err

    def _serve(self, link: Link) -> None:
        """Run one bound link until it fails (raises) or is unbound (returns)."""
        config = self._config
        interval = config.enquire_link_interval
        response_timeout = config.response_timeout
        sock = link.sock
        now = time.monotonic()
        last_received = now
        enquire_sent_at: float | None = None
        read_stalled_since: float | None = None  # part of a PDU waits for the rest
        write_stalled_since: float | None = None  # bytes wait for the socket to take them
        unbind_deadline: float | None = None
        while True:
            if self._stopping.is_set():
                if unbind_deadline is None:
                    link.queue(smpp.make_pdu("unbind", client=link.client))
                    unbind_deadline = now + min(response_timeout, _UNBIND_GRACE)
                elif now >= unbind_deadline:
                    return
            else:
                self._take_requests(link)
            # The socket does not block: write at once, and wait for it only when it is full.
            wrote = bool(link.outbuf) and not link.write_waits_for_read and link.flush()
            wakeups = [now + _READ_TICK]
            if enquire_sent_at is not None:
                wakeups.append(enquire_sent_at + response_timeout)
            else:
                wakeups.append(last_received + interval)
            for since in (read_stalled_since, write_stalled_since):
                if since is not None:
                    wakeups.append(since + response_timeout)
            if unbind_deadline is not None:
                wakeups.append(unbind_deadline)
            if self._paced_until is not None:
                wakeups.append(self._paced_until)
            wait = 0.0 if link.pending() else max(0.0, min(wakeups) - now)
            self._flush_outbox()  # hand over everything before blocking
            wants_write = bool(link.outbuf) and not link.write_waits_for_read
            readable, _, _ = select.select(
                [sock, self._wake_reader], [sock] if wants_write else [], [], wait
            )
            if self._wake_reader in readable:
                with contextlib.suppress(OSError):
                    self._wake_reader.recv(4096)
                self._kicked = False  # before taking requests, so no wake-up is lost
                if not self._stopping.is_set():
                    self._take_requests(link)
            parsed = received = False
            if sock in readable or link.pending():
                received = link.receive()
                yield_at = time.monotonic() + _HOLD_GIL
                for frame in link.frames():
                    parsed = True
                    if self._handle_frame(link, frame):
                        self._flush_outbox()
                        return
                    if time.monotonic() >= yield_at:
                        # A burst of receipts is parsed here with the GIL held; left alone,
                        # the event loop would wait up to the 5 ms switch interval at every
                        # turn. Hand over what is parsed, then let the loop thread run.
                        self._flush_outbox()
                        time.sleep(_GIL_PAUSE)
                        yield_at = time.monotonic() + _HOLD_GIL
                if link.corrupt:
                    raise ConnectionDropped(link.corrupt)
            if link.outbuf and not link.write_waits_for_read:
                wrote = link.flush() or wrote
            now = time.monotonic()
            if parsed:
                last_received = now
                enquire_sent_at = None
            if parsed or received or not link.inbuf:
                read_stalled_since = None
            elif read_stalled_since is None:
                read_stalled_since = now
            if wrote or not link.outbuf:
                write_stalled_since = None
            elif write_stalled_since is None:
                write_stalled_since = now
            if enquire_sent_at is not None:
                if now - enquire_sent_at > response_timeout:
                    raise ConnectionDropped("SMSC stopped answering enquire_link")
            elif now - last_received >= interval and unbind_deadline is None:
                link.queue(smpp.make_pdu("enquire_link", client=link.client))
                enquire_sent_at = now
            if read_stalled_since is not None and now - read_stalled_since > response_timeout:
                raise ConnectionDropped("SMSC sent part of a PDU and not the rest")
            if write_stalled_since is not None and now - write_stalled_since > response_timeout:
                raise ConnectionDropped("SMSC stopped reading")

    def _take_requests(self, link: Link) -> None:
        """Turn queued submits into PDUs on the link's output buffer, as fast as the pacer lets.

        What the pacer holds back stays queued (and can still be withdrawn as never sent);
        `_paced_until` makes the select loop wake when the next one may go.
        """
        submits = self._submits
        pacer = self._pacer
        if pacer.rate != self._wanted_rate:
            pacer.set_rate(self._wanted_rate)
        self._paced_until = None
        while True:
            next_slot = pacer.next_slot()
            if time.monotonic() < next_slot:
                self._paced_until = next_slot
                return
            request = submits.next_queued()
            if request is None:
                return
            if request.cancelled:
                continue
            try:
                pdu = link.submit_factory.make(request.params)
                if not submits.register(request, int(pdu.sequence)):
                    continue
                request.end = link.queue(pdu)
            except Exception as err:  # bad parameters: that caller's problem only
                submits.forget(request)
                self._emit(request.fail, err)
                continue
            pacer.record(time.monotonic())

    def _handle_frame(self, link: Link, frame: bytes) -> bool:
        """Act on one frame; True when the link is to end (our unbind was answered)."""
        logger = link.client.logger
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("<<%s (%d bytes)", binascii.b2a_hex(frame), len(frame))
        command_id, status, sequence = HEADER_FIELDS.unpack_from(frame, 4)
        if command_id == SUBMIT_SM_RESP:
            # The answer to every submit: read here rather than by smpplib, whose generic
            # parser costs more than the rest of the round trip.
            self._resolve_submit(sequence, status, frame)
            return False
        try:
            if command_id == DELIVER_SM:  # every report: read without smpplib, as fast
                self._on_deliver_sm(link, sequence, read_deliver_sm(frame))
                return False
            pdu = link.client.parse_frame(frame)
        except UnparsablePdu as err:
            self._counters.unparsable_pdus += 1
            _LOGGER.warning("Ignoring a PDU that cannot be parsed: %s", err)
            self._on_unparsable(link, err, frame)
            return False
        return self._dispatch(link, pdu)

    def _on_deliver_sm(self, link: Link, sequence: int, deliver_sm: DeliverSm) -> None:
        self._counters.delivers += 1
        # SMSC resends a deliver_sm that is not answered, so answer first, always.
        link.answer("deliver_sm_resp", sequence, consts.SMPP_ESME_ROK)
        received = self._parse_deliver(deliver_sm)
        if received is not None and self._on_deliver is not None:
            self._emit(self._on_deliver, received)

    def _dispatch(self, link: Link, pdu: Any) -> bool:
        command = pdu.command
        if command == "generic_nack":
            self._resolve_submit(int(pdu.sequence), int(pdu.status) or _SYSERR, b"")
        elif command == "enquire_link":
            link.answer("enquire_link_resp", pdu.sequence, consts.SMPP_ESME_ROK)
        elif command == "unbind":
            link.answer("unbind_resp", pdu.sequence, consts.SMPP_ESME_ROK)
            with contextlib.suppress(ConnectionDropped):
                link.flush()
            raise ConnectionDropped("SMSC unbound the session")
        elif command == "unbind_resp":
            if self._stopping.is_set():
                return True
            raise ConnectionDropped("SMSC ended the session")
        elif command == "enquire_link_resp":
            pass
        elif pdu.is_request() and command != "alert_notification":
            _LOGGER.debug("Refusing %s from SMSC", command)
            link.answer("generic_nack", pdu.sequence, consts.SMPP_ESME_RINVCMDID)
        else:
            _LOGGER.debug("Ignoring %s from SMSC", command)
        return False

    def _on_unparsable(self, link: Link, err: UnparsablePdu, frame: bytes) -> None:
        if err.command_id == GENERIC_NACK:
            # Never answer a response; but do not leave a caller waiting for one.
            self._resolve_submit(err.sequence, err.status or _SYSERR, frame)
        elif err.command_id & RESPONSE_BIT:
            pass
        elif err.command_id == DELIVER_SM:
            # Answered, or SMSC would resend it forever; as a permanent error, so it stops.
            link.answer("deliver_sm_resp", err.sequence, consts.SMPP_ESME_RX_P_APPN)
        elif err.command_id == ENQUIRE_LINK:
            link.answer("enquire_link_resp", err.sequence, consts.SMPP_ESME_ROK)
        else:
            link.answer("generic_nack", err.sequence, consts.SMPP_ESME_RINVCMDID)

    def _parse_deliver(self, deliver_sm: DeliverSm) -> Received | None:
        # Parsed here, so a burst of receipts costs the event loop only the dispatch.
        result = parse_deliver_sm(deliver_sm)
        if isinstance(result, IncomingPart):
            # None until every part of a concatenated message is in.
            return self._assembler.feed(result)
        if isinstance(result, UnparsedReport):
            self._counters.unparsable_pdus += 1
        return result

    def _resolve_submit(self, sequence: int, status: int, frame: bytes) -> None:
        """Hand a submit_sm_resp (or a generic_nack) to the submit with its sequence."""
        request = self._submits.resolve(sequence)
        if request is None:
            _LOGGER.debug("Answer for unknown or expired sequence %s", sequence)
            return
        if status:
            self._emit(request.fail, SubmitRefused(status))
        else:
            self._emit(request.accept, submit_sm_resp_message_id(frame))

    def _fail_written(self, link: Link, why_lost: str) -> None:
        """After a drop or an unbind: fail every unanswered submit of that link, never resend.

        One that went out whole may or may not have reached SMSC (`ConnectionLost`); one the
        socket never took completely cannot have been accepted (`NotConnected`). Requests not
        yet written stay queued for the next link.
        """
        lost = ConnectionLost(why_lost)
        unsent = NotConnected("the connection to SMSC dropped before the message was sent")
        for request in self._submits.take_pending():
            self._emit(request.fail, lost if request.end <= link.sent else unsent)

    def _fail_all(self, error: SmppError) -> None:
        """The thread ends: fail what is left; one filed under a sequence may have gone out."""
        lost = ConnectionLost("the SMSC session ended before SMSC confirmed the message")
        for request in self._submits.take_all():
            self._emit(request.fail, error if request.sequence is None else lost)

    def _close_client(self, client: SmscClient) -> None:
        if self._client is client:
            self._client = None
        # smpplib warns unless a client is "open" when it disconnects: one that never
        # connected is not, and by now a bound one's link is gone or unbound.
        client.state = consts.SMPP_CLIENT_STATE_OPEN
        with contextlib.suppress(Exception):
            client.disconnect()

    def _report_start(self, error: SmppError | None, first_attempt: bool) -> None:
        if first_attempt:
            self._emit(self._on_started, error)

    def _emit(self, callback: Callable[..., None], *args: Any) -> None:
        """Queue a call for the event loop; `_flush_outbox` hands them over in order."""
        self._outbox.append((callback, args))

    def _flush_outbox(self) -> None:
        if self._outbox:
            batch, self._outbox = self._outbox, []
            with contextlib.suppress(RuntimeError):  # the loop closed under us at shutdown
                self._loop.call_soon_threadsafe(self._hand_over, batch)
