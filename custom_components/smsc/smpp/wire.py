"""SMPP framing and PDU building on one socket; runs on the I/O thread.

smpplib connects, binds, builds every `submit_sm` and parses what SMSC sends but the two
kinds a busy link is made of: `submit_sm_resp` and `deliver_sm` are read here. Around it,
`Link` keeps one bound connection's buffers on a non-blocking socket: it writes what the
socket takes, reads what has arrived and splits it into frames, and packs the fixed-shape
answers (`deliver_sm_resp`, `enquire_link_resp`, ...) itself, which is most of a busy link's
traffic. `read_deliver_sm` reads a report or incoming message at a fraction of smpplib's
cost. `SubmitFactory` builds `submit_sm` PDUs byte for byte as smpplib does, at a third of
its cost. Nothing here knows about threads or the event loop: the I/O thread
(:mod:`.connection`) is the only one that touches a client or a link.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator, Mapping
import contextlib
import copy
import logging
import socket
import ssl
import struct
from typing import Any, Final

from smpplib import (
    client as smpp_client,
    command as smpp_command,
    consts,
    exceptions as smpp_exceptions,
    smpp,
)

from .deliver_sm import DeliverSm

# Larger frames than this are not SMPP from SMSC: treat the stream as corrupt.
MAX_PDU_LENGTH: Final = 64 * 1024
_HEADER_LENGTH: Final = 16
_RECV_SIZE: Final = 64 * 1024
_SEND_CHUNK: Final = 64 * 1024

_HEADER: Final = struct.Struct(">LLLL")  # command_length, command_id, status, sequence
HEADER_FIELDS: Final = struct.Struct(">LLL")  # command_id, command_status, sequence_number
# The responses the session writes: command id and body.
_ANSWERS: Final[dict[str, tuple[int, bytes]]] = {
    "deliver_sm_resp": (0x80000005, b"\0"),
    "enquire_link_resp": (0x80000015, b""),
    "unbind_resp": (0x80000006, b""),
    "generic_nack": (0x80000000, b""),
}
RESPONSE_BIT: Final = 0x80000000
GENERIC_NACK: Final = 0x80000000
SUBMIT_SM_RESP: Final = 0x80000004
DELIVER_SM: Final = 0x00000005
ENQUIRE_LINK: Final = 0x00000015

_SUBMIT_SM_FIELDS: Final[tuple[str, ...]] = tuple(smpp_command.SubmitSM.params_order)
_SUBMIT_SM_TLVS: Final = frozenset(
    name for name in _SUBMIT_SM_FIELDS if name in consts.OPTIONAL_PARAMS
)


# Linux turns quick ACKs off again after a while: the I/O thread re-arms them after each read.
_QUICKACK: Final[int | None] = getattr(socket, "TCP_QUICKACK", None)


def set_low_latency(sock: socket.socket) -> None:
    """Write small segments at once, and acknowledge at once where the OS can."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rearm_quickack(sock)


def rearm_quickack(sock: socket.socket) -> None:
    """Acknowledge the next segments at once (Linux only; resets itself, so call per read)."""
    if _QUICKACK is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


class ConnectionDropped(Exception):
    """The link is unusable; the I/O thread tears it down and reconnects."""


class UnparsablePdu(Exception):
    """A complete frame that cannot be turned into a PDU; its header is still known."""

    def __init__(self, command_id: int, status: int, sequence: int, cause: object) -> None:
        super().__init__(f"command 0x{command_id:08X} status {status}: {cause}")
        self.command_id = command_id
        self.status = status
        self.sequence = sequence


