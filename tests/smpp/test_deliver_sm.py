"""Tests of deliver_sm classification and of reading it from the frame."""

from __future__ import annotations

import struct
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest
import smpplib.smpp

from custom_components.smsc.smpp.deliver_sm import DeliverSm, parse_deliver_sm
from custom_components.smsc.smpp.incoming import IncomingAssembler, IncomingMessage, IncomingPart
from custom_components.smsc.smpp.receipts import (
    DeliveryReceipt,
    DeliveryState,
    HlrResult,
    UnparsedReason,
    UnparsedReport,
)
from custom_components.smsc.smpp.wire import UnparsablePdu, read_deliver_sm

from .pdus import STD_DATES, mo_sm, part, receipt, receipt_sm, receipty_text, udh8

# ---------------------------------------------------------------------------------------------
# Classification


@pytest.mark.parametrize(
    "esm_class", [0x04, 0x08, 0x10, 0x20, 0x24, 0x18, 0x3C, 0x04 | 0x03, 0x04 | 0x80, 0x20 | 0x40]
)
def test_report_esm_classes(esm_class: int) -> None:
    """Any message-type bit (mask 0x3C) makes a report: receipt, acknowledgements, notice."""
    body = b"id:5 stat:ENROUTE err:0"
    if esm_class & 0x40:
        body = udh8(1, 1, 1) + body
    result = parse_deliver_sm(receipt_sm(body, esm_class=esm_class))
    assert receipt(result).state is DeliveryState.ENROUTE


@pytest.mark.parametrize("esm_class", [0x00, 0x03, 0x80])
@pytest.mark.parametrize(
    "text",
    [
        b"id:5 stat:DELIVRD err:0",
        b"id:5 sub:001 dlvrd:001 submit date:2301151230 done date:2301151231 stat:UNDELIV err:011",
        b"  ID: 5 STAT: EXPIRED",
    ],
)
def test_receipt_text_is_a_report_without_markers(esm_class: int, text: bytes) -> None:
    """A text in SMSC's receipt format is a report even when esm_class says plain message."""
    result = parse_deliver_sm(mo_sm(text, esm_class=esm_class))
    assert receipt(result).message_id == "5"


@pytest.mark.parametrize(
    "text",
    [
        b"Hello, what is the status?",
        b"id: 5 please",
        b"stat: DELIVRD",
        b"my id:5 stat:DELIVRD",
        b"id:stat:",
    ],
)
def test_text_not_in_receipt_format_stays_incoming(text: bytes) -> None:
    """Only an ``id:`` followed by a ``stat:`` value, from the start, reads as a receipt."""
    result = parse_deliver_sm(mo_sm(text))
    assert part(result).payload == text


def test_receipt_looking_part_of_a_long_message_stays_incoming() -> None:
    """A part of a concatenated SMS is never taken for a report: its set would stay open."""
    result = parse_deliver_sm(mo_sm(udh8(9, 2, 2) + b"id:5 stat:DELIVRD", esm_class=0x40))
    assert (part(result).total, part(result).sequence) == (2, 2)


@pytest.mark.parametrize(
    "tlvs",
    [{"receipted_message_id": "855469"}, {"message_state": 2}],
    ids=["receipted_message_id", "message_state"],
)
def test_one_report_tlv_makes_a_report(tlvs: dict[str, Any]) -> None:
    """Either report TLV alone marks a report, even with esm_class 0 and no receipt text."""
    result = parse_deliver_sm(mo_sm(b"", **tlvs))
    assert not isinstance(result, IncomingPart)
    if "receipted_message_id" in tlvs:
        assert receipt(result).message_id == "855469"
        assert receipt(result).state is DeliveryState.UNKNOWN
    else:
        assert isinstance(result, UnparsedReport)
        assert result.reason is UnparsedReason.NO_MESSAGE_ID


def test_tlvs_make_a_report_even_with_esm_class_zero() -> None:
    """receipted_message_id plus message_state marks a report whatever esm_class says."""
    result = parse_deliver_sm(mo_sm(b"", receipted_message_id="855469", message_state=2))
    assert receipt(result).state is DeliveryState.DELIVERED


def test_receipt_in_message_payload() -> None:
    """An empty short_message with the text in message_payload."""
    result = parse_deliver_sm(receipt_sm(b"", message_payload=b"id:77 stat:EXPIRED err:0"))
    assert receipt(result).state is DeliveryState.EXPIRED
    assert receipt(result).message_id == "77"


