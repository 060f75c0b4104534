"""Tests of phone number and sender normalisation."""

from __future__ import annotations

import string

from hypothesis import given, strategies as st
import pytest

from custom_components.smsc.smpp.address import (
    MAX_NUMBER_DIGITS,
    MIN_NUMBER_DIGITS,
    Address,
    normalize_recipient,
    normalize_sender,
)
from custom_components.smsc.smpp.errors import MESSAGES, AddressError, SmscRequestError


def error_text(err: SmscRequestError) -> str:
    """The English text an error must render to."""
    return MESSAGES[err.translation_key].format(**err.translation_placeholders)


@pytest.mark.parametrize(
    ("number", "addr"),
    [
        pytest.param("+7 (999) 123-45-67", "79991234567", id="ru-international-formatted"),
        pytest.param("+79991234567", "79991234567", id="ru-international"),
        pytest.param("79991234567", "79991234567", id="ru-without-plus"),
        pytest.param("89991234567", "79991234567", id="ru-domestic-8"),
        pytest.param("8 (999) 123.45.67", "79991234567", id="ru-domestic-dots"),
        pytest.param("8-999-123-45-67", "79991234567", id="ru-domestic-dashes"),
        pytest.param("0079991234567", "79991234567", id="double-zero-prefix"),
        pytest.param(" +7\u00a0999\u00a0123\u201345\u201367 ", "79991234567", id="nbsp-en-dash"),
        pytest.param("+81312345678", "81312345678", id="japan-with-plus-kept"),
        pytest.param("81312345678", "71312345678", id="eleven-digits-8-is-russian"),
        pytest.param("+8 999 123 45 67", "89991234567", id="plus-8-not-rewritten"),
        pytest.param("+44 20 7946 0958", "442079460958", id="uk"),
        pytest.param("+1 (212) 555-0100", "12125550100", id="us"),
        pytest.param("+49 151 23456789", "4915123456789", id="de-13-digits"),
        pytest.param("+298 123456", "298123456", id="faroe-9-digits"),
        pytest.param("+1234567" + "8", "12345678", id="min-8-digits"),
        pytest.param("+123456789012345", "123456789012345", id="max-15-digits"),
    ],
)
def test_normalize_recipient(number: str, addr: str) -> None:
    """Valid numbers become international digits without '+', TON 1 / NPI 1."""
    assert normalize_recipient(number) == Address(addr, 1, 1)


@pytest.mark.parametrize(
    ("number", "key", "extra"),
    [
        pytest.param("", "invalid_phone_number", {}, id="empty"),
        pytest.param("   ", "invalid_phone_number", {}, id="blank"),
        pytest.param("+", "invalid_phone_number", {}, id="plus-only"),
        pytest.param("+7 999 abc", "invalid_phone_number", {}, id="letters"),
        pytest.param("++79991234567", "invalid_phone_number", {}, id="double-plus"),
        pytest.param("7999+1234567", "invalid_phone_number", {}, id="plus-inside"),
        pytest.param("+7/999/1234567", "invalid_phone_number", {}, id="slashes"),
        pytest.param("٧٩٩٩١٢٣٤٥٦٧", "invalid_phone_number", {}, id="arabic-digits"),
        pytest.param("09991234567", "phone_number_no_country_code", {}, id="leading-zero"),
        pytest.param("+0123456789", "phone_number_no_country_code", {}, id="plus-zero"),
        pytest.param("00", "phone_number_no_country_code", {}, id="double-zero-only"),
        pytest.param(
            "+1234567",
            "phone_number_length",
            {"digits": "7", "min_digits": "8", "max_digits": "15"},
            id="seven-digits",
        ),
        pytest.param(
            "+1234567890123456",
            "phone_number_length",
            {"digits": "16", "min_digits": "8", "max_digits": "15"},
            id="sixteen-digits",
        ),
        pytest.param(
            "112",
            "phone_number_length",
            {"digits": "3", "min_digits": "8", "max_digits": "15"},
            id="short-code-is-not-a-recipient",
        ),
    ],
)
def test_normalize_recipient_refused(number: str, key: str, extra: dict[str, str]) -> None:
    """Invalid numbers are refused precisely, quoting the number as given."""
    with pytest.raises(AddressError) as caught:
        normalize_recipient(number)
    assert caught.value.translation_key == key
    assert caught.value.translation_placeholders == {"number": number.strip(), **extra}
    assert str(caught.value) == error_text(caught.value)


