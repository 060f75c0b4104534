"""One persistent SMPP transceiver session to SMSC, driven by smpplib in its own thread.

One I/O thread owns the socket. It connects and binds (blocking, bounded by
`response_timeout`), then serves the link from a `select` loop on a non-blocking socket: it
reads whatever has arrived into a buffer and splits it into PDUs, answers `enquire_link` and
`deliver_sm`, resolves submit futures by sequence number, writes the submits the event loop
queued together with its own answers, sends `enquire_link` when the link is quiet, and drops
the link when SMSC stops answering, stops reading, or sends what cannot be framed; then it
reconnects with capped exponential backoff. A submit is written at most once: after a drop
its caller learns whether it went out (`ConnectionLost`) or not (`NotConnected`).

The event loop never touches the socket and never waits for a thread: `submit()` appends a
request to a queue and wakes the I/O thread through a socket pair (once per batch); the thread
hands results back in batches, which the loop runs in slices of at most `_SLICE` seconds so
that a burst of receipts never holds it for long. smpplib binds, builds every `submit_sm` and
parses what SMSC sends; the session reads `submit_sm_resp` and writes its fixed-shape answers
itself, which is most of a busy link's traffic. smpplib's sequence generator is only used by
the I/O thread, and as one thread does all reads and writes, a TLS socket is never used from
two threads at once.
"""

from __future__ import annotations

import asyncio
import binascii
from collections import deque
from collections.abc import Callable, Mapping
import contextlib
import copy
from dataclasses import dataclass, field
from enum import StrEnum
import logging
import select
import socket
import ssl
import struct
import threading
import time
from typing import Any, Final

from smpplib import client as smpp_client, command as smpp_command, consts, exceptions, smpp

from .receipts import (
    DeliverSm,
    DeliveryReceipt,
    HlrResult,
    IncomingAssembler,
    IncomingMessage,
    IncomingPart,
    UnparsedReport,
    parse_deliver_sm,
)

_LOGGER = logging.getLogger(__name__)

# smpplib logs every PDU it writes as hex at DEBUG, bind included; it logs under this name so
# the manifest's `loggers: ["smpplib"]` covers it, and `_PasswordRedactingFilter` guards it.
# The session logs the PDUs it writes and reads itself under the same name, in the same format.
WIRE_LOGGER_NAME: Final = "smpplib.client"

DEFAULT_HOST: Final = "smpp.smsc.ru"
BACKUP_HOST: Final = "smpp2.smscentre.com"
DEFAULT_PORT: Final = 3700
DEFAULT_TLS_PORT: Final = 3443

# Larger frames than this are not SMPP from SMSC: treat the stream as corrupt.
MAX_PDU_LENGTH: Final = 64 * 1024
_HEADER_LENGTH: Final = 16
# The I/O thread wakes at least this often, to check its timers.
_READ_TICK: Final = 1.0
_RECV_SIZE: Final = 64 * 1024
_SEND_CHUNK: Final = 64 * 1024
# How long a closing session waits for SMSC's unbind_resp.
_UNBIND_GRACE: Final = 2.0
_MAX_THROTTLE_DELAY: Final = 10.0
# The longest the event loop spends on results from the I/O thread before it lets others run.
_SLICE: Final = 0.002
# The longest the I/O thread parses a burst before it lets the event loop's thread run.
_HOLD_GIL: Final = 0.001

_HEADER: Final = struct.Struct(">LLLL")  # command_length, command_id, status, sequence
_HEADER_FIELDS: Final = struct.Struct(">LLL")  # command_id, command_status, sequence_number
# The responses the session writes: command id and body.
_ANSWERS: Final[dict[str, tuple[int, bytes]]] = {
    "deliver_sm_resp": (0x80000005, b"\0"),
    "enquire_link_resp": (0x80000015, b""),
    "unbind_resp": (0x80000006, b""),
    "generic_nack": (0x80000000, b""),
}
_RESPONSE_BIT: Final = 0x80000000
_GENERIC_NACK: Final = 0x80000000
_SUBMIT_SM_RESP: Final = 0x80000004
_DELIVER_SM: Final = 0x00000005
_ENQUIRE_LINK: Final = 0x00000015
_BIND_COMMANDS: Final = frozenset({"00000001", "00000002", "00000009"})

