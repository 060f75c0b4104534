"""A small SMPP 3.4 PDU codec for the server side of the wire.

Independent of smpplib on purpose (see the package docstring). Only the operations SMSC's
SMPP gateway deals with are modelled; anything else is carried as an opaque body so the
server can still answer it with ``generic_nack``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import struct
from typing import Final, Self

HEADER = struct.Struct(">IIII")
HEADER_SIZE: Final = HEADER.size
# SMPP puts no hard cap on command_length; real PDUs stay far below this. Anything larger is
# garbage (or hostile) and reading it would just let one client make us buffer megabytes.
MAX_PDU_SIZE: Final = 64 * 1024

RESPONSE_BIT: Final = 0x80000000


class CommandId:
    GENERIC_NACK: Final = 0x80000000
    BIND_RECEIVER: Final = 0x00000001
    BIND_RECEIVER_RESP: Final = 0x80000001
    BIND_TRANSMITTER: Final = 0x00000002
    BIND_TRANSMITTER_RESP: Final = 0x80000002
    QUERY_SM: Final = 0x00000003
    QUERY_SM_RESP: Final = 0x80000003
    SUBMIT_SM: Final = 0x00000004
    SUBMIT_SM_RESP: Final = 0x80000004
    DELIVER_SM: Final = 0x00000005
    DELIVER_SM_RESP: Final = 0x80000005
    UNBIND: Final = 0x00000006
    UNBIND_RESP: Final = 0x80000006
    REPLACE_SM: Final = 0x00000007
    CANCEL_SM: Final = 0x00000008
    BIND_TRANSCEIVER: Final = 0x00000009
    BIND_TRANSCEIVER_RESP: Final = 0x80000009
    OUTBIND: Final = 0x0000000B
    ENQUIRE_LINK: Final = 0x00000015
    ENQUIRE_LINK_RESP: Final = 0x80000015
    SUBMIT_MULTI: Final = 0x00000021
    ALERT_NOTIFICATION: Final = 0x00000102
    DATA_SM: Final = 0x00000103


COMMAND_NAMES: Final[dict[int, str]] = {
    value: name.lower()
    for name, value in vars(CommandId).items()
    if not name.startswith("_") and isinstance(value, int)
}

BIND_COMMANDS: Final = frozenset(
    {CommandId.BIND_RECEIVER, CommandId.BIND_TRANSMITTER, CommandId.BIND_TRANSCEIVER}
)


def command_name(command_id: int) -> str:
    return COMMAND_NAMES.get(command_id, f"0x{command_id:08x}")


class Status:
    ROK: Final = 0x00
    RINVMSGLEN: Final = 0x01
    RINVCMDLEN: Final = 0x02
    RINVCMDID: Final = 0x03
    RINVBNDSTS: Final = 0x04
    RALYBND: Final = 0x05
    RSYSERR: Final = 0x08
    RBINDFAIL: Final = 0x0D
    RINVPASWD: Final = 0x0E
    RINVSYSID: Final = 0x0F
    RMSGQFUL: Final = 0x14
    RSUBMITFAIL: Final = 0x45
    RTHROTTLED: Final = 0x58


class Tag:
    """TLV tags the simulator reads or writes."""

    RECEIPTED_MESSAGE_ID: Final = 0x001E
    SAR_MSG_REF_NUM: Final = 0x020C
    SAR_TOTAL_SEGMENTS: Final = 0x020E
    SAR_SEGMENT_SEQNUM: Final = 0x020F
    SC_INTERFACE_VERSION: Final = 0x0210
    MESSAGE_PAYLOAD: Final = 0x0424
    MESSAGE_STATE: Final = 0x0427


class MessageState:
    ENROUTE: Final = 1
    DELIVERED: Final = 2
    EXPIRED: Final = 3
    DELETED: Final = 4
    UNDELIVERABLE: Final = 5
    ACCEPTED: Final = 6
    UNKNOWN: Final = 7
    REJECTED: Final = 8


class PduError(ValueError):
    """A PDU body does not follow the SMPP 3.4 layout."""


@dataclass(slots=True)
class Pdu:
    """One framed PDU: header fields plus the undecoded body."""

    command_id: int
    command_status: int = 0
    sequence_number: int = 0
    body: bytes = b""

    @property
    def name(self) -> str:
        return command_name(self.command_id)

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESPONSE_BIT)

    def encode(self) -> bytes:
        return (
            HEADER.pack(
                HEADER_SIZE + len(self.body),
                self.command_id,
                self.command_status,
                self.sequence_number,
            )
            + self.body
        )

    @classmethod
    def decode(cls, frame: bytes) -> Self:
        """Decode a complete frame (header included); the length must match exactly."""
        if len(frame) < HEADER_SIZE:
            raise PduError(f"frame of {len(frame)} octets is shorter than a header")
        length, command_id, status, sequence = HEADER.unpack_from(frame)
        if length != len(frame):
            raise PduError(f"command_length {length} but frame has {len(frame)} octets")
        return cls(command_id, status, sequence, frame[HEADER_SIZE:])


class _Reader:
    """Cursor over a PDU body; every read checks bounds so truncation raises PduError."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def cstring(self, max_len: int, name: str) -> str:
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise PduError(f"{name}: C-octet string is not NUL-terminated")
        if end - self.pos + 1 > max_len:
            raise PduError(f"{name}: longer than {max_len} octets including NUL")
        raw = self.data[self.pos : end]
        self.pos = end + 1
        # Latin-1 maps every octet, so odd bytes in an address survive for inspection.
        return raw.decode("latin-1")

    def u8(self, name: str) -> int:
        if self.remaining() < 1:
            raise PduError(f"{name}: body truncated")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def octets(self, count: int, name: str) -> bytes:
        if self.remaining() < count:
            raise PduError(f"{name}: needs {count} octets, {self.remaining()} left")
        value = self.data[self.pos : self.pos + count]
        self.pos += count
        return value

    def tlvs(self) -> list[Tlv]:
        found: list[Tlv] = []
        while self.remaining():
            if self.remaining() < 4:
                raise PduError("TLV header truncated")
            tag, length = struct.unpack_from(">HH", self.data, self.pos)
            self.pos += 4
            found.append(Tlv(tag, self.octets(length, f"TLV 0x{tag:04x}")))
        return found


