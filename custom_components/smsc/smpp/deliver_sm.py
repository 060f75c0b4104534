"""Classify each ``deliver_sm``: delivery receipt, HLR result, incoming SMS part, or unusable.

Used on the session's I/O thread: the session reads a :class:`DeliverSm` from the frame
(:func:`.wire.read_deliver_sm`) and calls :func:`parse_deliver_sm`, which never raises and
returns one of

* :class:`.receipts.DeliveryReceipt` -- a status report for a message we sent;
* :class:`.receipts.HlrResult` -- the answer to an ``__HLR__`` request (SMSC sends it as a
  status report);
* :class:`.incoming.IncomingPart` -- an incoming (MO) SMS or one part of it, for the
  session's :class:`.incoming.IncomingAssembler`;
* :class:`.receipts.UnparsedReport` -- something unusable; the hub logs it (once per
  :class:`.receipts.UnparsedReason`, see :class:`.tally.FailureTally`) and counts it.

No Home Assistant or smpplib imports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
import re
from typing import Final, Literal

from .decoding import decode_report_text
from .incoming import IncomingPart
from .receipts import (
    UNPARSED_PREVIEW,
    DeliveryReceipt,
    HlrResult,
    UnparsedReason,
    UnparsedReport,
    parse_receipt,
)

__all__ = ["DeliverSm", "DeliverSmResult", "parse_deliver_sm"]

type DeliverSmResult = DeliveryReceipt | HlrResult | IncomingPart | UnparsedReport

ESM_UDHI: Final = 0x40
"""esm_class bit: short_message starts with a user data header."""
ESM_TYPE_MASK: Final = 0x3C
"""esm_class message-type bits: any of them set (0x04 SMSC delivery receipt, 0x08 SME delivery
acknowledgement, 0x10 manual/user acknowledgement, 0x20 intermediate delivery notification, or
a combination such as 0x24) makes the PDU a report; 0 is a plain incoming message."""

_RECEIPT_TEXT_RE: Final = re.compile(
    r"\s*id\s*:\s*\S.*?(?<!\S)stat\s*:\s*\S", re.I | re.S | re.ASCII
)
"""SMSC's receipt text, ``id:... stat:...``: a report even when nothing else marks it one."""

type _Concat = tuple[Literal["udh8", "udh16"], int, int, int]


# --------------------------------------------------------------------------------------------
# Input


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return int(value)  # a bool becomes a plain int
    if isinstance(value, (bytes, bytearray, str)):
        text = value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else value
        text = text.replace("\x00", "").strip()
        if text.isascii() and text.isdigit() and len(text) <= 10:
            return int(text)
    return None


@dataclass(frozen=True, slots=True)
class DeliverSm:
    """The fields of a ``deliver_sm`` this module uses."""

    esm_class: int = 0
    data_coding: int = 0
    short_message: bytes = b""
    source_addr: str = ""
    destination_addr: str = ""
    receipted_message_id: str | None = None
    message_state: int | None = None
    message_payload: bytes | None = None
    sar_msg_ref_num: int | None = None
    sar_total_segments: int | None = None
    sar_segment_seqnum: int | None = None


# --------------------------------------------------------------------------------------------
# Classification


def _split_udh(data: bytes) -> tuple[bytes, _Concat | None] | None:
    """Strip the user data header; return the rest and the concatenation IE, None if broken."""
    if not data or 1 + data[0] > len(data):
        return None
    header, payload = data[1 : 1 + data[0]], data[1 + data[0] :]
    concat: _Concat | None = None
    pos = 0
    while pos + 2 <= len(header):
        iei, length = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + length]
        pos += 2 + length
        if len(value) < length:
            break
        if concat is None and iei == 0x00 and length == 3:
            concat = ("udh8", value[0], value[1], value[2])
        elif concat is None and iei == 0x08 and length == 4:
            concat = ("udh16", (value[0] << 8) | value[1], value[2], value[3])
    return payload, concat