AUTH_FAILURE_STATUSES: Final = frozenset(
    {consts.SMPP_ESME_RINVPASWD, consts.SMPP_ESME_RBINDFAIL, consts.SMPP_ESME_RINVSYSID}
)


class SessionState(StrEnum):
    """Where the session is in its life."""

    CONNECTING = "connecting"
    BOUND = "bound"
    DISCONNECTED = "disconnected"
    AUTH_FAILED = "auth_failed"
    CLOSED = "closed"


def describe_status(status: int) -> str:
    """Name an SMPP command_status in words."""
    description = consts.DESCRIPTIONS.get(status)
    return f"{description} (0x{status:08X})" if description else f"status 0x{status:08X}"


class SmppError(Exception):
    """Base of every error the session raises."""


class CannotConnect(SmppError):
    """SMSC could not be reached or did not answer the bind."""


class AuthenticationFailed(SmppError):
    """SMSC refused the login or password (or they cannot be put in a bind at all)."""

    def __init__(self, status: int, detail: str | None = None) -> None:
        super().__init__(detail or f"bind refused: {describe_status(status)}")
        self.status = status


class NotConnected(SmppError):
    """No bound session took the message within the caller's time; it was not sent."""


class SessionClosed(SmppError):
    """The session was closed while the request waited."""


class SubmitTimeout(SmppError):
    """SMSC did not answer a submit within the caller's time; it may still have taken it."""


class ConnectionLost(SmppError):
    """The link dropped after the submit was written and before SMSC answered it.

    The message may or may not have been accepted: the caller is told rather than the
    session silently resending and risking a double send.
    """


class SubmitRefused(SmppError):
    """SMSC answered a submit with an error status."""

    def __init__(self, status: int) -> None:
        super().__init__(describe_status(status))
        self.status = status
        self.description = describe_status(status)