def cstring(value: str) -> bytes:
    return value.encode("latin-1") + b"\x00"


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    value: bytes

    def encode(self) -> bytes:
        return struct.pack(">HH", self.tag, len(self.value)) + self.value

    @classmethod
    def u8(cls, tag: int, value: int) -> Self:
        return cls(tag, bytes([value]))

    @classmethod
    def u16(cls, tag: int, value: int) -> Self:
        return cls(tag, struct.pack(">H", value))

    @classmethod
    def cstr(cls, tag: int, value: str) -> Self:
        return cls(tag, cstring(value))


def find_tlv(tlvs: list[Tlv], tag: int) -> bytes | None:
    for tlv in tlvs:
        if tlv.tag == tag:
            return tlv.value
    return None


def tlv_int(tlvs: list[Tlv], tag: int) -> int | None:
    value = find_tlv(tlvs, tag)
    return None if value is None else int.from_bytes(value, "big")


@dataclass(slots=True)
class BindBody:
    """Body of bind_transmitter / bind_receiver / bind_transceiver."""

    system_id: str
    # repr=False: bind bodies end up in logs and assertion messages.
    password: str = field(repr=False)
    system_type: str = ""
    interface_version: int = 0x34
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""

    def encode(self) -> bytes:
        return (
            cstring(self.system_id)
            + cstring(self.password)
            + cstring(self.system_type)
            + bytes([self.interface_version, self.addr_ton, self.addr_npi])
            + cstring(self.address_range)
        )

    @classmethod
    def decode(cls, body: bytes) -> Self:
        r = _Reader(body)
        # SMPP 3.4 caps system_id at 16 and password at 9 octets, but SMSC account logins and
        # passwords are often longer, so the simulator accepts up to 65 rather than refuse a
        # bind the real service might take.
        bind = cls(
            system_id=r.cstring(65, "system_id"),
            password=r.cstring(65, "password"),
            system_type=r.cstring(13, "system_type"),
            interface_version=r.u8("interface_version"),
            addr_ton=r.u8("addr_ton"),
            addr_npi=r.u8("addr_npi"),
            address_range=r.cstring(41, "address_range"),
        )
        # Bind PDUs have no TLVs in 3.4, but 5.0-speaking clients may add some; ignore them.
        r.tlvs()
        return bind