def test_number_length_constants() -> None:
    """E.164 allows at most 15 digits; the shortest accepted is 8."""
    assert (MIN_NUMBER_DIGITS, MAX_NUMBER_DIGITS) == (8, 15)


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        pytest.param("SMSC.RU", Address("SMSC.RU", 5, 0), id="alnum-dot"),
        pytest.param("Home", Address("Home", 5, 0), id="alnum-word"),
        pytest.param("  My Home ", Address("My Home", 5, 0), id="alnum-stripped"),
        pytest.param("ABCDEFGHIJK", Address("ABCDEFGHIJK", 5, 0), id="alnum-11-chars"),
        pytest.param("Shop 24", Address("Shop 24", 5, 0), id="alnum-with-digits"),
        pytest.param("A-B_C&D!", Address("A-B_C&D!", 5, 0), id="alnum-punctuation"),
        pytest.param("123", Address("123", 3, 0), id="short-code-3"),
        pytest.param("1234", Address("1234", 3, 0), id="short-code-4"),
        pytest.param("12345678", Address("12345678", 3, 0), id="short-code-8"),
        pytest.param("12 34", Address("1234", 3, 0), id="short-code-with-space"),
        pytest.param("+7 999 123-45-67", Address("79991234567", 1, 1), id="international"),
        pytest.param("8 800 700-76-72", Address("78007007672", 1, 1), id="ru-domestic-8"),
        pytest.param("123456789", Address("123456789", 1, 1), id="nine-digits-international"),
        pytest.param("+12345678", Address("12345678", 1, 1), id="plus-forces-international"),
    ],
)
def test_normalize_sender(sender: str, expected: Address) -> None:
    """Alphanumeric → TON 5 / NPI 0, short code → TON 3 / NPI 0, number → TON 1 / NPI 1."""
    assert normalize_sender(sender) == expected


@pytest.mark.parametrize(
    ("sender", "key", "placeholders"),
    [
        pytest.param("", "invalid_sender", {"sender": ""}, id="empty"),
        pytest.param("   ", "invalid_sender", {"sender": ""}, id="blank"),
        pytest.param("---", "invalid_sender", {"sender": "---"}, id="punctuation-only"),
        pytest.param("24/7", "invalid_sender", {"sender": "24/7"}, id="no-letter"),
        pytest.param(
            "ABCDEFGHIJKL",
            "sender_too_long",
            {"sender": "ABCDEFGHIJKL", "length": "12", "max_length": "11"},
            id="alnum-12-chars",
        ),
        pytest.param(
            "Дом",
            "invalid_sender_character",
            {"sender": "Дом", "character": "Д"},
            id="cyrillic",
        ),
        pytest.param(
            "Home[1]",
            "invalid_sender_character",
            {"sender": "Home[1]", "character": "["},
            id="gsm-escape-char",
        ),
        pytest.param(
            "Café",
            "invalid_sender_character",
            {"sender": "Café", "character": "é"},
            id="non-ascii-gsm-char",
        ),
        pytest.param(
            "A\nB",
            "invalid_sender_character",
            {"sender": "A\nB", "character": "U+000A"},
            id="newline",
        ),
        pytest.param(
            "12",
            "invalid_short_code",
            {"sender": "12", "min_digits": "3", "max_digits": "8"},
            id="short-code-2-digits",
        ),
        pytest.param(
            "+1234",
            "phone_number_length",
            {"number": "+1234", "digits": "4", "min_digits": "8", "max_digits": "15"},
            id="plus-short",
        ),
        pytest.param(
            "0123456789",
            "phone_number_no_country_code",
            {"number": "0123456789"},
            id="long-leading-zero",
        ),
    ],
)
def test_normalize_sender_refused(sender: str, key: str, placeholders: dict[str, str]) -> None:
    """Invalid senders are refused with a precise reason."""
    with pytest.raises(AddressError) as caught:
        normalize_sender(sender)
    assert caught.value.translation_key == key
    assert caught.value.translation_placeholders == placeholders
    assert str(caught.value) == error_text(caught.value)


@given(st.text())
def test_property_recipient_never_crashes(number: str) -> None:
    """Any input is either a valid international number or refused with AddressError."""
    try:
        address = normalize_recipient(number)
    except AddressError as err:
        refusal: AddressError | None = err
    else:
        refusal = None
    if refusal is not None:
        assert refusal.translation_key in MESSAGES
    else:
        assert address.addr.isascii()
        assert address.addr.isdigit()
        assert MIN_NUMBER_DIGITS <= len(address.addr) <= MAX_NUMBER_DIGITS
        assert not address.addr.startswith("0")
        assert (address.ton, address.npi) == (1, 1)


@given(st.text(alphabet=string.printable + "ДЖé€", max_size=20))
def test_property_sender_never_crashes(sender: str) -> None:
    """Any sender is valid (and then well-formed) or refused with AddressError."""
    try:
        address = normalize_sender(sender)
    except AddressError as err:
        refusal: AddressError | None = err
    else:
        refusal = None
    if refusal is not None:
        assert refusal.translation_key in MESSAGES
    else:
        assert (address.ton, address.npi) in {(5, 0), (3, 0), (1, 1)}
        if address.ton == 5:
            assert 1 <= len(address.addr) <= 11
            assert any(c.isascii() and c.isalpha() for c in address.addr)
        else:
            assert address.addr.isdigit()
