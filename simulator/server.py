"""An asyncio SMPP 3.4 server that behaves like SMSC's SMPP gateway, for tests and development."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime
import functools
import itertools
import logging
import operator
import socket
import time
from types import TracebackType
from typing import Final, Literal, NamedTuple, Self
from urllib.parse import quote_plus

from .codec import (
    DC_GSM,
    DC_UCS2,
    CodecError,
    decode_text,
    encode_text,
    gsm_fits,
    units_for,
)
from .kinds import parse_text
from .pdu import (
    BIND_COMMANDS,
    ESM_DELIVERY_RECEIPT,
    ESM_UDHI,
    HEADER_SIZE,
    MAX_PDU_SIZE,
    RESPONSE_BIT,
    BindBody,
    CommandId,
    Concat,
    MessageIdBody,
    MessageState,
    Pdu,
    PduError,
    SmBody,
    Status,
    Tag,
    Tlv,
    make_udh,
    split_udh,
)

_LOGGER = logging.getLogger("simulator")

# SMSC's published server-side rules (from its SMPP page): identical text to one number is
# refused for a minute; a run of more than 50 messages to one number, each under 30 s after the
# previous, is blocked; all parts of a long message must arrive within a minute.
DUPLICATE_WINDOW: Final = 60.0
FLOOD_LIMIT: Final = 50
FLOOD_GAP: Final = 30.0
PARTS_WINDOW: Final = 60.0
# How SMSC reports a voice call that ended each way (stat, err); `silent` sends no report at
# all, as for a call whose report never comes.
CALL_OUTCOMES: Final[dict[str, tuple[str, str] | None]] = {
    "answered": ("DELIVRD", "000"),
    "no_answer": ("UNDELIV", "237"),
    "busy": ("UNDELIV", "240"),
    "answering_machine": ("UNDELIV", "242"),
    "failed": ("UNDELIV", "248"),
    "silent": None,
}
# Bounds on memory that a misbehaving client could otherwise grow without limit.
MAX_PENDING_MESSAGES: Final = 1000
# The span over which ``throughput`` counts accepted submit_sm: SMSC limits messages per second.
THROUGHPUT_WINDOW: Final = 1.0

_STATE_BY_STAT: Final[dict[str, int]] = {
    "ENROUTE": MessageState.ENROUTE,
    "DELIVRD": MessageState.DELIVERED,
    "EXPIRED": MessageState.EXPIRED,
    "DELETED": MessageState.DELETED,
    "UNDELIV": MessageState.UNDELIVERABLE,
    "ACCEPTD": MessageState.ACCEPTED,
    "UNKNOWN": MessageState.UNKNOWN,
    "REJECTD": MessageState.REJECTED,
}

# Requests the simulator knows by name; other ids get generic_nack/ESME_RINVCMDID.
_KNOWN_REQUESTS: Final = frozenset(
    {
        CommandId.SUBMIT_SM,
        CommandId.UNBIND,
        CommandId.QUERY_SM,
        CommandId.DELIVER_SM,
        CommandId.REPLACE_SM,
        CommandId.CANCEL_SM,
        CommandId.SUBMIT_MULTI,
        CommandId.DATA_SM,
    }
)

ReceiptIdFormat = Literal["decimal", "hex"]


@dataclass(frozen=True, slots=True)
class HlrAnswer:
    """What an HLR lookup answers; the defaults are SMSC's documented example."""

    imsi: str = "250023012345678"
    msc: str = "79232510066"
    mcc: str = "250"
    mnc: str = "02"
    country: str = "Russian Federation"
    network: str = "MegaFON open Joint Stock Company"
    roaming_country: str = ""
    roaming_network: str = ""
    stat: str = "DELIVRD"
    err: str = "000"


@dataclass(frozen=True, slots=True)
class BindRecord:
    """One bind attempt. The password is deliberately not kept."""

    command: str
    system_id: str
    system_type: str
    status: int

    @property
    def ok(self) -> bool:
        return self.status == Status.ROK


class Refusal(NamedTuple):
    """A refused message; compares equal to a plain ``(destination, reason)`` tuple."""

    destination: str
    reason: str  # "duplicate", "flood" or "invalid"


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A complete (reassembled) message SMSC accepted."""

    message_ids: tuple[str, ...]
    source_addr: str
    source_addr_ton: int
    source_addr_npi: int
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    data_coding: int
    text: str | None
    kind: str
    body: str | None
    voice: str | None
    subject: str | None
    param: str | None
    comment: str | None
    parts: int
    used_payload: bool
    registered_delivery: int
    system_type: str
    raw: bytes = field(default=b"", repr=False)
    esm_class: int = 0
    concat: str | None = None
    received_at: float = 0.0
    submitted_at: datetime | None = None

    @property
    def binary(self) -> bool:
        return self.text is None

    @property
    def message_id(self) -> str:
        """Id of the last part: the one SMSC's receipt refers to."""
        return self.message_ids[-1]

    def summary(self) -> str:
        extras = [
            f"{name}={value!r}"
            for name, value in (
                ("voice", self.voice),
                ("subj", self.subject),
                ("param", self.param),
                ("comment", self.comment),
            )
            if value is not None
        ]
        content = f"<{len(self.raw)} binary octets>" if self.body is None else repr(self.body)
        return (
            f"{self.kind.upper()} {self.source_addr!r} -> {self.destination_addr}: {content}"
            + (f" [{', '.join(extras)}]" if extras else "")
            + f" (ids {','.join(self.message_ids)}, dc={self.data_coding}, parts={self.parts})"
        )