class _ThrottledLocally(SubmitRefused):
    """SMSC's last throttling pause lasts beyond the caller's time; nothing was sent."""

    def __init__(self) -> None:
        super().__init__(consts.SMPP_ESME_RTHROTTLED)


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How to reach and bind to SMSC."""

    host: str
    port: int
    login: str
    password: str = field(repr=False)
    use_tls: bool = False
    latin1: bool = False
    enquire_link_interval: float = 30.0
    response_timeout: float = 10.0
    submit_timeout: float = 30.0
    submit_window: int = 10
    reconnect_min_delay: float = 1.0
    reconnect_max_delay: float = 60.0
    throttle_delay: float = 1.0

    @property
    def system_type(self) -> str:
        """SMSC switches data_coding 4 to Latin-1 only for binds with system_type ISO."""
        return "ISO" if self.latin1 else ""


# What the session hands over for each deliver_sm: parsed in the I/O thread, so a burst of
# receipts costs the event loop only the dispatch.
type Received = DeliveryReceipt | HlrResult | IncomingMessage | UnparsedReport


@dataclass(slots=True)
class SessionCounters:
    """What the session has done since it started; read by diagnostics."""

    connects: int = 0
    disconnects: int = 0
    submits: int = 0
    submit_errors: int = 0
    throttled: int = 0
    delivers: int = 0
    unparsable_pdus: int = 0
    last_error: str | None = None


class _PasswordRedactingFilter(logging.Filter):
    """Rewrite smpplib's hex dumps so the bind password never reaches a log.

    A dump of a bind PDU is dropped whole; the password (as text and as hex) is also cut out
    of anything else logged on the wire logger.
    """

    def __init__(self, secrets: Callable[[], list[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args:
            return True
        secrets = [secret for secret in self._secrets() if secret]
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        redacted: list[object] = []
        for arg in args:
            text = arg.decode("ascii", "replace") if isinstance(arg, bytes) else arg
            if isinstance(text, str):
                if _is_bind_dump(text):
                    text = "<bind PDU redacted>"
                for secret in secrets:
                    for form in (secret, secret.encode("latin-1", "replace").hex()):
                        text = text.replace(form, "<redacted>")
                redacted.append(text)
            else:
                redacted.append(arg)
        record.args = tuple(redacted)
        return True


def _is_bind_dump(text: str) -> bool:
    """A hex dump of a whole bind_* PDU: length, then a bind command id."""
    return (
        len(text) >= 32
        and text[8:16] in _BIND_COMMANDS
        and all(char in "0123456789abcdefABCDEF" for char in text[:32])
    )


class _UnknownTlvFilter(logging.Filter):
    """Let smpplib warn once per unknown TLV tag, not once per PDU that carries it."""

    _MESSAGE: Final = "Unknown optional parameter type 0x%x, skipping"
    _MAX_TAGS: Final = 256

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[object] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self._MESSAGE:
            return True
        tag = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if tag in self._seen or len(self._seen) >= self._MAX_TAGS:
            return False
        self._seen.add(tag)
        return True


_SECRETS: dict[int, str] = {}
_SECRETS_LOCK = threading.Lock()


def _active_secrets() -> list[str]:
    with _SECRETS_LOCK:
        return list(_SECRETS.values())


_WIRE_LOGGER = logging.getLogger(WIRE_LOGGER_NAME)
_WIRE_LOGGER.addFilter(_PasswordRedactingFilter(_active_secrets))
logging.getLogger("smpplib.command").addFilter(_UnknownTlvFilter())


class _ConnectionDropped(Exception):
    """The link is unusable; the I/O thread tears it down and reconnects."""


class _UnparsablePdu(Exception):
    def __init__(self, command_id: int, status: int, sequence: int, cause: object) -> None:
        super().__init__(f"command 0x{command_id:08X} status {status}: {cause}")
        self.command_id = command_id
        self.status = status
        self.sequence = sequence


class _SmscClient(smpp_client.Client):  # type: ignore[misc]
    """smpplib's client with a bounded frame reader that never advances our sequence."""

    def _create_socket(self) -> socket.socket:
        raw_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw_socket.settimeout(self.timeout)
        if self._ssl_context is None:
            return raw_socket
        # smpplib wraps without server_hostname: no SNI and no certificate host check.
        wrapped: socket.socket = self._ssl_context.wrap_socket(
            raw_socket, server_hostname=self.host
        )
        return wrapped

    def read_pdu(self) -> Any:
        """Read one PDU, blocking (used for the bind only)."""
        raw_length = self._recv_exact(4)
        (length,) = struct.unpack(">L", raw_length)
        if not _HEADER_LENGTH <= length <= MAX_PDU_LENGTH:
            raise _ConnectionDropped(f"invalid PDU length {length}")
        return self.parse_frame(raw_length + self._recv_exact(length - 4))

    def parse_frame(self, frame: bytes) -> Any:
        """Turn one complete frame into an smpplib PDU, or raise `_UnparsablePdu`."""
        command_id, status, sequence = struct.unpack(">LLL", frame[4:16])
        try:
            # `sequence=0` stops smpplib from drawing a fresh number for a parsed PDU;
            # parse() then sets the real one from the header.
            pdu = smpp.parse_pdu(frame, client=self, sequence=0, allow_unknown_opt_params=True)
        except Exception as err:
            raise _UnparsablePdu(command_id, status, sequence, err) from err
        if pdu is None:
            raise _UnparsablePdu(command_id, status, sequence, None)
        return pdu


