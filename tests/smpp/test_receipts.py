"""Tests of deliver_sm parsing: receipts, HLR results, incoming SMS and their assembly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import struct
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
import smpplib.smpp

from custom_components.smsc.smpp.gsm import gsm_encode
from custom_components.smsc.smpp.receipts import (
    MESSAGE_STATES,
    DeliverSm,
    DeliveryReceipt,
    DeliveryState,
    FailureTally,
    HlrResult,
    IncomingAssembler,
    IncomingMessage,
    IncomingPart,
    UnparsedReason,
    UnparsedReport,
    decode_short_message,
    message_id_keys,
    normalize_message_id,
    parse_deliver_sm,
    parse_receipt,
    parse_receipt_date,
    state_from_stat,
)

PROVIDER_HLR = (
    "id:855469 stat:DELIVRD err:000 imsi:250023012345678 msc:79232510066 mcc:250 mnc:02 "
    "cn:Russian+Federation net:MegaFON+open+Joint+Stock+Company rcn: rnet:"
)
D_SUBMIT = datetime(2023, 1, 15, 12, 30, tzinfo=UTC)
D_DONE = datetime(2023, 1, 15, 12, 31, tzinfo=UTC)
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


# ---------------------------------------------------------------------------------------------
# Receipt text: a table of real-world variants


@dataclass(frozen=True)
class Expect:
    message_id: str
    first_key: str
    state: DeliveryState
    stat: str
    error_code: int | None = 0
    submitted: int | None = None
    delivered: int | None = None
    submit_date: datetime | None = None
    done_date: datetime | None = None
    text: str | None = None


RECEIPT_CASES = [
    pytest.param(
        f"id:1234567890 sub:001 dlvrd:001 {STD_DATES} stat:DELIVRD err:000 text:Hello",
        {},
        Expect(
            "1234567890",
            "1234567890",
            DeliveryState.DELIVERED,
            "DELIVRD",
            0,
            1,
            1,
            D_SUBMIT,
            D_DONE,
            "Hello",
        ),
        id="standard-lowercase",
    ),
    pytest.param(
        "ID:42 SUB:001 DLVRD:000 SUBMIT DATE:2301151230 DONE DATE:2301151231 STAT:UNDELIV "
        "ERR:013 TEXT:abc",
        {},
        Expect("42", "42", DeliveryState.UNDELIVERED, "UNDELIV", 13, 1, 0, D_SUBMIT, D_DONE, "abc"),
        id="uppercase-keys",
    ),
    pytest.param(
        "Id:42 Sub:001 Dlvrd:001 Submit Date:2301151230 Done Date:2301151231 Stat:delivrd Err:0",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, D_SUBMIT, D_DONE, None),
        id="mixed-case-lowercase-stat",
    ),
    pytest.param(
        f"id:42 sub:001 dlvrd:001 {STD_DATES} stat:DELIVRD err:000",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, D_SUBMIT, D_DONE, None),
        id="missing-text",
    ),
    pytest.param(
        "id:42 stat:EXPIRED err:027",
        {},
        Expect("42", "42", DeliveryState.EXPIRED, "EXPIRED", 27),
        id="missing-dates-and-counts",
    ),
    pytest.param(
        "id:42 sub:001 dlvrd:001 submit date:230115123005 done date:230115123159 stat:DELIVRD "
        "err:000 text:",
        {},
        Expect(
            "42",
            "42",
            DeliveryState.DELIVERED,
            "DELIVRD",
            0,
            1,
            1,
            datetime(2023, 1, 15, 12, 30, 5, tzinfo=UTC),
            datetime(2023, 1, 15, 12, 31, 59, tzinfo=UTC),
            "",
        ),
        id="dates-with-seconds",
    ),
    pytest.param(
        "id:20230115123005 submit date:20230115123005 stat:ACCEPTD err:0",
        {},
        Expect(
            "20230115123005",
            "20230115123005",
            DeliveryState.ACCEPTED,
            "ACCEPTD",
            0,
            submit_date=datetime(2023, 1, 15, 12, 30, 5, tzinfo=UTC),
        ),
        id="four-digit-year-date",
    ),
    pytest.param(
        f"id:1A2B3C sub:001 dlvrd:001 {STD_DATES} stat:DELIVRD err:000 text:x",
        {},
        Expect(
            "1A2B3C", "1715004", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, D_SUBMIT, D_DONE, "x"
        ),
        id="hex-id",
    ),
    pytest.param(
        "id:855469 stat:DELIVRD err:000",
        {},
        Expect("855469", "855469", DeliveryState.DELIVERED, "DELIVRD"),
        id="decimal-id",
    ),
    pytest.param(
        "id:0000855469 stat:REJECTD err:000",
        {},
        Expect("0000855469", "855469", DeliveryState.REJECTED, "REJECTD"),
        id="leading-zeros",
    ),
    pytest.param(
        "sub:001 dlvrd:001 stat:DELIVRD err:000 text:hi",
        {"receipted_message_id": "855469"},
        Expect("855469", "855469", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, text="hi"),
        id="tlv-only-id",
    ),
    pytest.param(
        "id:111 stat:DELIVRD err:000",
        {"receipted_message_id": "222"},
        Expect("222", "222", DeliveryState.DELIVERED, "DELIVRD"),
        id="tlv-id-wins",
    ),
    pytest.param(
        "id:123 stat:DELIVRD err:000",
        {"receipted_message_id": "7B\x00"},
        Expect("7B", "123", DeliveryState.DELIVERED, "DELIVRD"),
        id="tlv-hex-text-decimal",
    ),
    pytest.param(
        "id:855469 stat:DELIVRD err:000",
        {"receipted_message_id": "85546"},
        Expect("855469", "855469", DeliveryState.DELIVERED, "DELIVRD"),
        id="tlv-cut-by-smpplib",
    ),
    pytest.param(
        "",
        {"receipted_message_id": "855469", "message_state": 5},
        Expect("855469", "855469", DeliveryState.UNDELIVERED, "UNDELIV", None),
        id="message-state-only",
    ),
    pytest.param(
        "id:42 stat:UNDELIV err:000",
        {"message_state": 2},
        Expect("42", "42", DeliveryState.DELIVERED, "UNDELIV"),
        id="message-state-wins-over-text",
    ),
    pytest.param(
        "id:42 stat:DELIVRD err:000",
        {"message_state": 7},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD"),
        id="tlv-unknown-does-not-hide-text-state",
    ),
    pytest.param(
        "id:42 sub:001 dlvrd:001 stat:DELIVRD err:000 Text:  Your code is 1234  ",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, text="Your code is 1234"),
        id="text-capitalised-with-spaces",
    ),
    pytest.param(
        "id:42 stat:DELIVRD err:000 text:id:999 stat:UNDELIV err:555",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", text="id:999 stat:UNDELIV err:555"),
        id="keys-inside-text-ignored",
    ),
    pytest.param(
        "id:42 stat:DELIVRD err:000 ;garbage=1 \x00\x00",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD"),
        id="trailing-garbage",
    ),
    pytest.param(
        "  id: 42   sub: 001  dlvrd:001  submit   date:2301151230  done  date : 2301151231 "
        " stat : DELIVRD  err: 000  ",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", 0, 1, 1, D_SUBMIT, D_DONE),
        id="extra-spaces",
    ),
    pytest.param(
        "stat:DELIVRD id:42 err:000 submit_date:2301151230 done_date:2301151231",
        {},
        Expect("42", "42", DeliveryState.DELIVERED, "DELIVRD", 0, None, None, D_SUBMIT, D_DONE),
        id="reordered-and-underscored",
    ),
    pytest.param(
        "id:42 stat:WEIRD err:000",
        {},
        Expect("42", "42", DeliveryState.UNKNOWN, "WEIRD"),
        id="unknown-stat",
    ),
    pytest.param(
        "id:42 err:000",
        {},
        Expect("42", "42", DeliveryState.UNKNOWN, ""),
        id="missing-stat",
    ),
    pytest.param(
        "id:42 submit date:2313451299 done date:23011512 stat:UNDELIV err:0x0B",
        {},
        Expect("42", "42", DeliveryState.UNDELIVERED, "UNDELIV", 11),
        id="impossible-dates-hex-err",
    ),
    pytest.param(
        "id:42 sub:x dlvrd:-1 stat:DELETED err:none",
        {},
        Expect("42", "42", DeliveryState.DELETED, "DELETED", None),
        id="malformed-counts-and-err",
    ),
]


@pytest.mark.parametrize(("text", "tlvs", "expected"), RECEIPT_CASES)
def test_receipt_variants(text: str, tlvs: dict[str, Any], expected: Expect) -> None:
    """Each variant parses to the expected fields, through parse_deliver_sm."""
    result = receipt(parse_deliver_sm(receipt_sm(text, **tlvs)))
    assert result.message_id == expected.message_id
    assert result.lookup_keys[0] == expected.first_key
    assert result.state is expected.state
    assert result.stat == expected.stat
    assert result.error_code == expected.error_code
    assert result.submitted == expected.submitted
    assert result.delivered == expected.delivered
    assert result.submit_date == expected.submit_date
    assert result.done_date == expected.done_date
    assert result.text == expected.text
    assert result.raw == text.replace("\x00", "")


def test_receipt_dates_are_aware_utc() -> None:
    """Dates are timezone-aware UTC by default."""
    result = receipt(parse_receipt(f"id:1 {STD_DATES} stat:DELIVRD"))
    assert result.submit_date is not None
    assert result.submit_date.tzinfo is UTC
    assert result.submit_date.utcoffset() is not None


def test_receipt_tz_converts_to_utc() -> None:
    """A zone for the SMSC's clock shifts the dates, which still come out in UTC."""
    result = receipt(
        parse_receipt(f"id:1 {STD_DATES} stat:DELIVRD", receipt_tz=ZoneInfo("Europe/Moscow"))
    )
    assert result.submit_date == datetime(2023, 1, 15, 9, 30, tzinfo=UTC)
    assert result.done_date == datetime(2023, 1, 15, 9, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2301151230", datetime(2023, 1, 15, 12, 30, tzinfo=UTC)),
        ("230115123059", datetime(2023, 1, 15, 12, 30, 59, tzinfo=UTC)),
        ("20991231235959", datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2302301230", None),  # 30 February
        ("2301152460", None),
        ("23011512", None),
        ("230115123", None),
        ("", None),
        (
            "\uff12\uff13\uff10\uff11\uff11\uff15\uff11\uff12\uff13\uff10",
            None,
        ),  # fullwidth digits are not digits here
        ("abcdefghij", None),
    ],
)
def test_parse_receipt_date(value: str, expected: datetime | None) -> None:
    """Receipt dates in their three lengths; anything else is None."""
    assert parse_receipt_date(value) == expected