class _FramingError(Exception):
    """The byte stream cannot be split into PDUs any more; the connection must go."""


@dataclass(slots=True)
class _Part:
    data: bytes
    message_id: str
    sm: SmBody


@dataclass(slots=True)
class _Pending:
    """Parts of a long message received so far."""

    total: int
    scheme: str
    started: float
    used_payload: bool
    parts: dict[int, _Part] = field(default_factory=dict)


class _Reply:
    """A response waiting for its moment on the wire (see ``response_delay``)."""

    __slots__ = ("data", "done", "due", "then")

    def __init__(self, data: bytes, due: float) -> None:
        self.data = data
        self.due = due  # event loop time
        self.done = False
        # Run once the reply is written or discarded: what must not overtake it.
        self.then: list[Callable[[], None]] = []

    def finish(self) -> None:
        self.done = True
        callbacks, self.then = self.then, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                _LOGGER.exception("callback after a reply failed")


class _Connection:
    __slots__ = (
        "bind_command",
        "conn_id",
        "ending",
        "out_sequence",
        "outbox",
        "outbox_empty",
        "outbox_timer",
        "peer",
        "reader",
        "system_id",
        "system_type",
        "writer",
    )

    def __init__(
        self, conn_id: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.conn_id = conn_id
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.bind_command: int | None = None
        self.system_id = ""
        self.system_type = ""
        self.out_sequence = 0
        # An unbind was exchanged: stop reading, send the replies still due, then close.
        self.ending = False
        # Delayed replies in the order they must be written; due times never decrease.
        self.outbox: deque[_Reply] = deque()
        self.outbox_empty = asyncio.Event()
        self.outbox_empty.set()
        self.outbox_timer: asyncio.TimerHandle | None = None

    @property
    def bound(self) -> bool:
        return self.bind_command is not None

    @property
    def can_submit(self) -> bool:
        return self.bind_command in (CommandId.BIND_TRANSMITTER, CommandId.BIND_TRANSCEIVER)

    @property
    def can_receive(self) -> bool:
        return self.bind_command in (CommandId.BIND_RECEIVER, CommandId.BIND_TRANSCEIVER)

    @property
    def iso(self) -> bool:
        # Exactly as SMSC documents it; a client sending "iso" should find out here.
        return self.system_type == "ISO"

    def next_sequence(self) -> int:
        self.out_sequence = self.out_sequence % 0x7FFFFFFF + 1
        return self.out_sequence

    def write(self, data: bytes) -> bool:
        if self.writer.transport.is_closing():
            return False
        self.writer.write(data)
        return True

    def send(self, pdu: Pdu) -> bool:
        return self.write(pdu.encode())

    def reply(self, data: bytes, delay: float) -> _Reply | None:
        """Write a response now, or ``delay`` seconds from now behind the replies queued earlier.

        Returns the queued reply, or None when it was written at once.
        """
        if delay <= 0 and not self.outbox:
            self.write(data)
            return None
        loop = asyncio.get_running_loop()
        # Never before a reply queued earlier, even if the delay was shortened meanwhile:
        # an SMPP client may rely on responses coming in request order.
        due = loop.time() + max(delay, 0.0)
        if self.outbox:
            due = max(due, self.outbox[-1].due)
        reply = _Reply(data, due)
        self.outbox.append(reply)
        self.outbox_empty.clear()
        if self.outbox_timer is None:
            self.outbox_timer = loop.call_at(due, self._flush, due)
        return reply

    def _flush(self, until: float) -> None:
        # ``until`` is the due time this timer was armed for; comparing against it rather
        # than loop.time() avoids re-arming for a timer that fired a hair early.
        self.outbox_timer = None
        while self.outbox and self.outbox[0].due <= until:
            reply = self.outbox.popleft()
            self.write(reply.data)
            reply.finish()
        if self.outbox:
            due = self.outbox[0].due
            self.outbox_timer = asyncio.get_running_loop().call_at(due, self._flush, due)
        else:
            self.outbox_empty.set()

    def discard_outbox(self) -> None:
        if self.outbox_timer is not None:
            self.outbox_timer.cancel()
            self.outbox_timer = None
        replies, self.outbox = self.outbox, deque()
        self.outbox_empty.set()
        # What waited for these replies (receipts) goes ahead: they will never be written.
        for reply in replies:
            reply.finish()

    def abort(self) -> None:
        # abort() rather than close(): tests use this to model a peer that vanishes, with
        # unsent data discarded and no orderly shutdown.
        self.writer.transport.abort()
        self.discard_outbox()

    async def drain(self) -> None:
        # A peer that disappeared mid-write is the tests' business, not an error here.
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.writer.drain()


class SmscSimulator:
    """SMPP server with SMSC's behaviour, for tests and local development.

    Answers, by situation:

    * bind_* with the right login/password: ESME_ROK (body ``SMSC`` + sc_interface_version);
      wrong login or password: ESME_RINVPASWD (0x0E), connection left open; second bind on a
      bound connection: ESME_RALYBND (0x05); malformed bind: ESME_RBINDFAIL (0x0D).
    * Any known request other than bind/enquire_link before binding: ESME_RINVBNDSTS (0x04);
      submit_sm on a receiver-only bind: also 0x04.
    * Unknown command ids, and query_sm/submit_multi/data_sm/... (SMSC does not offer them):
      generic_nack with ESME_RINVCMDID (0x03).
    * submit_sm: each part gets ESME_ROK and its own decimal id (1000, 1001, ...). Duplicate
      text to one number within 60 s, a 51st message in a run spaced < 30 s, or undecodable /
      inconsistent content: ESME_RSUBMITFAIL (0x45), listed in ``refusals`` with reason
      "duplicate", "flood" or "invalid". Undecodable mandatory fields: ESME_RINVMSGLEN (0x01).
      ``throttle_next``, or a submit beyond ``throughput``: ESME_RTHROTTLED (0x58), counted in
      ``throttled_count``; such a submit is not recorded.

    ``throughput`` (submits per second, None for no limit) caps the submit_sm answered ESME_ROK
    within any 1-second window (by ``clock``), over all connections: one that would be the
    N+1-th is throttled. ``response_delay`` (seconds) models a client far from SMSC: every
    response to a client's request is written that long after the request was read, in request
    order, while reading goes on, so pipelined requests are answered together, not one delay
    apiece. Server-initiated deliver_sm are not delayed, but an automatic receipt never
    overtakes its submit_sm_resp. Both may be changed while running. ``nagle=True`` leaves
    Nagle's algorithm on for accepted connections (asyncio turns it off), as many servers do:
    a client that delays its ACKs then waits for each answer after the first.

    A voice call's automatic receipt says how it ended, per destination number
    (``call_outcomes`` / :meth:`set_call_outcome`, see ``CALL_OUTCOMES``): ``DELIVRD`` when
    answered, ``UNDELIV`` with err 237 (no answer), 240 (busy), 242 (answering machine) or 248
    (a failure); ``silent`` sends none.

    Long messages (UDH 8/16-bit reference or SAR TLVs) are collected per connection, source,
    destination and reference; the part that completes one triggers decoding and the rules,
    so a refusal lands on that part and the whole message is discarded. Parts of a message not
    completed within 60 s (by ``clock``) are dropped.

    Everything runs on the event loop that called :meth:`start`; hooks are plain methods
    (or coroutines where they write to sockets) meant to be called from that loop.
    """

    def __init__(
        self,
        login: str = "demo",
        password: str = "demo",  # noqa: S107 - the public demo account, not a secret
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        auto_receipts: bool = True,
        receipt_delay: float = 0.0,
        receipt_id_format: ReceiptIdFormat = "decimal",
        enforce_rules: bool = True,
        idle_timeout: float | None = None,
        first_message_id: int = 1000,
        history_limit: int | None = None,
        throughput: int | None = None,
        response_delay: float = 0.0,
        nagle: bool = False,
        call_outcomes: dict[str, str] | None = None,
    ) -> None:
        if receipt_id_format not in ("decimal", "hex"):
            raise ValueError(f"receipt_id_format must be 'decimal' or 'hex': {receipt_id_format}")
        self.login = login
        # Mutable on purpose: tests change it while running to force a re-auth failure.
        self.password = password
        self.host = host
        self.port = port
        self.clock = clock
        self.auto_receipts = auto_receipts
        self.receipt_delay = receipt_delay
        self.receipt_id_format: ReceiptIdFormat = receipt_id_format
        self.enforce_rules = enforce_rules
        # SMSC drops links idle for 2 minutes; None disables the check here.
        self.idle_timeout = idle_timeout
        self.history_limit = history_limit
        self.throughput = throughput
        self.response_delay = response_delay
        # asyncio turns Nagle's algorithm off on every socket; many real servers leave it on,
        # and with it a client's delayed ACKs cost each answer after the first up to 40 ms.
        self.nagle = nagle
        # Destination number → how a call to it ends (CALL_OUTCOMES); others are answered.
        self.call_outcomes: dict[str, str] = {}
        for number, outcome in (call_outcomes or {}).items():
            self.set_call_outcome(number, outcome)

        self.binds: list[BindRecord] = []
        self.received: list[ReceivedMessage] = []
        self.refusals: list[Refusal] = []
        self.submit_count = 0  # submit_sm PDUs answered with ESME_ROK
        self.submits_by_destination: Counter[str] = Counter()  # accepted submit_sm PDUs
        # ESME_RTHROTTLED answers, from throttle_next and throughput alike, so a test or a
        # benchmark can tell that a client stayed within the limit.
        self.throttled_count = 0
        self.pdu_counts: Counter[str] = Counter()  # every PDU received, by command name
        self.deliver_sm_sent = 0
        self.deliver_sm_resp_count = 0
        self.deliver_sm_resp_errors = 0

        self._ids = itertools.count(first_message_id)
        self._conn_ids = itertools.count(1)
        self._incoming_refs = itertools.count(1)
        self._timer_ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._connections: dict[int, _Connection] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._pending: dict[tuple[int, str, str, int], _Pending] = {}
        # Rule memory, each dict ordered oldest-first so expiry only looks at the front.
        self._recent_texts: dict[tuple[str, str | bytes], float] = {}
        self._streaks: dict[str, tuple[float, int]] = {}
        self._silent = False
        self._throttle = 0
        self._drop_after: int | None = None
        self._bind_refusals: list[int] = []  # statuses the next binds get, in order
        # Clock readings of the submit_sm accepted within the last THROUGHPUT_WINDOW, oldest
        # first; kept even without a limit so one set at run time sees the past second.
        self._accepted_at: deque[float] = deque()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        sockname = self._server.sockets[0].getsockname()
        self.host, self.port = sockname[0], sockname[1]
        _LOGGER.info("SMSC simulator listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Close the listener and every client, cancel timers, and wait for handlers to end."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        server, self._server = self._server, None
        if server is not None:
            server.close()
        await self._close_all_connections()
        if server is not None:
            await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _close_all_connections(self) -> None:
        for conn in list(self._connections.values()):
            conn.abort()
        handlers = [task for task in self._handlers if task is not asyncio.current_task()]
        if not handlers:
            return
        _done, pending = await asyncio.wait(handlers, timeout=5.0)
        # Aborted sockets end their handlers at once; cancelling is only a safety net.
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def bound_count(self) -> int:
        return sum(1 for conn in self._connections.values() if conn.bound)

    # ----------------------------------------------------------------- test hooks

    @property
    def throughput(self) -> int | None:
        """Most submit_sm accepted in any 1-second window; None means no limit."""
        return self._throughput

    @throughput.setter
    def throughput(self, value: int | None) -> None:
        if value is not None and value < 0:
            raise ValueError(f"throughput must be None or at least 0: {value}")
        self._throughput = value

    @property
    def response_delay(self) -> float:
        """Seconds between reading a request and writing its response."""
        return self._response_delay

    @response_delay.setter
    def response_delay(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"response_delay must not be negative: {value}")
        self._response_delay = value

    def set_call_outcome(self, number: str, outcome: str | None) -> None:
        """Make every later call to ``number`` end as ``outcome``; None: answered again."""
        number = number.removeprefix("+")
        if outcome is None:
            self.call_outcomes.pop(number, None)
            return
        if outcome not in CALL_OUTCOMES:
            raise ValueError(f"call outcome must be one of {sorted(CALL_OUTCOMES)}: {outcome!r}")
        self.call_outcomes[number] = outcome

    def throttle_next(self, n: int = 1) -> None:
        """Answer the next ``n`` submit_sm with ESME_RTHROTTLED (0x58); they are not recorded."""
        self._throttle = n

    def set_silent(self, silent: bool = True) -> None:
        """Stop (or resume) answering anything, without closing: a dead peer.

        While silent, received PDUs are read and dropped, and automatic receipts are skipped.
        Explicit hooks (``send_raw``, ``send_delivery_receipt``, ...) still write, and so do
        responses already waiting out ``response_delay``: they were given before the silence.
        """
        self._silent = silent

    @property
    def silent(self) -> bool:
        return self._silent

    def refuse_binds(self, status: int, n: int = 1) -> None:
        """Answer the next ``n`` well-formed binds with ``status``, whatever their login.

        An SMSC that is unwell (0x0D ESME_RBINDFAIL, 0x08, 0x58) or one that changed the
        password (0x0E); the refusals are listed in ``binds`` like any other.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        self._bind_refusals.extend([status] * n)

    def drop_after(self, n: int = 1) -> None:
        """Abort the connection on the ``n``-th next submit_sm, without answering it."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._drop_after = n

    async def drop_connections(self) -> None:
        """Abort every client socket (no unbind, unsent data discarded)."""
        await self._close_all_connections()

    async def send_raw(self, data: bytes) -> int:
        """Write ``data`` as-is to every bound client; returns how many got it."""
        targets = [conn for conn in self._connections.values() if conn.bound]
        sent = [conn for conn in targets if conn.write(data)]
        for conn in sent:
            await conn.drain()
        return len(sent)

    async def send_delivery_receipt(
        self,
        message_id: str,
        stat: str = "DELIVRD",
        err: str = "000",
        *,
        destination: str | None = None,
        source: str | None = None,
        text: str | None = None,
        tlvs: bool = True,
    ) -> int:
        """Send a delivery receipt (deliver_sm, esm_class 0x04) to every receiving client.

        ``destination`` is the number the original message went to and ``source`` its sender,
        as in the submit_sm; the receipt travels the other way (its source_addr is
        ``destination``). Both default to the recorded message with that id. ``text`` defaults
        to that message's body; the receipt carries its first 20 characters, as ASCII.
        ``tlvs=False`` leaves out receipted_message_id and message_state, so a client must
        parse the text. Returns the number of deliver_sm sent.
        """
        count = self._send_receipt(
            message_id, stat, err, destination=destination, source=source, text=text, tlvs=tlvs
        )
        await self._drain_all()
        return count

    async def send_hlr_result(
        self,
        message_id: str,
        *,
        destination: str | None = None,
        source: str | None = None,
        tlvs: bool = True,
        **answer: str,
    ) -> int:
        """Send an HLR result in SMSC's status format; returns the number of deliver_sm sent.

        `answer` overrides fields of `HlrAnswer` (imsi, country, roaming_network, stat, ...).
        """
        count = self._send_hlr(
            message_id,
            replace(HlrAnswer(), **answer),
            destination=destination,
            source=source,
            tlvs=tlvs,
        )
        await self._drain_all()
        return count

    async def inject_incoming(
        self,
        source: str,
        destination: str,
        text: str,
        *,
        data_coding: int | None = None,
        max_part_units: int | None = None,
        ref16: bool = False,
    ) -> int:
        """Deliver a mobile-originated message (deliver_sm, esm_class 0) to every receiver.

        ``data_coding`` defaults to GSM when the text fits, UCS-2 otherwise (3 or 4 send
        Latin-1). Text is split into UDH-concatenated parts (esm_class 0x40) of at most
        ``max_part_units`` septets / UTF-16 units / octets each; without it, only text longer
        than one SMS is split (153 / 67 / 134 per part). Characters are never cut in half.
        Returns the number of parts.
        """
        dc = data_coding
        if dc is None:
            dc = DC_GSM if gsm_fits(text) else DC_UCS2
        single, per_part = {DC_GSM: (160, 153), DC_UCS2: (70, 67)}.get(dc, (140, 134))
        if max_part_units is not None:
            single = per_part = max_part_units
        chunks = [text] if units_for(dc, text) <= single else _split_units(dc, text, per_part)
        if len(chunks) > 255:
            raise ValueError("message needs more than 255 parts")
        ref = next(self._incoming_refs) % (0x10000 if ref16 else 0x100)
        for seq, chunk in enumerate(chunks, start=1):
            payload = encode_text(dc, chunk)
            esm = 0
            if len(chunks) > 1:
                payload = make_udh(ref, len(chunks), seq, ref16=ref16) + payload
                esm = ESM_UDHI
            self._broadcast(
                SmBody(
                    source_addr_ton=1,
                    source_addr_npi=1,
                    source_addr=source,
                    dest_addr_ton=1,
                    dest_addr_npi=1,
                    destination_addr=destination,
                    esm_class=esm,
                    data_coding=dc,
                    short_message=payload,
                )
            )
        await self._drain_all()
        return len(chunks)

    # ----------------------------------------------------------------- waiting helpers

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds; it is re-checked after every PDU and connection."""
        async with asyncio.timeout(timeout):
            while not predicate():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.add(waiter)
                try:
                    await waiter
                finally:
                    self._waiters.discard(waiter)

    async def wait_for_messages(self, n: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        try:
            await self.wait_for(lambda: len(self.received) >= n, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"expected {n} message(s) within {timeout}s, got {len(self.received)}: "
                f"{[m.summary() for m in self.received]}"
            ) from None
        return self.received[:n]

    async def wait_for_binds(
        self, n: int, timeout: float = 5.0, *, accepted_only: bool = False
    ) -> list[BindRecord]:
        def matching() -> list[BindRecord]:
            return [b for b in self.binds if b.ok or not accepted_only]

        try:
            await self.wait_for(lambda: len(matching()) >= n, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"expected {n} bind(s) within {timeout}s, got {self.binds}"
            ) from None
        return matching()

    async def wait_for_deliver_sm_resps(self, n: int, timeout: float = 5.0) -> None:
        try:
            await self.wait_for(lambda: self.deliver_sm_resp_count >= n, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"expected {n} deliver_sm_resp within {timeout}s, got {self.deliver_sm_resp_count}"
            ) from None

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    # ----------------------------------------------------------------- connection handling

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - always inside a task when asyncio calls us
        self._handlers.add(task)
        if self.nagle:
            sock = writer.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        conn = _Connection(next(self._conn_ids), reader, writer)
        self._connections[conn.conn_id] = conn
        _LOGGER.debug("connection %d from %s", conn.conn_id, conn.peer)
        self._notify()
        try:
            while not writer.transport.is_closing() and not conn.ending:
                pdu = await self._read_pdu(conn)
                self._dispatch(conn, pdu)
                self._notify()
        except (asyncio.IncompleteReadError, ConnectionError):
            _LOGGER.debug("connection %d closed by peer", conn.conn_id)
        except TimeoutError:
            _LOGGER.info("connection %d idle too long, closing", conn.conn_id)
        except _FramingError as err:
            _LOGGER.warning("connection %d: %s; closing", conn.conn_id, err)
        except Exception:
            # One client's bad luck must never take the server down.
            _LOGGER.exception("connection %d: unexpected error; closing", conn.conn_id)
        finally:
            if not writer.transport.is_closing():
                # Requests read before the end (an unbind, the peer's EOF) still get their
                # delayed answers; abort() empties the outbox, so this cannot outlive stop().
                await conn.outbox_empty.wait()
            conn.discard_outbox()
            self._connections.pop(conn.conn_id, None)
            for key in [k for k in self._pending if k[0] == conn.conn_id]:
                del self._pending[key]
            writer.close()
            self._handlers.discard(task)
            self._notify()

    async def _read_pdu(self, conn: _Connection) -> Pdu:
        async with asyncio.timeout(self.idle_timeout):
            head = await conn.reader.readexactly(4)
            length = int.from_bytes(head, "big")
            if length < HEADER_SIZE or length > MAX_PDU_SIZE:
                raise _FramingError(f"command_length {length} out of range")
            rest = await conn.reader.readexactly(length - 4)
        return Pdu.decode(head + rest)

    def _dispatch(self, conn: _Connection, pdu: Pdu) -> None:
        self.pdu_counts[pdu.name] += 1
        if self._silent:
            return
        command = pdu.command_id
        if pdu.is_response:
            self._on_response(conn, pdu)
        elif command in BIND_COMMANDS:
            self._on_bind(conn, pdu)
        elif command == CommandId.ENQUIRE_LINK:
            self._respond(conn, pdu, Status.ROK)
        elif command not in _KNOWN_REQUESTS:
            _LOGGER.info("connection %d: unknown command %s", conn.conn_id, pdu.name)
            self._nack(conn, pdu, Status.RINVCMDID)
        elif not conn.bound:
            self._respond(conn, pdu, Status.RINVBNDSTS)
        elif command == CommandId.UNBIND:
            self._respond(conn, pdu, Status.ROK)
            # Closed by _serve once the unbind_resp (perhaps delayed) is out.
            conn.ending = True
        elif command == CommandId.SUBMIT_SM:
            self._on_submit(conn, pdu)
        else:
            # query_sm, submit_multi, data_sm, ...: SMSC's gateway does not offer them.
            self._nack(conn, pdu, Status.RINVCMDID)

    def _respond(
        self, conn: _Connection, request: Pdu, status: int, body: bytes = b""
    ) -> _Reply | None:
        """Answer ``request``, after ``response_delay``; None if the answer is already out."""
        pdu = Pdu(request.command_id | RESPONSE_BIT, status, request.sequence_number, body)
        return conn.reply(pdu.encode(), self._response_delay)

    def _nack(self, conn: _Connection, request: Pdu, status: int) -> None:
        pdu = Pdu(CommandId.GENERIC_NACK, status, request.sequence_number)
        conn.reply(pdu.encode(), self._response_delay)

    @staticmethod
    def _after_reply(reply: _Reply | None, callback: Callable[[], None]) -> None:
        if reply is None or reply.done:
            callback()
        else:
            reply.then.append(callback)

    def _on_response(self, conn: _Connection, pdu: Pdu) -> None:
        if pdu.command_id == CommandId.DELIVER_SM_RESP:
            self.deliver_sm_resp_count += 1
            if pdu.command_status != Status.ROK:
                self.deliver_sm_resp_errors += 1
        elif pdu.command_id == CommandId.UNBIND_RESP:
            conn.ending = True
        elif pdu.command_id == CommandId.GENERIC_NACK:
            _LOGGER.info(
                "connection %d: client sent generic_nack 0x%02x for sequence %d",
                conn.conn_id,
                pdu.command_status,
                pdu.sequence_number,
            )

    def _on_bind(self, conn: _Connection, pdu: Pdu) -> None:
        try:
            bind = BindBody.decode(pdu.body)
        except PduError as err:
            _LOGGER.info("connection %d: malformed %s: %s", conn.conn_id, pdu.name, err)
            self._respond(conn, pdu, Status.RBINDFAIL)
            return
        if conn.bound:
            self._respond(conn, pdu, Status.RALYBND)
            return
        ok = bind.system_id == self.login and bind.password == self.password
        status = Status.ROK if ok else Status.RINVPASWD
        if self._bind_refusals:
            ok, status = False, self._bind_refusals.pop(0)
        self.binds.append(BindRecord(pdu.name, bind.system_id, bind.system_type, status))
        if not ok:
            _LOGGER.info("connection %d: bind refused for %r", conn.conn_id, bind.system_id)
            # SMPP 3.4: an error response carries no body. The connection stays open; SMSC
            # leaves it to the client to close.
            self._respond(conn, pdu, status)
            return
        conn.bind_command = pdu.command_id
        conn.system_id = bind.system_id
        conn.system_type = bind.system_type
        _LOGGER.info(
            "connection %d: %s as %r (system_type %r)",
            conn.conn_id,
            pdu.name,
            bind.system_id,
            bind.system_type,
        )
        resp = MessageIdBody("SMSC", [Tlv.u8(Tag.SC_INTERFACE_VERSION, 0x34)])
        self._respond(conn, pdu, Status.ROK, resp.encode())

    # ----------------------------------------------------------------- submit_sm

    def _on_submit(self, conn: _Connection, pdu: Pdu) -> None:
        if not conn.can_submit:
            self._respond(conn, pdu, Status.RINVBNDSTS)
            return
        if self._drop_after is not None:
            self._drop_after -= 1
            if self._drop_after <= 0:
                self._drop_after = None
                _LOGGER.info("connection %d: dropping on submit_sm as asked", conn.conn_id)
                conn.abort()
                return
        now = self.clock()
        if self._throttle > 0 or self._over_throughput(now):
            self._throttle = max(self._throttle - 1, 0)
            self.throttled_count += 1
            self._respond(conn, pdu, Status.RTHROTTLED)
            return
        try:
            sm = SmBody.decode(pdu.body)
        except PduError as err:
            _LOGGER.info("connection %d: malformed submit_sm: %s", conn.conn_id, err)
            self._respond(conn, pdu, Status.RINVMSGLEN)
            return
        message: ReceivedMessage | None = None
        try:
            status, message_id, message = self._accept_part(conn, sm, now)
        except (PduError, CodecError) as err:
            _LOGGER.warning("connection %d: invalid submit_sm: %s", conn.conn_id, err)
            self.refusals.append(Refusal(sm.destination_addr, "invalid"))
            status, message_id = Status.RSUBMITFAIL, None
        if message_id is None:
            self._respond(conn, pdu, status)
            return
        self.submit_count += 1
        self.submits_by_destination[sm.destination_addr] += 1
        self._accepted_at.append(now)
        reply = self._respond(conn, pdu, Status.ROK, MessageIdBody(message_id).encode())
        if message is not None and self.auto_receipts and message.registered_delivery & 1:
            receipt = functools.partial(self._auto_receipt, message)
            self._schedule(self.receipt_delay, lambda: self._after_reply(reply, receipt))

    def _over_throughput(self, now: float) -> bool:
        """Whether accepting one more submit_sm now would exceed ``throughput``."""
        window = self._accepted_at
        while window and now - window[0] >= THROUGHPUT_WINDOW:
            window.popleft()
        return self._throughput is not None and len(window) >= self._throughput

    def _accept_part(
        self, conn: _Connection, sm: SmBody, now: float
    ) -> tuple[int, str | None, ReceivedMessage | None]:
        """Take one submit_sm; return (status, part's id if accepted, message if completed)."""
        payload = sm.tlv(Tag.MESSAGE_PAYLOAD)
        if payload is not None and sm.short_message:
            raise PduError("both short_message and message_payload are set")
        data = payload if payload is not None else sm.short_message
        concat: Concat | None = None
        if sm.esm_class & ESM_UDHI:
            concat, data = split_udh(data)
        if concat is None:
            concat = _sar(sm)

        if concat is None or concat.total == 1:
            parts = [_Part(data, "", sm)]
            scheme = None if concat is None else concat.scheme
            used_payload = payload is not None
        else:
            if concat.seq < 1 or concat.seq > concat.total:
                raise PduError(f"part {concat.seq} of {concat.total}")
            self._expire_pending(now)
            key = (conn.conn_id, sm.source_addr, sm.destination_addr, concat.ref)
            pending = self._pending.get(key)
            if pending is None or pending.total != concat.total:
                pending = _Pending(concat.total, concat.scheme, now, used_payload=False)
                self._pending[key] = pending
            pending.used_payload |= payload is not None
            # A repeated part number replaces the earlier copy, as a retransmission would.
            pending.parts[concat.seq] = part = _Part(data, "", sm)
            if len(pending.parts) < pending.total:
                part.message_id = self._next_id()
                return Status.ROK, part.message_id, None
            del self._pending[key]
            parts = [pending.parts[seq] for seq in sorted(pending.parts)]
            scheme = pending.scheme
            used_payload = pending.used_payload

        # The last part completes the message: SMSC reassembles, decodes and applies its rules
        # now, so a refusal for a long message lands on the part that completed it (earlier
        # parts already got their ids, and the message as a whole is discarded).
        first = parts[0].sm
        raw = b"".join(part.data for part in parts)
        text = decode_text(first.data_coding, raw, iso=conn.iso)
        reason = self._check_rules(sm.destination_addr, text if text is not None else raw, now)
        if reason is not None:
            _LOGGER.info("refused message to %s: %s", sm.destination_addr, reason)
            self.refusals.append(Refusal(sm.destination_addr, reason))
            return Status.RSUBMITFAIL, None, None

        message_id = self._next_id()
        for part in parts:
            if not part.message_id:
                part.message_id = message_id
        parsed = parse_text(text) if text is not None else None
        message = ReceivedMessage(
            message_ids=tuple(part.message_id for part in parts),
            source_addr=first.source_addr,
            source_addr_ton=first.source_addr_ton,
            source_addr_npi=first.source_addr_npi,
            destination_addr=first.destination_addr,
            dest_addr_ton=first.dest_addr_ton,
            dest_addr_npi=first.dest_addr_npi,
            data_coding=first.data_coding,
            text=text,
            kind=parsed.kind if parsed else "sms",
            body=parsed.body if parsed else None,
            voice=parsed.voice if parsed else None,
            subject=parsed.subject if parsed else None,
            param=parsed.param if parsed else None,
            comment=parsed.comment if parsed else None,
            parts=len(parts),
            used_payload=used_payload,
            registered_delivery=functools.reduce(
                operator.or_, (part.sm.registered_delivery for part in parts), 0
            ),
            system_type=conn.system_type,
            raw=raw,
            esm_class=first.esm_class,
            concat=scheme,
            received_at=now,
            submitted_at=datetime.now().astimezone(),
        )
        self._record(message)
        return Status.ROK, message_id, message

    def _next_id(self) -> str:
        return str(next(self._ids))

    def _record(self, message: ReceivedMessage) -> None:
        self.received.append(message)
        if self.history_limit is not None and len(self.received) > self.history_limit:
            del self.received[: len(self.received) - self.history_limit]
        _LOGGER.info("received %s", message.summary())

    def _auto_receipt(self, message: ReceivedMessage) -> None:
        if self._silent:
            return
        if message.kind == "hlr":
            self._send_hlr(message.message_id)
        elif message.kind == "call":
            ending = CALL_OUTCOMES[self.call_outcomes.get(message.destination_addr, "answered")]
            if ending is not None:
                self._send_receipt(message.message_id, *ending)
        else:
            self._send_receipt(message.message_id, "DELIVRD", "000")

    def _expire_pending(self, now: float) -> None:
        expired = [k for k, p in self._pending.items() if now - p.started >= PARTS_WINDOW]
        for key in expired:
            _LOGGER.info("discarding incomplete long message %s: parts did not arrive", key)
            del self._pending[key]
        while len(self._pending) >= MAX_PENDING_MESSAGES:
            del self._pending[next(iter(self._pending))]

    def _check_rules(self, destination: str, content: str | bytes, now: float) -> str | None:
        """Apply SMSC's duplicate and flood rules; remember the message only if it passes.

        Refused messages leave the rule state untouched, so they neither extend the
        duplicate window nor count towards a flood run.
        """
        if not self.enforce_rules:
            return None
        while self._recent_texts:
            oldest = next(iter(self._recent_texts))
            if now - self._recent_texts[oldest] < DUPLICATE_WINDOW:
                break
            del self._recent_texts[oldest]
        while self._streaks:
            oldest_dest = next(iter(self._streaks))
            if now - self._streaks[oldest_dest][0] < FLOOD_GAP:
                break
            del self._streaks[oldest_dest]

        key = (destination, content)
        if key in self._recent_texts:
            return "duplicate"
        # Entries older than FLOOD_GAP were just expired, so what is left is an unbroken run.
        _, run = self._streaks.get(destination, (now, 0))
        if run >= FLOOD_LIMIT:
            return "flood"

        # Re-insert at the end so each dict stays ordered by time.
        self._recent_texts.pop(key, None)
        self._recent_texts[key] = now
        self._streaks.pop(destination, None)
        self._streaks[destination] = (now, run + 1)
        return None

    # ----------------------------------------------------------------- outgoing deliver_sm

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        timer_id = next(self._timer_ids)

        def fire() -> None:
            self._timers.pop(timer_id, None)
            try:
                callback()
            except Exception:
                _LOGGER.exception("simulator timer failed")

        self._timers[timer_id] = asyncio.get_running_loop().call_later(delay, fire)

    def _broadcast(self, sm: SmBody) -> int:
        data = sm.encode()
        sent = 0
        for conn in list(self._connections.values()):
            if conn.can_receive:
                pdu = Pdu(CommandId.DELIVER_SM, 0, conn.next_sequence(), data)
                if conn.send(pdu):
                    sent += 1
        self.deliver_sm_sent += sent
        self._notify()
        return sent

    async def _drain_all(self) -> None:
        for conn in list(self._connections.values()):
            await conn.drain()

    def _find(self, message_id: str) -> ReceivedMessage | None:
        for message in reversed(self.received):
            if message_id in message.message_ids:
                return message
        return None

    def _receipt_id(self, message_id: str) -> str:
        if self.receipt_id_format == "hex" and message_id.isdigit():
            return format(int(message_id), "x")
        return message_id

    def _receipt_sm(
        self,
        message_id: str,
        *,
        stat: str,
        text: str,
        destination: str | None,
        source: str | None,
        tlvs: bool,
    ) -> SmBody:
        original = self._find(message_id)
        if destination is None:
            destination = original.destination_addr if original else ""
        if source is None:
            source = original.source_addr if original else ""
        extra: list[Tlv] = []
        if tlvs:
            extra = [
                Tlv.cstr(Tag.RECEIPTED_MESSAGE_ID, self._receipt_id(message_id)),
                Tlv.u8(Tag.MESSAGE_STATE, _STATE_BY_STAT.get(stat, MessageState.UNKNOWN)),
            ]
        return SmBody(
            source_addr_ton=original.dest_addr_ton if original else 1,
            source_addr_npi=original.dest_addr_npi if original else 1,
            source_addr=destination,
            dest_addr_ton=original.source_addr_ton if original else 5,
            dest_addr_npi=original.source_addr_npi if original else 0,
            destination_addr=source,
            esm_class=ESM_DELIVERY_RECEIPT,
            data_coding=DC_GSM,
            # Receipt text is ASCII in practice (clients parse it with regexes); anything else
            # is replaced rather than switching the whole receipt to UCS-2.
            short_message=text.encode("ascii", "replace"),
            tlvs=extra,
        )

    def _send_receipt(
        self,
        message_id: str,
        stat: str,
        err: str,
        *,
        destination: str | None = None,
        source: str | None = None,
        text: str | None = None,
        tlvs: bool = True,
    ) -> int:
        original = self._find(message_id)
        if text is None:
            # What the subscriber got: the body, without prefix, extras or comment.
            text = (original.body or "") if original else ""
        submitted = original.submitted_at if original and original.submitted_at else None
        done = datetime.now().astimezone()
        delivered = "001" if stat == "DELIVRD" else "000"
        receipt = (
            f"id:{self._receipt_id(message_id)} sub:001 dlvrd:{delivered} "
            f"submit date:{(submitted or done):%y%m%d%H%M} done date:{done:%y%m%d%H%M} "
            f"stat:{stat} err:{err} text:{text[:20]}"
        )
        sm = self._receipt_sm(
            message_id, stat=stat, text=receipt, destination=destination, source=source, tlvs=tlvs
        )
        return self._broadcast(sm)

    def _send_hlr(
        self,
        message_id: str,
        answer: HlrAnswer | None = None,
        *,
        destination: str | None = None,
        source: str | None = None,
        tlvs: bool = True,
    ) -> int:
        a = answer or HlrAnswer()
        text = (
            f"id:{self._receipt_id(message_id)} stat:{a.stat} err:{a.err} imsi:{a.imsi} "
            f"msc:{a.msc} mcc:{a.mcc} mnc:{a.mnc} cn:{quote_plus(a.country)} "
            f"net:{quote_plus(a.network)} rcn:{quote_plus(a.roaming_country)} "
            f"rnet:{quote_plus(a.roaming_network)}"
        )
        sm = self._receipt_sm(
            message_id, stat=a.stat, text=text, destination=destination, source=source, tlvs=tlvs
        )
        return self._broadcast(sm)


def _sar(sm: SmBody) -> Concat | None:
    ref = sm.tlv_int(Tag.SAR_MSG_REF_NUM)
    total = sm.tlv_int(Tag.SAR_TOTAL_SEGMENTS)
    seq = sm.tlv_int(Tag.SAR_SEGMENT_SEQNUM)
    present = [value is not None for value in (ref, total, seq)]
    if not any(present):
        return None
    if ref is None or total is None or seq is None:
        raise PduError("SAR TLVs must come as a set of three")
    return Concat(ref, total, seq, "sar")


def _split_units(data_coding: int, text: str, per_part: int) -> list[str]:
    """Split by whole characters so no part exceeds ``per_part`` units."""
    if per_part < 2:
        raise ValueError("parts must hold at least 2 units")
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        cost = units_for(data_coding, ch)
        if used + cost > per_part:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        chunks.append("".join(current))
    return chunks