class SmscClient(smpp_client.Client):  # type: ignore[misc]
    """smpplib's client with a bounded frame reader that never advances our sequence."""

    _aborted = False
    _socket: socket.socket | None = None

    def connect(self) -> None:
        """Connect to each address the host resolves to in turn (IPv6 too), then TLS.

        smpplib's own connect makes one IPv4 socket. As `socket.create_connection`, this tries
        every address `getaddrinfo` gives, each bounded by `timeout`, and raises smpplib's
        `ConnectionError` with the last failure as its cause. The raw TCP socket, under TLS
        too, writes small PDUs at once (`TCP_NODELAY`) and acknowledges at once where the OS
        can (`TCP_QUICKACK`): a submit must not wait up to 40 ms for a delayed ACK.
        """
        self.logger.info("Connecting to %s:%s...", self.host, self.port)
        try:
            addresses = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except OSError as err:
            raise smpp_exceptions.ConnectionError(f"cannot resolve {self.host}") from err
        last_error: OSError | None = None
        for family, kind, proto, _name, address in addresses:
            if self._aborted:
                break
            raw_socket = socket.socket(family, kind, proto)
            raw_socket.settimeout(self.timeout)
            self._socket = raw_socket  # so that `abort()` can cut a connect that hangs
            try:
                raw_socket.connect(address)
            except OSError as err:
                last_error = err
                self._socket = None
                raw_socket.close()
                continue
            break
        else:
            raise smpp_exceptions.ConnectionError(
                f"cannot connect: {last_error}" if last_error else "no address"
            ) from last_error
        if self._aborted or self._socket is None:
            raise smpp_exceptions.ConnectionError("connect cancelled") from last_error
        set_low_latency(raw_socket)
        if self._ssl_context is not None:
            try:
                # With the host name, unlike smpplib's own wrap: SNI, and the certificate checked.
                self._socket = self._ssl_context.wrap_socket(raw_socket, server_hostname=self.host)
            except OSError as err:
                self._socket = None
                raw_socket.close()
                raise smpp_exceptions.ConnectionError(f"TLS failed: {err}") from err
        self.state = consts.SMPP_CLIENT_STATE_OPEN

    def abort(self) -> None:
        """Cut a connect, bind or read that blocks, from another thread."""
        self._aborted = True
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def read_pdu(self) -> Any:
        """Read one PDU, blocking (used for the bind only)."""
        raw_length = self._recv_exact(4)
        (length,) = struct.unpack(">L", raw_length)
        if not _HEADER_LENGTH <= length <= MAX_PDU_LENGTH:
            raise ConnectionDropped(f"invalid PDU length {length}")
        return self.parse_frame(raw_length + self._recv_exact(length - 4))

    def parse_frame(self, frame: bytes) -> Any:
        """Turn one complete frame into an smpplib PDU, or raise `UnparsablePdu`."""
        command_id, status, sequence = HEADER_FIELDS.unpack_from(frame, 4)
        try:
            # `sequence=0` stops smpplib from drawing a fresh number for a parsed PDU;
            # parse() then sets the real one from the header.
            pdu = smpp.parse_pdu(frame, client=self, sequence=0, allow_unknown_opt_params=True)
        except Exception as err:
            raise UnparsablePdu(command_id, status, sequence, err) from err
        if pdu is None:
            raise UnparsablePdu(command_id, status, sequence, None)
        return pdu


class Link:
    """One bound connection and its buffers."""

    __slots__ = (
        "client",
        "corrupt",
        "inbuf",
        "outbuf",
        "queued",
        "sent",
        "sock",
        "ssl_retry",
        "submit_factory",
        "tls",
        "write_waits_for_read",
    )

    def __init__(self, client: SmscClient) -> None:
        if client._socket is None:
            raise ConnectionDropped("not connected")
        self.client = client
        self.sock: socket.socket = client._socket
        self.tls = isinstance(self.sock, ssl.SSLSocket)
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.queued = 0  # bytes ever put into outbuf
        self.sent = 0  # bytes the socket took
        self.ssl_retry = 0  # a TLS write that would block must be repeated with this length
        self.corrupt: str | None = None  # why the input stream cannot be framed any more
        self.submit_factory = SubmitFactory(client)
        self.write_waits_for_read = False

    def queue(self, pdu: Any) -> int:
        """Put a PDU on the wire's queue; returns the stream offset just past it."""
        self._put(pdu.generate())
        return self.queued

    def answer(self, command: str, sequence: int, status: int) -> None:
        """Queue a response to SMSC's request `sequence`.

        These have a fixed shape (a header, and for deliver_sm_resp an empty message_id), so
        they are packed here: as smpplib would write them, at a fraction of its cost, which
        matters when thousands of receipts need answering.
        """
        command_id, body = _ANSWERS[command]
        self._put(_HEADER.pack(_HEADER_LENGTH + len(body), command_id, status, sequence) + body)

    def _put(self, data: bytes) -> None:
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
                raise ConnectionDropped(f"cannot write to SMSC: {err}") from err
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
                raise ConnectionDropped(str(err) or "connection reset by SMSC") from err
            if not data:
                raise ConnectionDropped("connection closed by SMSC")
            self.inbuf += data
            self.write_waits_for_read = False
            received = True
            if len(data) < _RECV_SIZE and not (self.tls and self.pending()):
                break
        if received:
            rearm_quickack(self.sock)
        return received

    def pending(self) -> bool:
        """Decrypted bytes wait inside the TLS layer, where select cannot see them."""
        return self.tls and isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0

    def frames(self) -> Iterator[bytes]:
        """Take the complete frames out of the input buffer, one at a time.

        One at a time, so that the caller can stop between two (to let the event loop's thread
        run) without this holding the GIL to split a megabyte first; what is not taken yet
        stays in the buffer. Frames before a corrupt length are still given (they may answer
        submits); the corruption is noted in `corrupt` for the caller to drop the link after.
        """
        buffer = self.inbuf
        position = 0
        try:
            while len(buffer) - position >= 4:
                (length,) = struct.unpack_from(">L", buffer, position)
                if not _HEADER_LENGTH <= length <= MAX_PDU_LENGTH:
                    self.corrupt = f"invalid PDU length {length}"
                    return
                if len(buffer) - position < length:
                    return
                frame = bytes(buffer[position : position + length])
                position += length
                yield frame
        finally:
            if position:
                del buffer[:position]