@pytest.mark.parametrize(
    ("stat", "state"),
    [
        ("DELIVRD", DeliveryState.DELIVERED),
        ("UNDELIV", DeliveryState.UNDELIVERED),
        ("EXPIRED", DeliveryState.EXPIRED),
        ("REJECTD", DeliveryState.REJECTED),
        ("DELETED", DeliveryState.DELETED),
        ("UNKNOWN", DeliveryState.UNKNOWN),
        ("ACCEPTD", DeliveryState.ACCEPTED),
        ("ENROUTE", DeliveryState.ENROUTE),
        ("delivered", DeliveryState.DELIVERED),
        (" undeliverable ", DeliveryState.UNDELIVERED),
        ("rejected", DeliveryState.REJECTED),
        ("DELIVRD2", DeliveryState.UNKNOWN),
        ("", DeliveryState.UNKNOWN),
        ("OK", DeliveryState.UNKNOWN),
    ],
)
def test_state_from_stat(stat: str, state: DeliveryState) -> None:
    """Every SMPP stat maps to its state; anything else is unknown."""
    assert state_from_stat(stat) is state
    assert receipt(parse_receipt(f"id:1 stat:{stat}")).state is state


@pytest.mark.parametrize(
    ("value", "state", "stat"),
    [
        (1, DeliveryState.ENROUTE, "ENROUTE"),
        (2, DeliveryState.DELIVERED, "DELIVRD"),
        (3, DeliveryState.EXPIRED, "EXPIRED"),
        (4, DeliveryState.DELETED, "DELETED"),
        (5, DeliveryState.UNDELIVERED, "UNDELIV"),
        (6, DeliveryState.ACCEPTED, "ACCEPTD"),
        (7, DeliveryState.UNKNOWN, "UNKNOWN"),
        (8, DeliveryState.REJECTED, "REJECTD"),
        (0, DeliveryState.UNKNOWN, ""),
        (9, DeliveryState.UNKNOWN, ""),
        (255, DeliveryState.UNKNOWN, ""),
    ],
)
def test_message_state_tlv(value: int, state: DeliveryState, stat: str) -> None:
    """message_state 1..8 maps to its state; other values are unknown."""
    result = receipt(
        parse_deliver_sm(receipt_sm(b"", receipted_message_id="9", message_state=value))
    )
    assert result.state is state
    assert result.stat == stat
    assert MESSAGE_STATES.get(value, DeliveryState.UNKNOWN) is state