class _Link:
    """One bound connection and its buffers; touched by the I/O thread only."""

    __slots__ = (
        "client",
        "corrupt",
        "inbuf",
        "outbuf",
        "queued",
        "sent",
        "sock",
        "ssl_retry",
        "submits",
        "tls",
        "write_waits_for_read",
    )

    def __init__(self, client: _SmscClient) -> None:
        self.client = client
        self.sock: socket.socket = client._socket
        self.tls = isinstance(self.sock, ssl.SSLSocket)
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.queued = 0  # bytes ever put into outbuf
        self.sent = 0  # bytes the socket took
        self.ssl_retry = 0  # a TLS write that would block must be repeated with this length
        self.corrupt: str | None = None  # why the input stream cannot be framed any more
        self.submits = _SubmitFactory(client)
        self.write_waits_for_read = False

    def queue(self, pdu: Any) -> int:
        """Put a PDU on the wire's queue; returns the stream offset just past it."""
        data: bytes = pdu.generate()
        logger = self.client.logger
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(">>%s (%d bytes)", binascii.b2a_hex(data), len(data))
        self.outbuf += data
        self.queued += len(data)
        return self.queued

    def answer(self, command: str, sequence: int, status: int) -> None:
        """Queue a response to SMSC's request `sequence`.

        These have a fixed shape (a header, and for deliver_sm_resp an empty message_id), so
        they are packed here: as smpplib would write them, at a fraction of its cost, which
        matters when thousands of receipts need answering.
        """
        command_id, body = _ANSWERS[command]
        data = _HEADER.pack(_HEADER_LENGTH + len(body), command_id, status, sequence) + body
        logger = self.client.logger
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(">>%s (%d bytes)", binascii.b2a_hex(data), len(data))
        self.outbuf += data
        self.queued += len(data)

    def flush(self) -> bool:
        """Write what the socket takes without blocking; True if anything went out."""
        progressed = False
        while self.outbuf:
            size = self.ssl_retry or min(len(self.outbuf), _SEND_CHUNK)
            try:
                written = self.sock.send(self.outbuf[:size])
            except (BlockingIOError, ssl.SSLWantWriteError):
                if self.tls:
                    self.ssl_retry = size
                break
            except ssl.SSLWantReadError:  # TLS must read before it can write again
                self.ssl_retry = size
                self.write_waits_for_read = True
                break
            except OSError as err:
                raise _ConnectionDropped(f"cannot write to SMSC: {err}") from err
            self.ssl_retry = 0
            del self.outbuf[:written]
            self.sent += written
            progressed = True
        return progressed

    def receive(self) -> bool:
        """Read what has arrived without blocking; True if anything did."""
        received = False
        for _ in range(16):
            try:
                data = self.sock.recv(_RECV_SIZE)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            except OSError as err:
                raise _ConnectionDropped(str(err) or "connection reset by SMSC") from err
            if not data:
                raise _ConnectionDropped("connection closed by SMSC")
            self.inbuf += data
            self.write_waits_for_read = False
            received = True
            if len(data) < _RECV_SIZE and not (self.tls and self.pending()):
                break
        return received

    def pending(self) -> bool:
        """Decrypted bytes wait inside the TLS layer, where select cannot see them."""
        return self.tls and isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0

    def frames(self) -> list[bytes]:
        """Take every complete frame out of the input buffer.

        Frames before a corrupt length are still returned (they may answer submits); the
        corruption is noted in `corrupt` for the caller to drop the link after them.
        """
        buffer = self.inbuf
        frames: list[bytes] = []
        position = 0
        while len(buffer) - position >= 4:
            (length,) = struct.unpack_from(">L", buffer, position)
            if not _HEADER_LENGTH <= length <= MAX_PDU_LENGTH:
                self.corrupt = f"invalid PDU length {length}"
                break
            if len(buffer) - position < length:
                break
            frames.append(bytes(buffer[position : position + length]))
            position += length
        if position:
            del buffer[:position]
        return frames


type _Call = tuple[Callable[..., None], tuple[Any, ...]]


