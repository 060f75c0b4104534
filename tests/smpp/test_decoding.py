"""Tests of decoding a deliver_sm's octets into text."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.smsc.smpp.decoding import decode_short_message
from custom_components.smsc.smpp.gsm import gsm_encode


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


@given(st.binary(max_size=200), st.integers(-(2**70), 2**70))
def test_fuzz_decode_never_raises(data: bytes, data_coding: int) -> None:
    """decode_short_message always gives text."""
    assert isinstance(decode_short_message(data, data_coding), str)