@dataclass(slots=True)
class SmBody:
    """Body of submit_sm and deliver_sm (they share one layout)."""

    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    tlvs: list[Tlv] = field(default_factory=list)

    def tlv(self, tag: int) -> bytes | None:
        return find_tlv(self.tlvs, tag)

    def tlv_int(self, tag: int) -> int | None:
        return tlv_int(self.tlvs, tag)

    def encode(self) -> bytes:
        if len(self.short_message) > 254:
            raise PduError("short_message longer than 254 octets; use message_payload")
        return (
            cstring(self.service_type)
            + bytes([self.source_addr_ton, self.source_addr_npi])
            + cstring(self.source_addr)
            + bytes([self.dest_addr_ton, self.dest_addr_npi])
            + cstring(self.destination_addr)
            + bytes([self.esm_class, self.protocol_id, self.priority_flag])
            + cstring(self.schedule_delivery_time)
            + cstring(self.validity_period)
            + bytes(
                [
                    self.registered_delivery,
                    self.replace_if_present_flag,
                    self.data_coding,
                    self.sm_default_msg_id,
                    len(self.short_message),
                ]
            )
            + self.short_message
            + b"".join(t.encode() for t in self.tlvs)
        )

    @classmethod
    def decode(cls, body: bytes) -> Self:
        r = _Reader(body)
        sm = cls(
            service_type=r.cstring(6, "service_type"),
            source_addr_ton=r.u8("source_addr_ton"),
            source_addr_npi=r.u8("source_addr_npi"),
            source_addr=r.cstring(21, "source_addr"),
            dest_addr_ton=r.u8("dest_addr_ton"),
            dest_addr_npi=r.u8("dest_addr_npi"),
            destination_addr=r.cstring(21, "destination_addr"),
            esm_class=r.u8("esm_class"),
            protocol_id=r.u8("protocol_id"),
            priority_flag=r.u8("priority_flag"),
            schedule_delivery_time=r.cstring(17, "schedule_delivery_time"),
            validity_period=r.cstring(17, "validity_period"),
            registered_delivery=r.u8("registered_delivery"),
            replace_if_present_flag=r.u8("replace_if_present_flag"),
            data_coding=r.u8("data_coding"),
            sm_default_msg_id=r.u8("sm_default_msg_id"),
        )
        sm_length = r.u8("sm_length")
        sm.short_message = r.octets(sm_length, "short_message")
        # Unknown tags are kept, not rejected: SMPP 3.4 says a receiver must ignore TLVs it
        # does not support.
        sm.tlvs = r.tlvs()
        return sm


@dataclass(slots=True)
class MessageIdBody:
    """Body of submit_sm_resp / deliver_sm_resp / bind_*_resp (one C-string, optional TLVs)."""

    value: str = ""
    tlvs: list[Tlv] = field(default_factory=list)

    def encode(self) -> bytes:
        return cstring(self.value) + b"".join(t.encode() for t in self.tlvs)

    @classmethod
    def decode(cls, body: bytes) -> Self:
        # An error response may legally come with no body at all.
        if not body:
            return cls()
        r = _Reader(body)
        value = r.cstring(65, "message_id")
        return cls(value, r.tlvs())


ESM_UDHI: Final = 0x40
ESM_DELIVERY_RECEIPT: Final = 0x04


@dataclass(frozen=True, slots=True)
class Concat:
    """Concatenation info of one part, from a UDH or from the SAR TLVs."""

    ref: int
    total: int
    seq: int
    scheme: str  # "udh8", "udh16" or "sar"


def split_udh(data: bytes) -> tuple[Concat | None, bytes]:
    """Split a user data header off ``data``; return the concatenation IE (if any) and the rest.

    Other information elements (ports, national language shift, ...) are skipped.
    """
    if not data:
        raise PduError("UDHI set but the message is empty")
    udhl = data[0]
    if 1 + udhl > len(data):
        raise PduError(f"UDH length {udhl} exceeds the message ({len(data)} octets)")
    ies = data[1 : 1 + udhl]
    concat: Concat | None = None
    pos = 0
    while pos < len(ies):
        if pos + 2 > len(ies):
            raise PduError("UDH information element header truncated")
        iei, iel = ies[pos], ies[pos + 1]
        value = ies[pos + 2 : pos + 2 + iel]
        if len(value) != iel:
            raise PduError(f"UDH IE 0x{iei:02x} truncated")
        if iei == 0x00 and iel == 3:
            concat = Concat(value[0], value[1], value[2], "udh8")
        elif iei == 0x08 and iel == 4:
            concat = Concat(int.from_bytes(value[:2], "big"), value[2], value[3], "udh16")
        pos += 2 + iel
    return concat, data[1 + udhl :]


def make_udh(ref: int, total: int, seq: int, *, ref16: bool = False) -> bytes:
    if ref16:
        return bytes([6, 0x08, 4]) + ref.to_bytes(2, "big") + bytes([total, seq])
    return bytes([5, 0x00, 3, ref & 0xFF, total, seq])