@dataclass(slots=True, eq=False)
class _Request:
    """A submit on its way: queued by the event loop, written by the I/O thread."""

    params: Mapping[str, Any]
    future: asyncio.Future[str]
    on_accepted: Callable[[str], None] | None
    sequence: int | None = None  # set (under the pending lock) once it is in a PDU
    end: int = 0  # stream offset just past its PDU
    cancelled: bool = False


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
        self._on_deliver = on_deliver
        self._state = SessionState.CLOSED
        self._closing = False
        # Submits queued by the loop and not yet taken by the I/O thread.
        self._requests: deque[_Request] = deque()
        # Submits written (or about to be) and not yet answered, by sequence number.
        self._pending: dict[int, _Request] = {}
        self._pending_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._busy_client: _SmscClient | None = None  # the connection the thread is using
        self._serving = False  # the I/O thread is in a bound link's loop
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._kicked = False  # a wake-up for queued requests is on its way
        # Calls from the I/O thread: gathered there (outbox), run here in slices (inbox).
        self._outbox: list[_Call] = []
        self._inbox: deque[_Call] = deque()
        self._draining = False
        self._bound_event = asyncio.Event()
        self._window = asyncio.Semaphore(config.submit_window)
        self._resume_at = 0.0  # loop time before which SMSC asked us to hold back
        self._throttle_backoff = config.throttle_delay
        self._started: asyncio.Future[None] | None = None
        self._assembler = IncomingAssembler()  # used by the I/O thread only

    @property
    def state(self) -> SessionState:
        """The current state; updated on the event loop."""
        return self._state

    @property
    def in_flight(self) -> int:
        """Submits written and not yet answered."""
        with self._pending_lock:
            return len(self._pending)

    async def start(self) -> None:
        """Bind, then keep the session up in the background."""
        if self._thread is not None:
            raise RuntimeError("session already started")
        self._started = self._loop.create_future()
        self._set_state(SessionState.CONNECTING)
        with _SECRETS_LOCK:
            _SECRETS[id(self)] = self.config.password
        self._thread = threading.Thread(
            target=self._run, name=f"smsc-smpp-{self.config.host}", daemon=True
        )
        self._thread.start()
        try:
            await self._started
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Unbind and stop the I/O thread; fail whatever still waits."""
        self._closing = True
        self._stopping.set()
        self._bound_event.set()  # submits waiting for a bind see the session closing
        self._wake()
        thread = self._thread
        if thread is not None and thread.is_alive():
            await self._loop.run_in_executor(None, self._join, thread)
        error = SessionClosed("the SMSC session was closed")
        with self._pending_lock:
            left = [*self._pending.values(), *self._requests]
            self._pending.clear()
            self._requests.clear()
        for request in left:
            _fail(request.future, error)
        with _SECRETS_LOCK:
            _SECRETS.pop(id(self), None)
        for sock in (self._wake_reader, self._wake_writer):
            sock.close()
        self._state = SessionState.CLOSED

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
        request: _Request | None = None
        try:
            async with asyncio.timeout_at(deadline):
                await self._window.acquire()
                acquired = True
                await self._wait_ready(deadline)
                request = _Request(params, self._loop.create_future(), on_accepted)
                self._requests.append(request)
                self._kick()
                message_id = await request.future
        except TimeoutError as err:
            self.counters.submit_errors += 1
            if not acquired:
                raise SubmitTimeout(
                    "SMSC answered earlier submits too slowly; this one was not sent"
                ) from err
            if request is None:
                raise NotConnected("SMSC is not connected") from err
            if self._withdraw(request):
                raise NotConnected("SMSC did not take the message in time; not sent") from err
            raise SubmitTimeout("SMSC did not answer the submit in time") from err
        except SmppError:
            self.counters.submit_errors += 1
            raise
        except BaseException:
            if request is not None:
                self._withdraw(request)
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

    def _withdraw(self, request: _Request) -> bool:
        """Stop waiting for a request; True if it was never written."""
        with self._pending_lock:
            if request.sequence is None:
                request.cancelled = True
                return True
            self._pending.pop(request.sequence, None)
            return False

    def _kick(self) -> None:
        """Wake the I/O thread for queued requests, once per batch."""
        if not self._kicked:
            self._kicked = True
            self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    # --- I/O thread ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._run_links()
        except Exception:  # a bug here must not leave callers waiting forever
            _LOGGER.exception("The SMSC session thread failed")
            self._report_start(CannotConnect("the SMSC session failed"), first_attempt=True)
            self._emit(self._set_state, SessionState.DISCONNECTED)
        finally:
            self._fail_all(SessionClosed("the SMSC session was closed"))
            self._flush_outbox()

    def _run_links(self) -> None:
        config = self.config
        delay = config.reconnect_min_delay
        first_attempt = True
        while not self._stopping.is_set():
            try:
                link = self._connect_and_bind()
            except AuthenticationFailed as err:
                self.counters.last_error = str(err)
                self._report_start(err, first_attempt)
                self._emit(self._set_state, SessionState.AUTH_FAILED)
                if not first_attempt:  # at start the caller gets the error instead
                    _LOGGER.error("SMSC refused the login: %s", err)
                return
            except CannotConnect as err:
                self.counters.last_error = str(err)
                if first_attempt:
                    self._report_start(err, first_attempt)
                    return
                _LOGGER.debug("Reconnecting to SMSC failed: %s", err)
                self._emit(self._set_state, SessionState.DISCONNECTED)
                self._flush_outbox()
                self._stopping.wait(delay)
                delay = min(delay * 2, config.reconnect_max_delay)
                continue
            if self._stopping.is_set():  # closed while binding
                self._close_link(link)
                return
            self.counters.connects += 1
            self._report_start(None, first_attempt)
            first_attempt = False
            delay = config.reconnect_min_delay
            self._emit(self._set_state, SessionState.BOUND)
            self._serving = True
            try:
                self._serve(link)
            except Exception as err:  # any failure of the link means reconnect
                if not self._stopping.is_set():
                    self.counters.disconnects += 1
                    self.counters.last_error = str(err) or type(err).__name__
                    _LOGGER.warning("Connection to SMSC lost (%s); reconnecting", err)
            finally:
                self._serving = False
                self._close_link(link)
            if self._stopping.is_set():
                return
            self._fail_written(link)
            self._emit(self._set_state, SessionState.DISCONNECTED)
            self._flush_outbox()
            self._stopping.wait(delay)
            delay = min(delay * 2, config.reconnect_max_delay)

    def _connect_and_bind(self) -> _Link:
        config = self.config
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
        client = _SmscClient(
            config.host,
            config.port,
            timeout=config.response_timeout,
            logger_name=WIRE_LOGGER_NAME,
            ssl_context=ssl.create_default_context() if config.use_tls else None,
            allow_unknown_opt_params=True,
        )
        self._busy_client = client
        try:
            response = self._bind(client)
        except BaseException:
            self._close_client(client)
            raise
        if response.is_error():
            self._close_client(client)
            if response.status in AUTH_FAILURE_STATUSES:
                raise AuthenticationFailed(response.status)
            raise CannotConnect(f"bind refused: {describe_status(response.status)}")
        client.state = consts.SMPP_CLIENT_STATE_BOUND_TRX
        link = _Link(client)
        link.sock.setblocking(False)
        return link

    def _bind(self, client: _SmscClient) -> Any:
        config = self.config
        where = f"{config.host}:{config.port}"
        try:
            client.connect()
        except exceptions.ConnectionError as err:
            reason = err.__context__ or err
            raise CannotConnect(f"cannot connect to {where}: {reason}") from err
        try:
            bind = smpp.make_pdu(
                "bind_transceiver",
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
        except (exceptions.ConnectionError, OSError, _ConnectionDropped, _UnparsablePdu) as err:
            raise CannotConnect(f"no bind answer from {where}") from err
        except Exception as err:
            raise CannotConnect(f"binding to {where} failed: {err!r}") from err

    def _serve(self, link: _Link) -> None:
        """Run one bound link until it fails (raises) or is unbound (returns)."""
        config = self.config
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
                        time.sleep(0)
                        yield_at = time.monotonic() + _HOLD_GIL
                if link.corrupt:
                    raise _ConnectionDropped(link.corrupt)
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
                    raise _ConnectionDropped("SMSC stopped answering enquire_link")
            elif now - last_received >= interval and unbind_deadline is None:
                link.queue(smpp.make_pdu("enquire_link", client=link.client))
                enquire_sent_at = now
            if read_stalled_since is not None and now - read_stalled_since > response_timeout:
                raise _ConnectionDropped("SMSC sent part of a PDU and not the rest")
            if write_stalled_since is not None and now - write_stalled_since > response_timeout:
                raise _ConnectionDropped("SMSC stopped reading")

    def _take_requests(self, link: _Link) -> None:
        """Turn queued submits into PDUs on the link's output buffer."""
        requests = self._requests
        while requests:
            request = requests.popleft()
            if request.cancelled:
                continue
            try:
                pdu = link.submits.make(request.params)
                if not self._register(request, int(pdu.sequence)):
                    continue
                request.end = link.queue(pdu)
            except Exception as err:  # bad parameters: that caller's problem only
                with self._pending_lock:
                    if request.sequence is not None:
                        self._pending.pop(request.sequence, None)
                self._emit(_fail, request.future, err)

    def _register(self, request: _Request, sequence: int) -> bool:
        """Await the answer under this sequence, unless the caller gave up already."""
        with self._pending_lock:
            if request.cancelled:
                return False
            request.sequence = sequence
            self._pending[sequence] = request
            return True

    def _handle_frame(self, link: _Link, frame: bytes) -> bool:
        """Act on one frame; True when the link is to end (our unbind was answered)."""
        logger = link.client.logger
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("<<%s (%d bytes)", binascii.b2a_hex(frame), len(frame))
        command_id, status, sequence = _HEADER_FIELDS.unpack_from(frame, 4)
        if command_id == _SUBMIT_SM_RESP:
            # The answer to every submit: read here rather than by smpplib, whose generic
            # parser costs more than the rest of the round trip.
            self._resolve_submit(sequence, status, frame)
            return False
        try:
            pdu = link.client.parse_frame(frame)
        except _UnparsablePdu as err:
            self.counters.unparsable_pdus += 1
            _LOGGER.warning("Ignoring a PDU smpplib cannot parse: %s", err)
            self._on_unparsable(link, err, frame)
            return False
        return self._dispatch(link, pdu)

    def _dispatch(self, link: _Link, pdu: Any) -> bool:
        command = pdu.command
        if command == "generic_nack":
            self._resolve_submit(int(pdu.sequence), int(pdu.status) or _SYSERR, b"")
        elif command == "deliver_sm":
            self.counters.delivers += 1
            # SMSC resends a deliver_sm that is not answered, so answer first, always.
            link.answer("deliver_sm_resp", pdu.sequence, consts.SMPP_ESME_ROK)
            received = self._parse_deliver(pdu)
            if received is not None and self._on_deliver is not None:
                self._emit(self._on_deliver, received)
        elif command == "enquire_link":
            link.answer("enquire_link_resp", pdu.sequence, consts.SMPP_ESME_ROK)
        elif command == "unbind":
            link.answer("unbind_resp", pdu.sequence, consts.SMPP_ESME_ROK)
            with contextlib.suppress(_ConnectionDropped):
                link.flush()
            raise _ConnectionDropped("SMSC unbound the session")
        elif command == "unbind_resp":
            if self._stopping.is_set():
                return True
            raise _ConnectionDropped("SMSC ended the session")
        elif command == "enquire_link_resp":
            pass
        elif pdu.is_request() and command != "alert_notification":
            _LOGGER.debug("Refusing %s from SMSC", command)
            link.answer("generic_nack", pdu.sequence, consts.SMPP_ESME_RINVCMDID)
        else:
            _LOGGER.debug("Ignoring %s from SMSC", command)
        return False

    def _on_unparsable(self, link: _Link, err: _UnparsablePdu, frame: bytes) -> None:
        if err.command_id == _GENERIC_NACK:
            # Never answer a response; but do not leave a caller waiting for one.
            self._resolve_submit(err.sequence, err.status or _SYSERR, frame)
        elif err.command_id & _RESPONSE_BIT:
            pass
        elif err.command_id == _DELIVER_SM:
            # Answered, or SMSC would resend it forever; as a permanent error, so it stops.
            link.answer("deliver_sm_resp", err.sequence, consts.SMPP_ESME_RX_P_APPN)
        elif err.command_id == _ENQUIRE_LINK:
            link.answer("enquire_link_resp", err.sequence, consts.SMPP_ESME_ROK)
        else:
            link.answer("generic_nack", err.sequence, consts.SMPP_ESME_RINVCMDID)

    def _parse_deliver(self, pdu: Any) -> Received | None:
        result = parse_deliver_sm(DeliverSm.from_pdu(pdu))
        if isinstance(result, IncomingPart):
            # None until every part of a concatenated message is in.
            return self._assembler.feed(result)
        if isinstance(result, UnparsedReport):
            self.counters.unparsable_pdus += 1
        return result

    def _resolve_submit(self, sequence: int, status: int, frame: bytes) -> None:
        """Hand a submit_sm_resp (or a generic_nack) to the submit with its sequence."""
        with self._pending_lock:
            request = self._pending.pop(sequence, None)
        if request is None:
            _LOGGER.debug("Answer for unknown or expired sequence %s", sequence)
            return
        if status:
            self._emit(_fail, request.future, SubmitRefused(status))
        else:
            # The body is the message id as a C-string (SMPP 5.0 may add TLVs after it).
            message_id = frame[_HEADER_LENGTH:].split(b"\0", 1)[0]
            self._emit(_accept, request, message_id.decode("ascii", "replace"))

    def _fail_written(self, link: _Link) -> None:
        """After a drop: fail every unanswered submit of that link, never resend it.

        One that went out whole may or may not have reached SMSC (`ConnectionLost`); one the
        socket never took completely cannot have been accepted (`NotConnected`). Requests not
        yet written stay queued for the next link.
        """
        with self._pending_lock:
            pending, self._pending = list(self._pending.values()), {}
        lost = ConnectionLost("the connection to SMSC dropped before it confirmed the message")
        unsent = NotConnected("the connection to SMSC dropped before the message was sent")
        for request in pending:
            self._emit(_fail, request.future, lost if request.end <= link.sent else unsent)

    def _fail_all(self, error: SmppError) -> None:
        with self._pending_lock:
            left = [*self._pending.values(), *self._requests]
            self._pending.clear()
            self._requests.clear()
        for request in left:
            self._emit(_fail, request.future, error)

    def _join(self, thread: threading.Thread) -> None:
        """Wait for the I/O thread (close() only).

        A bound link gets the time to unbind properly; a connect or bind that blocks is cut
        at once (there is nothing to unbind yet), as is a link that overstays the grace.
        """
        if not self._serving:
            self._interrupt()
        thread.join(min(self.config.response_timeout, _UNBIND_GRACE) + 1.0)
        if thread.is_alive():
            self._interrupt()
            thread.join()

    def _interrupt(self) -> None:
        """Shut down the socket the I/O thread uses, so a blocking call in it returns."""
        client = self._busy_client
        sock = client._socket if client is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _close_link(self, link: _Link) -> None:
        self._close_client(link.client)

    def _close_client(self, client: _SmscClient) -> None:
        if self._busy_client is client:
            self._busy_client = None
        # smpplib warns when a bound client disconnects; by now the link is gone or unbound.
        client.state = consts.SMPP_CLIENT_STATE_OPEN
        with contextlib.suppress(Exception):
            client.disconnect()

    def _report_start(self, error: SmppError | None, first_attempt: bool) -> None:
        if not first_attempt or self._started is None:
            return
        if error is None:
            self._emit(_succeed, self._started, None)
        else:
            self._emit(_fail, self._started, error)

    def _emit(self, callback: Callable[..., None], *args: Any) -> None:
        """Queue a call for the event loop; `_flush_outbox` hands them over in order."""
        self._outbox.append((callback, args))

    def _flush_outbox(self) -> None:
        if self._outbox:
            batch, self._outbox = self._outbox, []
            with contextlib.suppress(RuntimeError):  # the loop closed under us at shutdown
                self._loop.call_soon_threadsafe(self._take_batch, batch)

    # --- back on the event loop ----------------------------------------------------------

    def _take_batch(self, batch: list[_Call]) -> None:
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