def _preview(data: bytes) -> str:
    return data[: UNPARSED_PREVIEW // 2].hex()


def _body(sm: DeliverSm) -> bytes:
    if not sm.short_message and sm.message_payload:
        return sm.message_payload
    return sm.short_message


def _marked_as_report(sm: DeliverSm) -> bool:
    """Whether the esm_class or a report-only TLV says this is a report."""
    return (
        bool(sm.esm_class & ESM_TYPE_MASK)
        or sm.receipted_message_id is not None
        or sm.message_state is not None
    )


def _parse_report(sm: DeliverSm, text: str, receipt_tz: tzinfo) -> DeliverSmResult:
    result = parse_receipt(
        text,
        receipted_message_id=sm.receipted_message_id,
        message_state=sm.message_state,
        receipt_tz=receipt_tz,
    )
    if isinstance(result, UnparsedReport):
        return UnparsedReport(
            result.reason,
            raw=result.raw,
            esm_class=sm.esm_class,
            data_coding=sm.data_coding,
            source=sm.source_addr,
            destination=sm.destination_addr,
        )
    return replace(result, source=sm.source_addr)


def _parse(sm: DeliverSm, receipt_tz: tzinfo) -> DeliverSmResult:
    body = _body(sm)
    udhi = bool(sm.esm_class & ESM_UDHI)
    if _marked_as_report(sm):
        if udhi and (split := _split_udh(body)) is not None:
            body = split[0]
        return _parse_report(sm, decode_report_text(body, sm.data_coding), receipt_tz)
    part = _incoming_part(sm, body, udhi)
    if isinstance(part, IncomingPart) and part.total == 1:
        # A report some server sends unmarked (esm_class 0, no TLVs) must not become an
        # incoming SMS: Assist would answer it, and each answer's report would be another.
        text = decode_report_text(part.payload, sm.data_coding)
        if _RECEIPT_TEXT_RE.match(text):
            return _parse_report(sm, text, receipt_tz)
    return part


def _incoming_part(sm: DeliverSm, body: bytes, udhi: bool) -> IncomingPart | UnparsedReport:
    kind: Literal["", "udh8", "udh16", "sar"] = ""
    reference: int | None = None
    total = sequence = 1
    if udhi:
        split = _split_udh(body)
        if split is None:
            return UnparsedReport(
                UnparsedReason.BAD_UDH,
                raw=_preview(body),
                esm_class=sm.esm_class,
                data_coding=sm.data_coding,
                source=sm.source_addr,
                destination=sm.destination_addr,
            )
        body, concat = split
        if concat is not None:
            kind, reference, total, sequence = concat
    if (
        kind == ""
        and sm.sar_msg_ref_num is not None
        and sm.sar_total_segments is not None
        and sm.sar_segment_seqnum is not None
    ):
        kind, reference = "sar", sm.sar_msg_ref_num
        total, sequence = sm.sar_total_segments, sm.sar_segment_seqnum
    if not 1 <= sequence <= total <= 255 or total == 1:
        # Not part of a set (or a nonsensical one): deliver what there is on its own.
        kind, reference, total, sequence = "", None, 1, 1
    return IncomingPart(
        source=sm.source_addr,
        destination=sm.destination_addr,
        data_coding=sm.data_coding,
        payload=body,
        reference=reference,
        total=total,
        sequence=sequence,
        reference_kind=kind,
    )


def parse_deliver_sm(sm: DeliverSm, *, receipt_tz: tzinfo = UTC) -> DeliverSmResult:
    """Classify and parse a ``deliver_sm``; never raises.

    A PDU with any message-type bit of ``esm_class & 0x3C`` set (0x04 SMSC receipt, 0x08 SME
    acknowledgement, 0x10 user acknowledgement, 0x20 intermediate notification), or with a
    ``receipted_message_id`` or ``message_state`` TLV, or a single-part text in SMSC's receipt
    format (``id:... stat:...``) even with esm_class 0, is a status report:
    :class:`DeliveryReceipt`, or :class:`HlrResult` when its text has ``imsi:``.  Anything else
    is an incoming SMS: :class:`IncomingPart`
    (UDH stripped; concatenation from the UDH, IEI 0x00 or 0x08, else from the ``sar_*`` TLVs).
    The text comes from ``short_message``, or ``message_payload`` when that is empty.
    """
    try:
        return _parse(sm, receipt_tz)
    except Exception:  # the reader thread must survive any input
        return UnparsedReport(
            UnparsedReason.PARSER_ERROR,
            raw=repr(sm)[:UNPARSED_PREVIEW],
            esm_class=_as_int(getattr(sm, "esm_class", 0)) or 0,
            data_coding=_as_int(getattr(sm, "data_coding", 0)) or 0,
        )