def test_final_states() -> None:
    """Final states are the ones after which no report is expected."""
    final = {state for state in DeliveryState if state.is_final}
    assert final == {
        DeliveryState.DELIVERED,
        DeliveryState.UNDELIVERED,
        DeliveryState.EXPIRED,
        DeliveryState.REJECTED,
        DeliveryState.DELETED,
    }


@pytest.mark.parametrize(
    "text",
    ["", "garbage", "stat:DELIVRD err:000", "id: stat:DELIVRD", "text:id:5 stat:DELIVRD", "\x00"],
)
def test_receipt_without_id_is_unparsed(text: str) -> None:
    """A report without any id is an UnparsedReport that names the sender for the log."""
    result = parse_deliver_sm(receipt_sm(text))
    assert isinstance(result, UnparsedReport)
    assert result.reason is UnparsedReason.NO_MESSAGE_ID
    assert result.esm_class == 0x04
    assert result.source == "79001234567"
    assert result.raw == text.replace("\x00", "")


def test_unparsed_preview_is_bounded() -> None:
    """The preview for the log is at most 200 characters."""
    result = parse_deliver_sm(receipt_sm("x" * 5000))
    assert isinstance(result, UnparsedReport)
    assert len(result.raw) == 200


# ---------------------------------------------------------------------------------------------
# HLR results


def test_hlr_provider_example() -> None:
    """The example from SMSC's documentation, exactly."""
    result = parse_deliver_sm(receipt_sm(PROVIDER_HLR))
    assert result == HlrResult(
        message_id="855469",
        lookup_keys=("855469", "8737897"),
        stat="DELIVRD",
        state=DeliveryState.DELIVERED,
        error_code=0,
        imsi="250023012345678",
        msc="79232510066",
        mcc="250",
        mnc="02",
        country="Russian Federation",
        network="MegaFON open Joint Stock Company",
        roaming_country=None,
        roaming_network=None,
        roaming=False,
        raw=PROVIDER_HLR,
    )