def test_receipt_in_ucs2() -> None:
    """Some SMSCs send the receipt text in UCS-2."""
    data = "id:77 stat:UNDELIV err:0 text:Привет".encode("utf-16-be")
    result = receipt(parse_deliver_sm(receipt_sm(data, data_coding=8)))
    assert result.state is DeliveryState.UNDELIVERED
    assert result.text == "Привет"


def test_receipt_with_latin1_bytes() -> None:
    """A receipt whose text is not UTF-8 still parses."""
    result = receipt(parse_deliver_sm(receipt_sm(b"id:77 stat:DELIVRD err:0 text:caf\xe9")))
    assert result.text == "café"


def test_receipt_with_udh_is_stripped() -> None:
    """A report with UDHI set has its header removed before parsing."""
    result = parse_deliver_sm(receipt_sm(udh8(1, 1, 1) + b"id:77 stat:DELIVRD", esm_class=0x44))
    assert receipt(result).message_id == "77"


# ---------------------------------------------------------------------------------------------
# From the frame


def deliver_sm_frame(
    short_message: bytes,
    *,
    esm_class: int = 0,
    data_coding: int = 0,
    tlvs: bytes = b"",
    source: bytes = b"79001234567",
    destination: bytes = b"SMSC",
) -> bytes:
    """A deliver_sm frame as SMSC writes it (sequence 7)."""
    body = (
        b"\x00"
        + b"\x01\x01"
        + source
        + b"\x00"
        + b"\x05\x00"
        + destination
        + b"\x00"
        + bytes((esm_class, 0, 0))
        + b"\x00\x00"
        + bytes((0, 0, data_coding, 0, len(short_message)))
        + short_message
        + tlvs
    )
    return struct.pack(">IIII", 16 + len(body), 0x00000005, 0, 7) + body


def tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">HH", tag, len(value)) + value


def test_a_receipt_frame() -> None:
    """Addresses and TLVs become our types; an unknown TLV is skipped."""
    text = f"id:123 sub:001 dlvrd:001 {STD_DATES} stat:DELIVRD err:000 text:hi".encode()
    frame = deliver_sm_frame(
        text,
        esm_class=0x04,
        tlvs=tlv(0x001E, b"7B\x00") + tlv(0x1403, b"vendor") + tlv(0x0427, b"\x02"),
    )
    sm = read_deliver_sm(frame)
    assert sm == DeliverSm(
        esm_class=4,
        data_coding=0,
        short_message=text,
        source_addr="79001234567",
        destination_addr="SMSC",
        receipted_message_id="7B",
        message_state=2,
    )
    result = receipt(parse_deliver_sm(sm))
    assert result.lookup_keys == ("123",)
    assert result.state is DeliveryState.DELIVERED


def test_reads_what_smpplib_reads() -> None:
    """The same frame through smpplib's own parser gives the same fields."""
    frame = deliver_sm_frame(
        "Привет".encode("utf-16-be"),
        esm_class=0x40,
        data_coding=8,
        tlvs=tlv(0x020C, b"\x12\x34")
        + tlv(0x020E, b"\x02")
        + tlv(0x020F, b"\x01")
        + tlv(0x0424, b"payload")
        + tlv(0x001E, b"ABC\x00"),
    )
    client = SimpleNamespace(sequence=0, next_sequence=lambda: 1)  # only numbers PDUs
    pdu = smpplib.smpp.parse_pdu(frame, client=client, allow_unknown_opt_params=True)
    sm = read_deliver_sm(frame)
    assert (sm.esm_class, sm.data_coding, sm.short_message) == (
        pdu.esm_class,
        pdu.data_coding,
        pdu.short_message,
    )
    assert (sm.source_addr, sm.destination_addr) == (
        pdu.source_addr.decode(),
        pdu.destination_addr.decode(),
    )
    assert (sm.sar_msg_ref_num, sm.sar_total_segments, sm.sar_segment_seqnum) == (
        pdu.sar_msg_ref_num,
        pdu.sar_total_segments,
        pdu.sar_segment_seqnum,
    )
    assert sm.message_payload == pdu.message_payload
    assert sm.receipted_message_id == pdu.receipted_message_id.decode() == "ABC"


def test_a_string_tlv_without_its_nul_keeps_every_character() -> None:
    """smpplib cut the last octet of a string TLV, assuming a NUL; the frame's reader does not."""
    frame = deliver_sm_frame(
        b"id:855469 stat:DELIVRD err:000", esm_class=0x04, tlvs=tlv(0x001E, b"855469")
    )
    sm = read_deliver_sm(frame)
    assert sm.receipted_message_id == "855469"
    assert receipt(parse_deliver_sm(sm)).lookup_keys[0] == "855469"