def submit_sm_resp_message_id(frame: bytes) -> str:
    """The message id in a `submit_sm_resp` frame, read without smpplib.

    The body is the id as a C-string (SMPP 5.0 may add TLVs after it). smpplib's generic
    parser costs more than the rest of a submit's round trip.
    """
    return frame[_HEADER_LENGTH:].split(b"\0", 1)[0].decode("ascii", "replace")


# The TLVs of a deliver_sm that `parse_deliver_sm` reads, by tag (smpplib's table).
_RECEIPTED_MESSAGE_ID: Final = consts.OPTIONAL_PARAMS["receipted_message_id"]
_MESSAGE_STATE: Final = consts.OPTIONAL_PARAMS["message_state"]
_MESSAGE_PAYLOAD: Final = consts.OPTIONAL_PARAMS["message_payload"]
_SAR_MSG_REF_NUM: Final = consts.OPTIONAL_PARAMS["sar_msg_ref_num"]
_SAR_TOTAL_SEGMENTS: Final = consts.OPTIONAL_PARAMS["sar_total_segments"]
_SAR_SEGMENT_SEQNUM: Final = consts.OPTIONAL_PARAMS["sar_segment_seqnum"]
_TLV_HEADER: Final = struct.Struct(">HH")


def read_deliver_sm(frame: bytes) -> DeliverSm:
    """The fields of a `deliver_sm` frame that `parse_deliver_sm` uses, read without smpplib.

    Every report and incoming message passes here, on the I/O thread with the GIL held:
    smpplib's generic parser cost more than the rest of a report's way to an event. Unknown
    TLVs are skipped, as `allow_unknown_opt_params` has smpplib do. A string TLV keeps its
    last character when SMSC leaves out the NUL (smpplib drops it). Raises `UnparsablePdu`
    for a body too short for its fields.
    """
    try:
        _, position = _cstring(frame, _HEADER_LENGTH)  # service_type
        source, position = _cstring(frame, position + 2)  # after source_addr_ton, _npi
        destination, position = _cstring(frame, position + 2)  # after dest_addr_ton, _npi
        esm_class = frame[position]
        # schedule_delivery_time, after esm_class, protocol_id and priority_flag
        _, position = _cstring(frame, position + 3)
        _, position = _cstring(frame, position)  # validity_period
        # registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
        data_coding = frame[position + 2]
        length = frame[position + 4]
        position += 5
        short_message = frame[position : position + length]
        position += length
        tlvs: dict[int, bytes] = {}
        while position + _TLV_HEADER.size <= len(frame):
            tag, size = _TLV_HEADER.unpack_from(frame, position)
            position += _TLV_HEADER.size
            tlvs.setdefault(tag, frame[position : position + size])
            position += size
    except (IndexError, ValueError, struct.error) as err:  # a field without its end
        raise _unparsable(frame, err) from err
    if position != len(frame):  # past the end, or a few bytes too few for a TLV
        raise _unparsable(frame, "the fields do not fill the PDU")
    receipted = tlvs.get(_RECEIPTED_MESSAGE_ID)
    return DeliverSm(
        esm_class=esm_class,
        data_coding=data_coding,
        short_message=short_message,
        source_addr=_text(source),
        destination_addr=_text(destination),
        receipted_message_id=None if receipted is None else _text(receipted),
        message_state=_number(tlvs.get(_MESSAGE_STATE)),
        message_payload=tlvs.get(_MESSAGE_PAYLOAD),
        sar_msg_ref_num=_number(tlvs.get(_SAR_MSG_REF_NUM)),
        sar_total_segments=_number(tlvs.get(_SAR_TOTAL_SEGMENTS)),
        sar_segment_seqnum=_number(tlvs.get(_SAR_SEGMENT_SEQNUM)),
    )


def _unparsable(frame: bytes, cause: object) -> UnparsablePdu:
    command_id, status, sequence = HEADER_FIELDS.unpack_from(frame, 4)
    return UnparsablePdu(command_id, status, sequence, cause)


def _cstring(frame: bytes, position: int) -> tuple[bytes, int]:
    """The C-string at `position` (without its NUL) and the position after it."""
    end = frame.index(b"\0", position)
    return frame[position:end], end + 1


def _text(raw: bytes) -> str:
    """An address or id as text: UTF-8 where it is, else Latin-1; NULs dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\0", "")


def _number(raw: bytes | None) -> int | None:
    return int.from_bytes(raw, "big") if raw else None


class SubmitFactory:
    """Builds smpplib `submit_sm` PDUs for one client, at about a third of smpplib's cost.

    `smpp.make_pdu` sets each of the ~45 fields of a new `SubmitSM` one by one, twice, and
    `generate()` then walks all 27 optional parameters although only the set ones are
    written. Here a blank PDU made once by smpplib is copied, the caller's fields are set the
    way smpplib's own `_set_vars` sets them, and the PDU is told which TLVs it has. The bytes
    are smpplib's own (a test compares them); generating submits is most of a burst's cost.
    """

    def __init__(self, client: SmscClient) -> None:
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