def test_hlr_roaming_with_utf8_percent_escapes() -> None:
    """Cyrillic in UTF-8 %-escapes and a roaming network."""
    text = (
        "id:855470 stat:DELIVRD err:000 imsi:250011234567890 msc:905320000000 mcc:250 mnc:01 "
        "cn:%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F "
        "net:%D0%9C%D0%B5%D0%B3%D0%B0%D0%A4%D0%BE%D0%BD+%28PJSC%29 "
        "rcn:T%C3%BCrkiye rnet:Turkcell+%C4%B0leti%C5%9Fim"
    )
    result = parse_receipt(text)
    assert isinstance(result, HlrResult)
    assert result.country == "Россия"
    assert result.network == "МегаФон (PJSC)"
    assert result.roaming_country == "Türkiye"
    assert result.roaming_network == "Turkcell İletişim"
    assert result.roaming is True
    assert result.mnc == "01"


def test_hlr_cp1251_percent_escapes() -> None:
    """Windows-1251 %-escapes (not UTF-8) still decode."""
    result = parse_receipt(
        "id:1 stat:DELIVRD err:000 imsi:1 msc:1 mcc:250 mnc:99 "
        "cn:%D0%EE%F1%F1%E8%FF net:%C1%E8%EB%E0%E9%ED rcn: rnet:"
    )
    assert isinstance(result, HlrResult)
    assert result.country == "Россия"
    assert result.network == "Билайн"
    assert result.roaming is False


def test_hlr_roaming_fields_equal_to_home_mean_home() -> None:
    """Roaming fields repeating the home ones do not mean roaming; a national one does."""
    home = parse_receipt(
        "id:1 stat:DELIVRD err:0 imsi:1 msc:1 mcc:250 mnc:02 cn:RU net:MegaFon rcn:RU rnet:MegaFon"
    )
    national = parse_receipt(
        "id:1 stat:DELIVRD err:0 imsi:1 msc:1 mcc:250 mnc:02 cn:RU net:MegaFon rcn:RU rnet:MTS"
    )
    assert isinstance(home, HlrResult)
    assert isinstance(national, HlrResult)
    assert home.roaming is False
    assert national.roaming is True


def test_hlr_unreachable_subscriber() -> None:
    """An unreachable subscriber: stat and err tell, empty fields are None."""
    result = parse_receipt(
        "ID:855471 STAT:UNDELIV ERR:001 IMSI: MSC: MCC: MNC: CN: NET: RCN: RNET:"
    )
    assert isinstance(result, HlrResult)
    assert result.state is DeliveryState.UNDELIVERED
    assert result.error_code == 1
    assert (result.imsi, result.msc, result.mcc, result.mnc) == (None, None, None, None)
    assert (result.country, result.network) == (None, None)
    assert result.roaming is False


def test_hlr_with_tlv_id() -> None:
    """TLVs apply to HLR results as to receipts."""
    result = parse_deliver_sm(receipt_sm(PROVIDER_HLR, receipted_message_id="D0DAE"))
    assert isinstance(result, HlrResult)
    assert result.message_id == "D0DAE"
    assert result.lookup_keys == ("855470",)


# ---------------------------------------------------------------------------------------------
# Message ids


@pytest.mark.parametrize(
    ("raw", "hint", "expected"),
    [
        ("855469", "auto", "855469"),
        ("00855469", "auto", "855469"),
        (" 855469\x00", "auto", "855469"),
        ("0", "auto", "0"),
        ("000", "auto", "0"),
        ("D0DAD", "auto", "855469"),
        ("d0dad", "auto", "855469"),
        ("0xD0DAD", "auto", "855469"),
        ("855469", "hex", str(0x855469)),
        ("D0DAD", "decimal", "D0DAD"),
        ("855469", "decimal", "855469"),
        ("abc-def", "auto", "abc-def"),
        ("0x", "auto", "0x"),
        ("1_000", "auto", "1_000"),
        ("١٢٣", "auto", "١٢٣"),  # Arabic-Indic digits are not an SMPP id number
        ("", "auto", ""),
        ("9" * 70, "auto", "9" * 70),
    ],
)
def test_normalize_message_id(raw: str, hint: Any, expected: str) -> None:
    """Canonical ids are decimal without leading zeros; others come back stripped."""
    assert normalize_message_id(raw, hint=hint) == expected


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("855469", ("855469", str(0x855469))),
        ("0000855469", ("855469", str(0x855469))),
        ("7", ("7",)),  # the same number in both bases
        ("10", ("10", "16")),
        ("D0DAD", ("855469",)),
        ("0xd0dad", ("855469",)),
        ("msg-1", ("msg-1",)),
        ("", ()),
        ("  ", ()),
    ],
)
def test_message_id_keys(raw: str, keys: tuple[str, ...]) -> None:
    """Digits: decimal first, then hex; hex letters: hex; others verbatim."""
    assert message_id_keys(raw) == keys


