"""deliver_sm builders and strategies shared by the tests of the deliver_sm parsers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from custom_components.smsc.smpp.deliver_sm import DeliverSm
from custom_components.smsc.smpp.incoming import IncomingPart
from custom_components.smsc.smpp.receipts import DeliveryReceipt

STD_DATES = "submit date:2301151230 done date:2301151231"


def receipt_sm(text: str | bytes, **kwargs: Any) -> DeliverSm:
    """A deliver_sm carrying an SMSC delivery receipt."""
    data = text.encode() if isinstance(text, str) else text
    fields: dict[str, Any] = {
        "esm_class": 0x04,
        "source_addr": "79001234567",
        "destination_addr": "SMSC",
    }
    fields.update(kwargs)
    return DeliverSm(short_message=data, **fields)


def mo_sm(data: bytes, **kwargs: Any) -> DeliverSm:
    """A deliver_sm carrying an incoming SMS."""
    fields: dict[str, Any] = {
        "esm_class": 0x00,
        "source_addr": "79001234567",
        "destination_addr": "SMSC",
    }
    fields.update(kwargs)
    return DeliverSm(short_message=data, **fields)


def udh8(ref: int, total: int, seq: int) -> bytes:
    return bytes((5, 0x00, 3, ref, total, seq))


def udh16(ref: int, total: int, seq: int) -> bytes:
    return bytes((6, 0x08, 4, ref >> 8, ref & 0xFF, total, seq))


def part(result: object) -> IncomingPart:
    assert isinstance(result, IncomingPart), result
    return result


def receipt(result: object) -> DeliveryReceipt:
    assert isinstance(result, DeliveryReceipt), result
    return result


receipt_words = st.sampled_from(
    [
        "id:",
        "ID:",
        "stat:",
        "err:",
        "sub:",
        "dlvrd:",
        "submit date:",
        "done date:",
        "text:",
        "imsi:",
        "cn:",
        "rcn:",
        "DELIVRD",
        "UNDELIV",
        "0x",
        "%D0",
        "%",
        "+",
        " ",
        "\x00",
        "7B",
        "12",
    ]
)
receipty_text = st.lists(st.one_of(receipt_words, st.text(max_size=8)), max_size=20).map("".join)
