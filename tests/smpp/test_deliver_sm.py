"""Tests of deliver_sm classification and of reading smpplib's PDU."""

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
# From smpplib's PDU


def smpplib_deliver_sm(
    short_message: bytes, *, esm_class: int = 0, data_coding: int = 0, tlvs: bytes = b""
) -> Any:
    """Parse a deliver_sm with smpplib itself, as the session layer will receive it."""
    body = (
        b"\x00"
        + b"\x01\x01"
        + b"79001234567\x00"
        + b"\x05\x00"
        + b"SMSC\x00"
        + bytes((esm_class, 0, 0))
        + b"\x00\x00"
        + bytes((0, 0, data_coding, 0, len(short_message)))
        + short_message
        + tlvs
    )
    header = struct.pack(">IIII", 16 + len(body), 0x00000005, 0, 7)
    client = SimpleNamespace(sequence=0, next_sequence=lambda: 1)  # only numbers PDUs
    return smpplib.smpp.parse_pdu(header + body, client=client, allow_unknown_opt_params=True)


def tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">HH", tag, len(value)) + value


def test_from_smpplib_receipt() -> None:
    """smpplib gives bytes and ints; from_pdu turns them into our types."""
    pdu = smpplib_deliver_sm(
        f"id:123 sub:001 dlvrd:001 {STD_DATES} stat:DELIVRD err:000 text:hi".encode(),
        esm_class=0x04,
        tlvs=tlv(0x001E, b"7B\x00") + tlv(0x0427, b"\x02"),
    )
    assert isinstance(pdu.source_addr, bytes)
    assert isinstance(pdu.receipted_message_id, bytes)
    assert isinstance(pdu.message_state, int)
    sm = DeliverSm.from_pdu(pdu)
    assert sm == DeliverSm(
        esm_class=4,
        data_coding=0,
        short_message=pdu.short_message,
        source_addr="79001234567",
        destination_addr="SMSC",
        receipted_message_id="7B",
        message_state=2,
    )
    result = receipt(parse_deliver_sm(sm))
    assert result.lookup_keys == ("123",)
    assert result.state is DeliveryState.DELIVERED


def test_from_smpplib_tlv_without_nul_loses_a_character() -> None:
    """smpplib cuts the last octet of a string TLV; the text's id repairs it."""
    pdu = smpplib_deliver_sm(
        b"id:855469 stat:DELIVRD err:000", esm_class=0x04, tlvs=tlv(0x001E, b"855469")
    )
    assert pdu.receipted_message_id == b"85546"
    result = receipt(parse_deliver_sm(DeliverSm.from_pdu(pdu)))
    assert result.lookup_keys[0] == "855469"


def test_from_smpplib_sar_mo() -> None:
    """SAR TLVs come through from_pdu as ints."""
    pdu = smpplib_deliver_sm(
        "Привет".encode("utf-16-be"),
        data_coding=8,
        tlvs=tlv(0x020C, b"\x12\x34") + tlv(0x020E, b"\x02") + tlv(0x020F, b"\x01"),
    )
    incoming = part(parse_deliver_sm(DeliverSm.from_pdu(pdu)))
    assert (incoming.reference_kind, incoming.reference) == ("sar", 0x1234)
    assert (incoming.total, incoming.sequence) == (2, 1)


def test_from_pdu_accepts_str_and_missing_attributes() -> None:
    """Strings work as well as bytes; missing attributes are defaults."""
    sm = DeliverSm.from_pdu(
        SimpleNamespace(
            esm_class="4",
            short_message="id:5 stat:DELIVRD",
            source_addr="123\x00",
            receipted_message_id=b"5\x00",
        )
    )
    assert sm.esm_class == 4
    assert sm.short_message == b"id:5 stat:DELIVRD"
    assert sm.source_addr == "123"
    assert sm.destination_addr == ""
    assert sm.receipted_message_id == "5"
    assert sm.message_state is None
    assert sm.message_payload is None


def test_from_pdu_survives_hostile_object() -> None:
    """An object whose attributes raise gives an empty DeliverSm."""

    class Hostile:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError(name)

    assert DeliverSm.from_pdu(Hostile()) == DeliverSm()


def test_safety_net_catches_a_badly_built_deliver_sm() -> None:
    """Wrong types that bypass from_pdu end in PARSER_ERROR, not an exception."""
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


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "esm_class",
                "data_coding",
                "short_message",
                "source_addr",
                "destination_addr",
                "receipted_message_id",
                "message_state",
                "message_payload",
                "sar_msg_ref_num",
                "sar_total_segments",
                "sar_segment_seqnum",
            ]
        ),
        st.one_of(
            st.none(), st.integers(), st.binary(), st.text(), st.floats(), st.lists(st.integers())
        ),
    )
)
def test_fuzz_from_pdu_never_raises(attributes: dict[str, Any]) -> None:
    """Whatever the attributes hold, from_pdu builds a DeliverSm that parses."""
    sm = DeliverSm.from_pdu(SimpleNamespace(**attributes))
    assert isinstance(sm.short_message, bytes)
    assert isinstance(sm.esm_class, int)
    result = parse_deliver_sm(sm)
    assert not (isinstance(result, UnparsedReport) and result.reason is UnparsedReason.PARSER_ERROR)