def test_message_id_keys_huge_input_is_verbatim() -> None:
    """Over-long digit strings are not converted (no int() denial of service)."""
    raw = "1" * 10_000
    assert message_id_keys(raw) == (raw,)
    assert normalize_message_id(raw) == raw


@pytest.mark.parametrize(
    "receipt_id", ["855469", "0000855469", "D0DAD", "d0dad", "000D0DAD", "0xD0DAD"]
)
def test_receipt_finds_sent_message(receipt_id: str) -> None:
    """The tracker's recipe: store under normalize_message_id, look keys up in order."""
    sent = {normalize_message_id("855469"): "msg A", normalize_message_id("855470"): "msg B"}
    result = receipt(parse_receipt(f"id:{receipt_id} stat:DELIVRD err:000"))
    found = next((sent[key] for key in result.lookup_keys if key in sent), None)
    assert found == "msg A"


def test_tlv_id_in_hex_finds_decimal_sent_message() -> None:
    """A hex receipted_message_id matches the decimal submit_sm_resp id."""
    sent = {normalize_message_id("855469"): "msg A"}
    result = receipt(parse_deliver_sm(receipt_sm(b"stat:DELIVRD", receipted_message_id="0d0dad")))
    assert [key for key in result.lookup_keys if key in sent] == ["855469"]


def test_decimal_reading_tried_before_hex() -> None:
    """With both readings pending, the decimal one is found first."""
    sent = {"10": "decimal", "16": "hex"}
    result = receipt(parse_receipt("id:10 stat:DELIVRD"))
    assert next(sent[key] for key in result.lookup_keys if key in sent) == "decimal"


# ---------------------------------------------------------------------------------------------
# Classification


@pytest.mark.parametrize("esm_class", [0x04, 0x08, 0x20, 0x04 | 0x03, 0x04 | 0x80])
def test_report_esm_classes(esm_class: int) -> None:
    """Receipt, SME acknowledgement and intermediate notification are reports."""
    result = parse_deliver_sm(receipt_sm("id:5 stat:ENROUTE err:0", esm_class=esm_class))
    assert receipt(result).state is DeliveryState.ENROUTE


@pytest.mark.parametrize("esm_class", [0x00, 0x03, 0x10, 0x18, 0x80])
def test_receipt_looking_mo_stays_mo(esm_class: int) -> None:
    """A subscriber's text that looks like a receipt is still an incoming SMS."""
    result = parse_deliver_sm(mo_sm(b"id:5 stat:DELIVRD err:0", esm_class=esm_class))
    assert part(result).payload == b"id:5 stat:DELIVRD err:0"


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
# Decoding


@pytest.mark.parametrize(
    ("data", "data_coding", "expected"),
    [
        (gsm_encode("Hello @£$ {x} €5"), 0, "Hello @£$ {x} €5"),
        (b"Hello \x80", 1, "Hello \ufffd"),
        (b"\x00\xff", 2, "\x00ÿ"),
        ("café déjà".encode("latin-1"), 3, "café déjà"),
        ("Grüße".encode("latin-1"), 4, "Grüße"),
        ("Привет".encode("iso8859_5"), 6, "Привет"),
        ("שלום".encode("iso8859_8"), 7, "שלום"),
        ("Привет 😀 мир".encode("utf-16-be"), 8, "Привет 😀 мир"),
        ("Привет".encode("utf-16-be")[:-1], 8, "Приве\ufffd"),  # odd length
        (b"\xd8\x3d\x00A", 8, "\ufffdA"),  # lone high surrogate
        (b"\xde\x00\x00A", 8, "\ufffdA"),  # lone low surrogate
        (b"\xe9", 9, "é"),  # pictogram: unknown, shown as Latin-1
        ("日本".encode("iso2022_jp"), 10, "日本"),
        ("한국".encode("euc_kr"), 14, "한국"),
        (gsm_encode("Flash"), 0x10, "Flash"),  # GSM coding group, class 0, 7-bit
        (b"\xe9", 0x14, "é"),  # GSM coding group, 8-bit
        ("Вспышка".encode("utf-16-be"), 0x18, "Вспышка"),  # GSM coding group, class 0, UCS-2
        (b"\xe9", 0x30, "é"),  # compressed
        (gsm_encode("Voice"), 0xC8, "Voice"),
        ("Почта".encode("utf-16-be"), 0xE0, "Почта"),
        (gsm_encode("Class"), 0xF1, "Class"),
        (b"\xe9", 0xF5, "é"),
        (b"\xe9", 300, "é"),
        (b"\xe9", -1, "é"),
    ],
)
def test_decode_short_message(data: bytes, data_coding: int, expected: str) -> None:
    """Every data_coding decodes as documented."""
    assert decode_short_message(data, data_coding) == expected


def test_decode_every_data_coding_never_raises() -> None:
    """All 256 values, over all 256 octets, give text."""
    data = bytes(range(256))
    for data_coding in range(256):
        assert isinstance(decode_short_message(data, data_coding), str)
        assert isinstance(decode_short_message(data[1:], data_coding), str)