_SYSERR: Final = consts.SMPP_ESME_RSYSERR
_SUBMIT_SM_FIELDS: Final[tuple[str, ...]] = tuple(smpp_command.SubmitSM.params_order)
_SUBMIT_SM_TLVS: Final = frozenset(
    name for name in _SUBMIT_SM_FIELDS if name in consts.OPTIONAL_PARAMS
)


class _SubmitFactory:
    """Builds smpplib `submit_sm` PDUs for one client, at about a third of smpplib's cost.

    `smpp.make_pdu` sets each of the ~45 fields of a new `SubmitSM` one by one, twice, and
    `generate()` then walks all 27 optional parameters although only the set ones are
    written. Here a blank PDU made once by smpplib is copied, the caller's fields are set the
    way smpplib's own `_set_vars` sets them, and the PDU is told which TLVs it has. The bytes
    are smpplib's own (a test compares them); generating submits is most of a burst's cost.
    """

    def __init__(self, client: _SmscClient) -> None:
        self._client = client
        self._blank = smpp.make_pdu("submit_sm", client=client)
        self._orders: dict[frozenset[str], tuple[str, ...]] = {}

    def make(self, params: Mapping[str, Any]) -> Any:
        pdu = copy.copy(self._blank)
        for name, value in params.items():
            if getattr(pdu, name, None) is None:
                setattr(pdu, name, value)
        pdu.sequence = self._client.next_sequence()
        tlvs = frozenset(
            name for name, value in params.items() if name in _SUBMIT_SM_TLVS and value is not None
        )
        order = self._orders.get(tlvs)
        if order is None:
            order = tuple(
                name for name in _SUBMIT_SM_FIELDS if name not in _SUBMIT_SM_TLVS or name in tlvs
            )
            self._orders[tlvs] = order
        pdu.params_order = order
        return pdu


def _succeed[T](future: asyncio.Future[T], result: T) -> None:
    if not future.done():
        future.set_result(result)


def _accept(request: _Request, message_id: str) -> None:
    if request.on_accepted is not None:
        try:
            request.on_accepted(message_id)
        except Exception:
            _LOGGER.exception("Error while recording accepted message %s", message_id)
    _succeed(request.future, message_id)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
