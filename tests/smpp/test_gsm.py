"""Tests of the GSM 03.38 codec (unpacked septets)."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.smsc.smpp.gsm import (
    ESCAPE,
    GSM_BASIC,
    GSM_EXTENSION,
    gsm_char_septets,
    gsm_decode,
    gsm_encode,
)

# Written out independently of gsm.py: the default alphabet is ASCII from 0x20 to 0x7F except
# for the positions listed here, plus 32 control-area characters.
_LOW = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x00ÆæßÉ"  # 0x1B (escape) marked by \x00
_ASCII_EXCEPTIONS = {
    0x24: "¤",
    0x40: "¡",
    0x5B: "Ä",
    0x5C: "Ö",
    0x5D: "Ñ",
    0x5E: "Ü",
    0x5F: "§",
    0x60: "¿",
    0x7B: "ä",
    0x7C: "ö",
    0x7D: "ñ",
    0x7E: "ü",
    0x7F: "à",
}
REFERENCE_BASIC = {
    code: (_LOW[code] if code < 0x20 else _ASCII_EXCEPTIONS.get(code, chr(code)))
    for code in range(128)
    if code != 0x1B
}
REFERENCE_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}
ALL_GSM = "".join(REFERENCE_BASIC.values()) + "".join(REFERENCE_EXTENSION.values())


def septets(text: str) -> int | None:
    """Septets ``text`` takes by gsm_char_septets (as compose counts), None if not GSM."""
    counts = [gsm_char_septets(char) for char in text]
    return None if None in counts else sum(count or 0 for count in counts)


def test_tables_match_the_standard() -> None:
    """The module's tables are GSM 03.38 (checked against the table written out above)."""
    assert len(GSM_BASIC) == 128
    assert {code: GSM_BASIC[code] for code in range(128) if code != ESCAPE} == REFERENCE_BASIC
    assert dict(GSM_EXTENSION) == REFERENCE_EXTENSION
    assert ESCAPE == 0x1B


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("@", b"\x00", id="at-is-zero"),
        pytest.param("$", b"\x02", id="dollar"),
        pytest.param("¤", b"\x24", id="currency-sign"),
        pytest.param("_", b"\x11", id="underscore"),
        pytest.param("à", b"\x7f", id="a-grave"),
        pytest.param("Hi!", b"Hi!", id="ascii-letters"),
        pytest.param("€", b"\x1b\x65", id="euro-escape"),
        pytest.param("[]", b"\x1b\x3c\x1b\x3e", id="brackets-escape"),
        pytest.param("{}", b"\x1b\x28\x1b\x29", id="braces-escape"),
        pytest.param("~^|\\", b"\x1b\x3d\x1b\x14\x1b\x40\x1b\x2f", id="tilde-caret-bar-backslash"),
        pytest.param("a\fb", b"a\x1b\x0ab", id="form-feed-escape"),
        pytest.param("\r\n", b"\x0d\x0a", id="cr-lf"),
        pytest.param("", b"", id="empty"),
    ],
)
def test_encode(text: str, expected: bytes) -> None:
    """Characters map to their septets, one per octet; extension characters get 0x1B first."""
    assert gsm_encode(text) == expected
    assert septets(text) == len(expected)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        pytest.param("Привет", "П", id="cyrillic"),
        pytest.param("a`b", "`", id="backtick"),
        pytest.param("naïve", "ï", id="i-diaeresis"),
        pytest.param("ok 😀", "😀", id="emoji"),
        pytest.param("tab\there", "\t", id="tab"),
        pytest.param("á", "á", id="a-acute"),
    ],
)
def test_non_gsm_characters(text: str, bad: str) -> None:
    """Text with a non-GSM character: no septet count, and encoding names the char."""
    assert septets(text) is None
    assert gsm_char_septets(bad) is None
    with pytest.raises(ValueError, match=f"U\\+{ord(bad):04X}"):
        gsm_encode(text)


@pytest.mark.parametrize(
    ("char", "septets"),
    [
        pytest.param("a", 1, id="letter"),
        pytest.param("\n", 1, id="newline"),
        *(pytest.param(char, 2, id=f"ext-U+{ord(char):04X}") for char in "€[]{}~^|\\\f"),
        pytest.param("ж", None, id="cyrillic"),
    ],
)
def test_char_septets(char: str, septets: int | None) -> None:
    """Basic characters take one septet, the ten extension characters two."""
    assert gsm_char_septets(char) == septets


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"id:1 stat:DELIVRD", "id:1 stat:DELIVRD", id="receipt-ascii"),
        pytest.param(b"\x00\x02\x11", "@$_", id="basic-specials"),
        pytest.param(b"\x1b\x65 5", "€ 5", id="euro"),
        pytest.param(b"\x1b\x41", "A", id="unknown-escape-falls-back-to-basic"),
        pytest.param(b"\x1b\x1bx", " x", id="escape-escape-is-space"),
        pytest.param(b"ab\x1b", "ab ", id="trailing-escape-is-space"),
        pytest.param(b"a\x80b", "a\ufffdb", id="high-octet-replaced"),
        pytest.param(b"\x1b\xff", " \ufffd", id="escape-then-high-octet"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_decode_is_tolerant(data: bytes, expected: str) -> None:
    """Decoding never raises; odd input decodes as documented."""
    assert gsm_decode(data) == expected


def test_whole_alphabet_round_trips() -> None:
    """Every GSM character survives encode → decode, and each takes the septets counted."""
    encoded = gsm_encode(ALL_GSM)
    assert gsm_decode(encoded) == ALL_GSM
    assert len(encoded) == septets(ALL_GSM) == len(REFERENCE_BASIC) + 2 * 10
    assert max(encoded) < 0x80


@given(st.text(alphabet=st.sampled_from(ALL_GSM)))
def test_round_trip_property(text: str) -> None:
    """Any GSM text round-trips and its septet count is the encoded length."""
    encoded = gsm_encode(text)
    assert gsm_decode(encoded) == text
    assert septets(text) == len(encoded)


@given(st.binary())
def test_decode_never_raises(data: bytes) -> None:
    """Arbitrary octets decode to some text no longer than the input."""
    decoded = gsm_decode(data)
    assert isinstance(decoded, str)
    assert len(decoded) <= len(data)


@given(st.text())
def test_char_septets_agree_with_reference_table(text: str) -> None:
    """gsm_char_septets agrees with the table written out in this test."""
    fits = all(char in ALL_GSM for char in text)
    if fits:
        expected = sum(2 if char in REFERENCE_EXTENSION.values() else 1 for char in text)
        assert septets(text) == expected
    else:
        assert septets(text) is None