# ---------------------------------------------------------------------------------------------
# Incoming SMS and assembly


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_single_part_is_returned_at_once() -> None:
    """A plain SMS comes back from the first feed."""
    assembler = IncomingAssembler()
    message = assembler.feed(part(parse_deliver_sm(mo_sm(gsm_encode("Hi @home")))))
    assert message == IncomingMessage(
        source="79001234567", destination="SMSC", text="Hi @home", data_coding=0, parts=1
    )
    assert assembler.pending == 0


def test_single_part_ucs2_from_message_payload() -> None:
    """An incoming SMS in message_payload."""
    sm = mo_sm(b"", data_coding=8, message_payload="Привет".encode("utf-16-be"))
    message = IncomingAssembler().feed(part(parse_deliver_sm(sm)))
    assert message is not None
    assert message.text == "Привет"


def test_cyrillic_ucs2_three_parts_out_of_order_split_surrogate() -> None:
    """Bytes are joined before decoding: a split surrogate pair and an odd split survive."""
    text = "Привет, это длинное сообщение 😀 и эмодзи, и ещё немного текста в конце."
    data = text.encode("utf-16-be")
    emoji = data.index("😀".encode("utf-16-be"))
    cut1 = emoji + 2  # between the high and the low surrogate
    cut2 = cut1 + 41  # in the middle of a UCS-2 code unit
    chunks = [data[:cut1], data[cut1:cut2], data[cut2:]]
    assembler = IncomingAssembler()
    results = [
        assembler.feed(
            part(
                parse_deliver_sm(
                    mo_sm(udh8(0xA7, 3, seq) + chunks[seq - 1], esm_class=0x40, data_coding=8)
                )
            )
        )
        for seq in (3, 1, 2)
    ]
    assert results[:2] == [None, None]
    message = results[2]
    assert message is not None
    assert message.text == text
    assert (message.parts, message.data_coding) == (3, 8)
    assert assembler.pending == 0
    assert assembler.pending_bytes == 0


def test_gsm_escape_split_across_parts() -> None:
    """An escape septet at the end of one part applies to the first septet of the next."""
    text = "Price: 5€ [x] {y} ~ ^|\\"
    data = gsm_encode(text)
    cut = data.index(0x1B) + 1  # right after the escape of €
    assembler = IncomingAssembler()
    first = assembler.feed(
        part(parse_deliver_sm(mo_sm(udh8(9, 2, 1) + data[:cut], esm_class=0x40)))
    )
    second = assembler.feed(
        part(parse_deliver_sm(mo_sm(udh8(9, 2, 2) + data[cut:], esm_class=0x40)))
    )
    assert first is None
    assert second is not None
    assert second.text == text


def test_16_bit_references_keep_sets_apart() -> None:
    """Two interleaved sets with 16-bit references, and an 8-bit set with a colliding number."""
    assembler = IncomingAssembler()
    feeds = [
        (udh16(0x1234, 2, 1), b"AB"),
        (udh16(0x1235, 2, 2), b"YZ"),
        (udh8(0x34, 2, 1), b"12"),
        (udh16(0x1235, 2, 1), b"WX"),
        (udh16(0x1234, 2, 2), b"CD"),
        (udh8(0x34, 2, 2), b"34"),
    ]
    texts = []
    for header, body in feeds:
        message = assembler.feed(part(parse_deliver_sm(mo_sm(header + body, esm_class=0x40))))
        if message is not None:
            texts.append(message.text)
    assert texts == ["WXYZ", "ABCD", "1234"]
    assert assembler.pending == 0


def test_same_reference_from_two_senders() -> None:
    """Sets are per sender."""
    assembler = IncomingAssembler()
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40)))) is None
    )
    other = mo_sm(udh8(1, 2, 2) + b"X", esm_class=0x40, source_addr="79990000000")
    assert assembler.feed(part(parse_deliver_sm(other))) is None
    assert assembler.pending == 2
    done = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 2) + b"b", esm_class=0x40))))
    assert done is not None
    assert (done.text, done.source) == ("ab", "79001234567")


def test_sar_tlvs() -> None:
    """Concatenation given by SAR TLVs instead of a UDH."""
    assembler = IncomingAssembler()
    results = [
        assembler.feed(
            part(
                parse_deliver_sm(
                    mo_sm(
                        body,
                        data_coding=3,
                        sar_msg_ref_num=0xBEEF,
                        sar_total_segments=2,
                        sar_segment_seqnum=seq,
                    )
                )
            )
        )
        for seq, body in ((2, "déjà vu".encode("latin-1")), (1, b"Bonjour "))
    ]
    assert results[0] is None
    assert results[1] is not None
    assert results[1].text == "Bonjour déjà vu"


def test_other_ieis_are_skipped() -> None:
    """A port-addressing IE before the concatenation IE is skipped."""
    header = bytes((11, 0x05, 4, 0x0B, 0x84, 0x23, 0xF0, 0x00, 3, 0x42, 2, 1))
    result = part(parse_deliver_sm(mo_sm(header + b"abc", esm_class=0x40)))
    assert (result.reference, result.total, result.sequence) == (0x42, 2, 1)
    assert result.payload == b"abc"