def test_sar_tlvs_of_an_incoming_part() -> None:
    frame = deliver_sm_frame(
        "Привет".encode("utf-16-be"),
        data_coding=8,
        tlvs=tlv(0x020C, b"\x12\x34") + tlv(0x020E, b"\x02") + tlv(0x020F, b"\x01"),
    )
    incoming = part(parse_deliver_sm(read_deliver_sm(frame)))
    assert (incoming.reference_kind, incoming.reference) == ("sar", 0x1234)
    assert (incoming.total, incoming.sequence) == (2, 1)


def test_addresses_that_are_not_utf8() -> None:
    """An alphanumeric sender in another 8-bit alphabet is read as Latin-1, never refused."""
    sm = read_deliver_sm(deliver_sm_frame(b"hi", source=b"Caf\xe9"))
    assert sm.source_addr == "Café"


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(16, id="an empty body"),
        pytest.param(30, id="source_addr without its NUL"),
        pytest.param(52, id="short_message shorter than sm_length"),
        pytest.param(-3, id="a TLV longer than the rest"),
        pytest.param(-5, id="a TLV header cut off"),
    ],
)
def test_a_truncated_body_is_unparsable(cut: int) -> None:
    """The header is still known, so the session can answer it."""
    frame = deliver_sm_frame(b"id:1 stat:DELIVRD err:000", tlvs=tlv(0x0427, b"\x02\x00\x00"))
    body = frame[16:cut]
    truncated = struct.pack(">IIII", 16 + len(body), 0x00000005, 0, 7) + body
    with pytest.raises(UnparsablePdu) as err:
        read_deliver_sm(truncated)
    assert (err.value.command_id, err.value.sequence) == (0x00000005, 7)


@given(st.binary(max_size=200))
def test_fuzz_any_body_reads_or_is_unparsable(body: bytes) -> None:
    """Whatever SMSC writes, the reader gives a DeliverSm that parses, or UnparsablePdu."""
    frame = struct.pack(">IIII", 16 + len(body), 0x00000005, 0, 9) + body
    try:
        sm = read_deliver_sm(frame)
    except UnparsablePdu as err:
        unparsable = err
    else:
        result = parse_deliver_sm(sm)
        assert not (
            isinstance(result, UnparsedReport) and result.reason is UnparsedReason.PARSER_ERROR
        )
        return
    assert (unparsable.command_id, unparsable.sequence) == (0x00000005, 9)


def test_safety_net_catches_a_badly_built_deliver_sm() -> None:
    """Wrong types (a DeliverSm not built by the reader) end in PARSER_ERROR, not a raise."""
    bad = DeliverSm(esm_class=None, short_message="id:1")  # type: ignore[arg-type]
    result = parse_deliver_sm(bad)
    assert isinstance(result, UnparsedReport)
    assert result.reason is UnparsedReason.PARSER_ERROR
    assert "id:1" in result.raw


# ---------------------------------------------------------------------------------------------
# Fuzzing

any_int = st.one_of(st.integers(0, 255), st.integers(-(2**40), 2**40))
opt_int = st.none() | any_int
deliver_sms = st.builds(
    DeliverSm,
    esm_class=any_int,
    data_coding=any_int,
    short_message=st.one_of(st.binary(max_size=300), receipty_text.map(str.encode)),
    source_addr=st.text(max_size=21),
    destination_addr=st.text(max_size=21),
    receipted_message_id=st.none() | st.text(max_size=70),
    message_state=opt_int,
    message_payload=st.none() | st.binary(max_size=300),
    sar_msg_ref_num=opt_int,
    sar_total_segments=opt_int,
    sar_segment_seqnum=opt_int,
)


@given(deliver_sms)
@settings(max_examples=400, deadline=None)
def test_fuzz_parse_deliver_sm_never_raises(sm: DeliverSm) -> None:
    """Any input gives one of the result types, never via the safety net."""
    result = parse_deliver_sm(sm)
    assert isinstance(result, DeliveryReceipt | HlrResult | IncomingPart | UnparsedReport)
    if isinstance(result, UnparsedReport):
        assert result.reason is not UnparsedReason.PARSER_ERROR
    if isinstance(result, DeliveryReceipt | HlrResult):
        assert result.message_id
        assert result.lookup_keys
    if isinstance(result, IncomingPart):
        assert 1 <= result.sequence <= result.total <= 255
        assert isinstance(IncomingAssembler().feed(result), IncomingMessage | None)
