"""One persistent SMPP transceiver session to SMSC, driven by smpplib in its own thread.

The reader thread owns the socket's read side: it binds, answers `enquire_link` and
`deliver_sm`, resolves submit futures by sequence number and reconnects with capped
exponential backoff. Writers (the event loop's executor for `submit_sm`, the reader for
its own answers) share one lock, because smpplib has none around `sendall` or its sequence
generator. Every result crosses into the event loop with `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
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
WIRE_LOGGER_NAME: Final = "smpplib.client"

DEFAULT_HOST: Final = "smpp.smsc.ru"
BACKUP_HOST: Final = "smpp2.smscentre.com"
DEFAULT_PORT: Final = 3700
DEFAULT_TLS_PORT: Final = 3443

# Larger frames than this are not SMPP from SMSC: treat the stream as corrupt.
MAX_PDU_LENGTH: Final = 64 * 1024
_HEADER_LENGTH: Final = 16
_READ_TICK: Final = 1.0

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
    """SMSC refused the login or password."""

    def __init__(self, status: int) -> None:
        super().__init__(f"bind refused: {describe_status(status)}")
        self.status = status


class NotConnected(SmppError):
    """No bound session was available within the caller's time."""


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


# What the session hands over for each deliver_sm: parsed in the reader thread, so a burst of
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
    """Rewrite smpplib's hex dumps so the bind password never reaches a log."""

    def __init__(self, secrets: Callable[[], list[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = [secret for secret in self._secrets() if secret]
        if not secrets or not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        redacted: list[object] = []
        for arg in args:
            text = arg.decode("ascii", "replace") if isinstance(arg, bytes) else arg
            if isinstance(text, str):
                for secret in secrets:
                    for form in (secret, secret.encode("latin-1", "replace").hex()):
                        text = text.replace(form, "<redacted>")
                redacted.append(text)
            else:
                redacted.append(arg)
        record.args = tuple(redacted)
        return True


_SECRETS: dict[int, str] = {}
_SECRETS_LOCK = threading.Lock()


def _active_secrets() -> list[str]:
    with _SECRETS_LOCK:
        return list(_SECRETS.values())


_WIRE_LOGGER = logging.getLogger(WIRE_LOGGER_NAME)
_WIRE_LOGGER.addFilter(_PasswordRedactingFilter(_active_secrets))


class _ConnectionDropped(Exception):
    """The link is unusable; the reader tears it down and reconnects."""


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
        raw_length = self._recv_exact(4)
        (length,) = struct.unpack(">L", raw_length)
        if not _HEADER_LENGTH <= length <= MAX_PDU_LENGTH:
            raise _ConnectionDropped(f"invalid PDU length {length}")
        raw_pdu = raw_length + self._recv_exact(length - 4)
        command_id, status, sequence = struct.unpack(">LLL", raw_pdu[4:16])
        try:
            # `sequence=0` stops smpplib from drawing a fresh number for a parsed PDU, which
            # would race with the writers; parse() then sets the real one from the header.
            pdu = smpp.parse_pdu(raw_pdu, client=self, sequence=0, allow_unknown_opt_params=True)
        except Exception as err:
            raise _UnparsablePdu(command_id, status, sequence, err) from err
        if pdu is None:
            raise _UnparsablePdu(command_id, status, sequence, None)
        return pdu


class _UnparsablePdu(Exception):
    def __init__(self, command_id: int, status: int, sequence: int, cause: object) -> None:
        super().__init__(f"command 0x{command_id:08X} status {status}: {cause}")
        self.command_id = command_id
        self.sequence = sequence


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[str]
    on_accepted: Callable[[str], None] | None


class SmppSession:
    """A self-healing SMPP transceiver session.

    `start()` binds once and raises `CannotConnect` or `AuthenticationFailed`; after that
    the reader thread keeps the session bound on its own until `close()`.
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
        self._write_lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._pending_lock = threading.Lock()
        self._stopping = threading.Event()
        self._halt = threading.Event()
        self._client: _SmscClient | None = None
        self._thread: threading.Thread | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._bound_event = asyncio.Event()
        self._window = asyncio.Semaphore(config.submit_window)
        self._started: asyncio.Future[None] | None = None
        self._assembler = IncomingAssembler()  # used by the reader thread only

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
        """Unbind and stop the reader thread; fail whatever still waits."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            await self._loop.run_in_executor(None, self._unbind_and_join, thread)
        self._fail_pending(SessionClosed("the SMSC session was closed"))
        with _SECRETS_LOCK:
            _SECRETS.pop(id(self), None)
        for sock in (self._wake_reader, self._wake_writer):
            sock.close()
        self._bound_event.clear()
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
        `ESME_RTHROTTLED` is retried after a pause while the caller's time lasts; every other
        error status raises `SubmitRefused`.
        """
        deadline = time.monotonic() + (timeout or self.config.submit_timeout)
        delay = self.config.throttle_delay
        while True:
            try:
                return await self._submit_once(params, deadline, on_accepted)
            except SubmitRefused as err:
                if err.status != consts.SMPP_ESME_RTHROTTLED:
                    raise
                self.counters.throttled += 1
                if time.monotonic() + delay >= deadline:
                    raise
                _LOGGER.debug("SMSC throttled a submit; retrying in %.1f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _submit_once(
        self,
        params: Mapping[str, Any],
        deadline: float,
        on_accepted: Callable[[str], None] | None,
    ) -> str:
        async with asyncio.timeout_at(self._loop.time() + deadline - time.monotonic()):
            try:
                await self._wait_bound()
            except TimeoutError as err:
                raise NotConnected("SMSC is not connected") from err
        async with self._window:
            future: asyncio.Future[str] = self._loop.create_future()
            sequence = await self._loop.run_in_executor(
                None, self._write_submit, params, _Pending(future, on_accepted)
            )
            remaining = deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.0)):
                    message_id = await future
            except TimeoutError as err:
                self._forget(sequence)
                self.counters.submit_errors += 1
                raise SubmitTimeout("SMSC did not answer the submit in time") from err
            except SmppError:
                self.counters.submit_errors += 1
                raise
            self.counters.submits += 1
            return message_id

    async def _wait_bound(self) -> None:
        while self._state is not SessionState.BOUND:
            if self._state in (SessionState.CLOSED, SessionState.AUTH_FAILED):
                raise SessionClosed(f"the SMSC session is {self._state}")
            self._bound_event.clear()
            await self._bound_event.wait()

    def _write_submit(self, params: Mapping[str, Any], pending: _Pending) -> int:
        with self._write_lock:
            client = self._client
            if client is None:
                raise NotConnected("SMSC is not connected")
            pdu = smpp.make_pdu("submit_sm", client=client, **params)
            with self._pending_lock:
                self._pending[pdu.sequence] = pending
            try:
                client.send_pdu(pdu)
            except Exception as err:
                self._forget(pdu.sequence)
                self._wake()
                raise NotConnected(f"could not write to SMSC: {err}") from err
            return int(pdu.sequence)

    def _forget(self, sequence: int) -> None:
        with self._pending_lock:
            self._pending.pop(sequence, None)

    # --- reader thread -------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.config.reconnect_min_delay
        first_attempt = True
        while not self._stopping.is_set():
            try:
                self._connect_and_bind()
            except AuthenticationFailed as err:
                self._report_start(err, first_attempt)
                self._call_soon(self._set_state, SessionState.AUTH_FAILED)
                if not first_attempt:  # at start the caller gets the error instead
                    _LOGGER.error("SMSC refused the login: %s", err)
                return
            except CannotConnect as err:
                self.counters.last_error = str(err)
                if first_attempt:
                    self._report_start(err, first_attempt)
                    return
                _LOGGER.debug("Reconnecting to SMSC failed: %s", err)
                self._call_soon(self._set_state, SessionState.DISCONNECTED)
                self._stopping.wait(delay)
                delay = min(delay * 2, self.config.reconnect_max_delay)
                continue
            self.counters.connects += 1
            self._report_start(None, first_attempt)
            first_attempt = False
            delay = self.config.reconnect_min_delay
            self._call_soon(self._set_state, SessionState.BOUND)
            try:
                self._read_loop()
            except Exception as err:  # any failure of the link means reconnect
                if not self._stopping.is_set():
                    self.counters.disconnects += 1
                    self.counters.last_error = str(err) or type(err).__name__
                    _LOGGER.warning("Connection to SMSC lost (%s); reconnecting", err)
            self._disconnect()
            if self._stopping.is_set():
                self._fail_pending(SessionClosed("the SMSC session was closed"))
                return
            self._fail_pending(
                ConnectionLost("the connection to SMSC dropped before it confirmed the message")
            )
            self._call_soon(self._set_state, SessionState.DISCONNECTED)
            self._stopping.wait(delay)
            delay = min(delay * 2, self.config.reconnect_max_delay)

    def _connect_and_bind(self) -> None:
        config = self.config
        ssl_context = ssl.create_default_context() if config.use_tls else None
        client = _SmscClient(
            config.host,
            config.port,
            timeout=config.response_timeout,
            logger_name=WIRE_LOGGER_NAME,
            ssl_context=ssl_context,
            allow_unknown_opt_params=True,
        )
        try:
            client.connect()
        except exceptions.ConnectionError as err:
            raise CannotConnect(f"cannot connect to {config.host}:{config.port}") from err
        try:
            with self._write_lock:
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
            response = client.read_pdu()
        except (exceptions.ConnectionError, OSError, _ConnectionDropped, _UnparsablePdu) as err:
            self._close_client(client)
            raise CannotConnect(f"no bind answer from {config.host}:{config.port}") from err
        if response.is_error():
            self._close_client(client)
            if response.status in AUTH_FAILURE_STATUSES:
                raise AuthenticationFailed(response.status)
            raise CannotConnect(f"bind refused: {describe_status(response.status)}")
        client.state = consts.SMPP_CLIENT_STATE_BOUND_TRX
        self._client = client

    def _read_loop(self) -> None:
        client = self._client
        if client is None:
            return
        sock = client._socket
        interval = self.config.enquire_link_interval
        last_received = time.monotonic()
        enquire_sent_at: float | None = None
        while not self._halt.is_set():
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                readable: list[Any] = [sock]
            else:
                readable, _, _ = select.select(
                    [sock, self._wake_reader], [], [], min(_READ_TICK, interval)
                )
            if self._wake_reader in readable:
                with contextlib.suppress(OSError):
                    self._wake_reader.recv(512)
            if sock in readable:
                try:
                    pdu = client.read_pdu()
                except _UnparsablePdu as err:
                    self.counters.unparsable_pdus += 1
                    _LOGGER.warning("Ignoring a PDU smpplib cannot parse: %s", err)
                    self._send_answer("generic_nack", err.sequence, consts.SMPP_ESME_RINVCMDID)
                    last_received = time.monotonic()
                    continue
                except (TimeoutError, exceptions.ConnectionError, OSError) as err:
                    raise _ConnectionDropped(str(err) or "connection closed by SMSC") from err
                last_received = time.monotonic()
                enquire_sent_at = None
                if self._dispatch(pdu):
                    return
            now = time.monotonic()
            if enquire_sent_at is not None:
                if now - enquire_sent_at > self.config.response_timeout:
                    raise _ConnectionDropped("SMSC stopped answering enquire_link")
            elif now - last_received >= interval:
                self._send_request("enquire_link")
                enquire_sent_at = now

    def _dispatch(self, pdu: Any) -> bool:
        """Act on one PDU; True when the session must end (an unbind answered)."""
        command = pdu.command
        if command == "submit_sm_resp" or (command == "generic_nack" and pdu.is_error()):
            self._resolve(pdu)
        elif command == "deliver_sm":
            self.counters.delivers += 1
            # SMSC resends a deliver_sm that is not answered, so answer first, always.
            self._send_answer("deliver_sm_resp", pdu.sequence, consts.SMPP_ESME_ROK)
            received = self._parse_deliver(pdu)
            if received is not None and self._on_deliver is not None:
                self._call_soon(self._on_deliver, received)
        elif command == "enquire_link":
            self._send_answer("enquire_link_resp", pdu.sequence, consts.SMPP_ESME_ROK)
        elif command == "unbind":
            self._send_answer("unbind_resp", pdu.sequence, consts.SMPP_ESME_ROK)
            raise _ConnectionDropped("SMSC unbound the session")
        elif command == "unbind_resp":
            return True
        elif command != "enquire_link_resp":
            _LOGGER.debug("Ignoring %s from SMSC", command)
        return False

    def _parse_deliver(self, pdu: Any) -> Received | None:
        result = parse_deliver_sm(DeliverSm.from_pdu(pdu))
        if isinstance(result, IncomingPart):
            # None until every part of a concatenated message is in.
            return self._assembler.feed(result)
        if isinstance(result, UnparsedReport):
            self.counters.unparsable_pdus += 1
        return result

    def _resolve(self, pdu: Any) -> None:
        with self._pending_lock:
            pending = self._pending.pop(pdu.sequence, None)
        if pending is None:
            _LOGGER.debug("Answer for unknown or expired sequence %s", pdu.sequence)
            return
        if pdu.is_error():
            self._call_soon(_fail, pending.future, SubmitRefused(int(pdu.status)))
        else:
            message_id = pdu.message_id
            if isinstance(message_id, bytes):
                message_id = message_id.decode("ascii", "replace")
            self._call_soon(_accept, pending, str(message_id))

    def _send_request(self, command: str) -> None:
        with self._write_lock:
            if self._client is not None:
                self._client.send_pdu(smpp.make_pdu(command, client=self._client))

    def _send_answer(self, command: str, sequence: int, status: int) -> None:
        with self._write_lock:
            if self._client is None:
                return
            answer = smpp.make_pdu(command, client=self._client, status=status, sequence=sequence)
            answer.sequence = sequence
            self._client.send_pdu(answer)

    def _unbind_and_join(self, thread: threading.Thread) -> None:
        with contextlib.suppress(Exception):
            if self._client is not None and self._state is SessionState.BOUND:
                self._send_request("unbind")
        # The reader returns when the unbind_resp arrives; the halt covers a dead peer.
        thread.join(min(self.config.response_timeout, 2.0))
        self._halt.set()
        self._wake()
        thread.join()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def _disconnect(self) -> None:
        with self._write_lock:
            client, self._client = self._client, None
        if client is not None:
            self._close_client(client)

    @staticmethod
    def _close_client(client: _SmscClient) -> None:
        # smpplib warns when a bound client disconnects; by now the link is gone or unbound.
        client.state = consts.SMPP_CLIENT_STATE_OPEN
        with contextlib.suppress(Exception):
            client.disconnect()

    def _fail_pending(self, error: SmppError) -> None:
        with self._pending_lock:
            pending, self._pending = list(self._pending.values()), {}
        for item in pending:
            self._call_soon(_fail, item.future, error)

    def _report_start(self, error: SmppError | None, first_attempt: bool) -> None:
        if not first_attempt or self._started is None:
            return
        started = self._started
        if error is None:
            self._call_soon(_succeed, started, None)
        else:
            self._call_soon(_fail, started, error)

    def _call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed under us at shutdown
            self._loop.call_soon_threadsafe(callback, *args)

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


def _succeed[T](future: asyncio.Future[T], result: T) -> None:
    if not future.done():
        future.set_result(result)


def _accept(pending: _Pending, message_id: str) -> None:
    if pending.on_accepted is not None:
        try:
            pending.on_accepted(message_id)
        except Exception:
            _LOGGER.exception("Error while recording accepted message %s", message_id)
    _succeed(pending.future, message_id)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