def test_udh_without_concatenation_is_single() -> None:
    """A UDH with no concatenation IE: stripped, one part."""
    result = part(parse_deliver_sm(mo_sm(bytes((4, 0x05, 2, 0x10, 0x20)) + b"hi", esm_class=0x40)))
    assert (result.payload, result.reference, result.total) == (b"hi", None, 1)
    message = IncomingAssembler().feed(result)
    assert message is not None
    assert message.text == "hi"


@pytest.mark.parametrize("data", [b"", b"\x05\x00\x03", b"\xff" + b"x" * 10])
def test_bad_udh_is_unparsed(data: bytes) -> None:
    """A UDH longer than the message is reported, not guessed at."""
    result = parse_deliver_sm(mo_sm(data, esm_class=0x40))
    assert isinstance(result, UnparsedReport)
    assert result.reason is UnparsedReason.BAD_UDH
    assert result.raw == data.hex()


def test_truncated_ie_inside_header() -> None:
    """An IE running past the header's end is ignored, the header still stripped."""
    result = part(parse_deliver_sm(mo_sm(bytes((3, 0x00, 3, 7)) + b"ok", esm_class=0x40)))
    assert (result.payload, result.total) == (b"ok", 1)


@pytest.mark.parametrize(("total", "seq"), [(2, 0), (2, 3), (0, 0), (1, 1)])
def test_nonsense_concatenation_gives_single(total: int, seq: int) -> None:
    """Sequence numbers outside 1..total: the part is delivered on its own."""
    result = part(parse_deliver_sm(mo_sm(udh8(3, total, seq) + b"lone", esm_class=0x40)))
    assert (result.reference, result.total, result.sequence) == (None, 1, 1)
    message = IncomingAssembler().feed(result)
    assert message is not None
    assert message.text == "lone"


def test_duplicate_part_is_ignored() -> None:
    """A repeated deliver_sm of a part does not overwrite or complete a set."""
    assembler = IncomingAssembler()
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 1) + b"one ", esm_class=0x40))))
        is None
    )
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 1) + b"ONE ", esm_class=0x40))))
        is None
    )
    message = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 2) + b"two", esm_class=0x40))))
    assert message is not None
    assert message.text == "one two"


def test_parts_in_different_codings() -> None:
    """Parts whose data_coding differs are decoded one by one."""
    assembler = IncomingAssembler()
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(6, 2, 1) + gsm_encode("Hi "), esm_class=0x40))))
    message = assembler.feed(
        part(
            parse_deliver_sm(
                mo_sm(udh8(6, 2, 2) + "мир".encode("utf-16-be"), esm_class=0x40, data_coding=8)
            )
        )
    )
    assert message is not None
    assert message.text == "Hi мир"


def test_expiry() -> None:
    """An incomplete set goes after max_age; a late part then starts a new set."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_age=600, clock=clock)
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40))))
    clock.now += 599
    assert assembler.expire() == 0
    assert assembler.pending == 1
    clock.now += 1
    assert assembler.expire() == 1
    assert (assembler.pending, assembler.expired, assembler.pending_bytes) == (0, 1, 0)
    late = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 2) + b"b", esm_class=0x40))))
    assert late is None
    assert assembler.pending == 1


def test_expiry_happens_on_feed() -> None:
    """Feeding expires old sets without an explicit expire() call."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_age=10, clock=clock)
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40))))
    clock.now += 11
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(2, 2, 1) + b"b", esm_class=0x40))))
    assert (assembler.pending, assembler.expired) == (1, 1)


def test_max_pending_evicts_oldest() -> None:
    """Beyond max_pending sets the oldest goes; the newest still completes."""
    assembler = IncomingAssembler(max_pending=3)
    for ref in range(5):
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(ref, 2, 1) + b"x", esm_class=0x40))))
    assert (assembler.pending, assembler.evicted) == (3, 2)
    evicted = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(0, 2, 2) + b"y", esm_class=0x40))))
    assert evicted is None
    kept = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(4, 2, 2) + b"y", esm_class=0x40))))
    assert kept is not None
    assert kept.text == "xy"


def test_max_bytes_evicts_oldest() -> None:
    """Held octets stay within max_bytes."""
    assembler = IncomingAssembler(max_bytes=250)
    for ref in range(3):
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(ref, 2, 1) + b"x" * 100, esm_class=0x40))))
    assert assembler.pending_bytes <= 250
    assert (assembler.pending, assembler.evicted) == (2, 1)


def test_clear() -> None:
    """clear() forgets everything."""
    assembler = IncomingAssembler()
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"x", esm_class=0x40))))
    assembler.clear()
    assert (assembler.pending, assembler.pending_bytes, assembler.expired) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Logging once


