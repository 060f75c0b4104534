"""Tests of status report parsing: delivery receipts, HLR results and message ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.smsc.smpp.deliver_sm import parse_deliver_sm
from custom_components.smsc.smpp.receipts import (
    MESSAGE_STATES,
    DeliveryReceipt,
    DeliveryState,
    HlrResult,
    UnparsedReason,
    UnparsedReport,
    message_id_keys,
    normalize_message_id,
    parse_receipt,
    parse_receipt_date,
)

from .pdus import STD_DATES, receipt, receipt_sm, receipty_text

PROVIDER_HLR = (
    "id:855469 stat:DELIVRD err:000 imsi:250023012345678 msc:79232510066 mcc:250 mnc:02 "
    "cn:Russian+Federation net:MegaFON+open+Joint+Stock+Company rcn: rnet:"
)
D_SUBMIT = datetime(2023, 1, 15, 12, 30, tzinfo=UTC)
D_DONE = datetime(2023, 1, 15, 12, 31, tzinfo=UTC)


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
def test_stat_gives_state(stat: str, state: DeliveryState) -> None:
    """Every SMPP stat maps to its state; anything else is unknown."""
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
        source="79001234567",
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
# Fuzzing


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


def test_receipt_carries_its_source_address() -> None:
    """A receipt keeps the deliver_sm's source_addr: SMSC puts the recipient's number there."""
    result = parse_deliver_sm(receipt_sm(b"id:5 stat:DELIVRD err:000"))
    assert isinstance(result, DeliveryReceipt)
    assert result.source == "79001234567"