def test_failure_tally_reports_each_kind_once() -> None:
    """The first failure of a kind is new, later ones only counted."""
    tally = FailureTally()
    assert tally.record(UnparsedReason.NO_MESSAGE_ID) is True
    assert tally.record(UnparsedReason.NO_MESSAGE_ID) is False
    assert tally.record(UnparsedReason.BAD_UDH) is True
    assert tally.counts == {"no_message_id": 2, "bad_udh": 1}
    assert tally.total == 3


def test_failure_tally_is_bounded() -> None:
    """Kinds beyond the cap fold into "other"."""
    tally = FailureTally(max_kinds=2)
    assert tally.record("a") is True
    assert tally.record("b") is True
    assert tally.record("c") is False
    assert tally.record("d") is False
    assert tally.counts == {"a": 1, "b": 1, "other": 2}


# ---------------------------------------------------------------------------------------------
# Fuzzing

any_int = st.one_of(st.integers(0, 255), st.integers(-(2**40), 2**40))
opt_int = st.none() | any_int
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


@given(st.text().filter(lambda text: "stat" not in text.lower()), st.text(min_size=1, max_size=10))
def test_fuzz_receipt_without_stat_is_unknown(text: str, message_id: str) -> None:
    """A receipt with no readable stat and no message_state has state unknown (or no id)."""
    result = parse_deliver_sm(receipt_sm(text, receipted_message_id=message_id))
    if isinstance(result, UnparsedReport):
        assert result.reason is UnparsedReason.NO_MESSAGE_ID
    else:
        assert result.state is DeliveryState.UNKNOWN


@given(receipty_text)
def test_fuzz_parse_receipt_text(text: str) -> None:
    """Receipt-like garbage parses to something, with a known state."""
    result = parse_receipt(text)
    if not isinstance(result, UnparsedReport):
        assert result.state in set(DeliveryState)
        assert (
            not isinstance(result, DeliveryReceipt)
            or result.submit_date is None
            or (result.submit_date.tzinfo is UTC)
        )


@given(st.binary(max_size=200), st.integers(-(2**70), 2**70))
def test_fuzz_decode_never_raises(data: bytes, data_coding: int) -> None:
    """decode_short_message always gives text."""
    assert isinstance(decode_short_message(data, data_coding), str)


@given(st.text(max_size=30))
def test_fuzz_dates_and_ids(value: str) -> None:
    """Date and id helpers never raise."""
    date = parse_receipt_date(value)
    assert date is None or date.tzinfo is UTC
    keys = message_id_keys(value)
    assert len(keys) == len(set(keys))
    assert isinstance(normalize_message_id(value), str)


@given(st.integers(0, 2**64))
def test_fuzz_id_round_trip(number: int) -> None:
    """Decimal, zero-padded and hex forms of a number all lead to its decimal key."""
    assert message_id_keys(f"000{number}")[0] == str(number)
    assert str(number) in message_id_keys(f"{number:X}")
    assert message_id_keys(f"0x{number:x}") == (str(number),)


@given(st.text(min_size=1, max_size=300), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_ucs2_split_anywhere(text: str, data: st.DataObject) -> None:
    """UCS-2 text split at any octets, fed in any order, comes back whole."""
    encoded = text.encode("utf-16-be", errors="surrogatepass")
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(encoded) - 1)), max_size=6)))
    chunks = [encoded[a:b] for a, b in zip([0, *cuts], [*cuts, len(encoded)], strict=True)]
    chunks = [chunk for chunk in chunks if chunk] or [b""]
    order = data.draw(st.permutations(range(len(chunks))))
    ref = data.draw(st.integers(0, 0xFFFF))
    assembler = IncomingAssembler()
    results = []
    for index in order:
        header = udh16(ref, len(chunks), index + 1)
        sm = mo_sm(header + chunks[index], esm_class=0x40, data_coding=8)
        results.append(assembler.feed(part(parse_deliver_sm(sm))))
    assert all(result is None for result in results[:-1])
    final = results[-1]
    assert final is not None
    assert final.text == encoded.decode("utf-16-be", errors="replace")
    assert assembler.pending == 0


parts_strategy = st.builds(
    IncomingPart,
    source=st.sampled_from(["a", "b"]),
    destination=st.just("SMSC"),
    data_coding=st.sampled_from([0, 3, 8, 99]),
    payload=st.binary(max_size=60),
    reference=st.none() | st.integers(0, 3),
    total=st.integers(-1, 4),
    sequence=st.integers(-1, 5),
    reference_kind=st.sampled_from(["", "udh8", "udh16", "sar"]),
)


@given(st.lists(st.tuples(parts_strategy, st.floats(0, 100)), max_size=60))
def test_fuzz_assembler_bounds(feeds: list[tuple[IncomingPart, float]]) -> None:
    """Arbitrary parts and clock steps: no exception, bounds always hold."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_pending=4, max_age=150, max_bytes=200, clock=clock)
    for incoming, step in feeds:
        clock.now += step
        result = assembler.feed(incoming)
        assert result is None or isinstance(result.text, str)
        assert assembler.pending <= 4
        assert 0 <= assembler.pending_bytes <= 200
