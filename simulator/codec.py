"""Text codecs as the SMSC side applies them to ``short_message`` octets.

Written independently of any client library on purpose: if the integration's encoder and this
decoder shared code, a wrong table entry would round-trip cleanly and never be noticed.

GSM 03.38 text travels *unpacked* over SMPP (one septet per octet), so there is no bit packing
here; the escape octet 0x1B selects the extension table for the following octet.
"""

from __future__ import annotations

from typing import Final


class CodecError(ValueError):
    """The octets are not valid in the encoding the PDU claims."""


GSM_ESCAPE: Final = 0x1B

# GSM 03.38 default alphabet, indexed by septet value. 0x1B is the escape, never a character.
_GSM_BASIC: Final[str] = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# Extension table: septet following 0x1B -> character.
_GSM_EXTENSION: Final[dict[int, str]] = {
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

_GSM_ENCODE: Final[dict[str, bytes]] = {
    **{ch: bytes([i]) for i, ch in enumerate(_GSM_BASIC) if i != GSM_ESCAPE},
    **{ch: bytes([GSM_ESCAPE, code]) for code, ch in _GSM_EXTENSION.items()},
}

assert len(_GSM_BASIC) == 128  # noqa: S101 - a mistyped table must fail at import, not silently


def gsm_decode(data: bytes) -> str:
    """Decode unpacked GSM 03.38 septets.

    Octets above 0x7F cannot be septets; they mean the client sent some 8-bit encoding while
    claiming data_coding 0, so they raise instead of being guessed at.
    """
    out: list[str] = []
    escaped = False
    for index, octet in enumerate(data):
        if octet > 0x7F:
            raise CodecError(f"octet 0x{octet:02X} at {index} is not a GSM septet")
        if escaped:
            escaped = False
            if octet == GSM_ESCAPE:
                # 0x1B 0x1B is reserved for a further extension table; 03.38 says show a space.
                out.append(" ")
            else:
                # 03.38: an unknown extension code is shown as the default-alphabet character.
                out.append(_GSM_EXTENSION.get(octet, _GSM_BASIC[octet]))
        elif octet == GSM_ESCAPE:
            escaped = True
        else:
            out.append(_GSM_BASIC[octet])
    if escaped:
        raise CodecError("message ends with a dangling GSM escape")
    return "".join(out)


def gsm_encode(text: str) -> bytes:
    """Encode to unpacked GSM 03.38 septets; raises CodecError if a character does not fit."""
    try:
        return b"".join(_GSM_ENCODE[ch] for ch in text)
    except KeyError as err:
        raise CodecError(f"{err.args[0]!r} is not in the GSM 03.38 alphabet") from None


def gsm_fits(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM default or extension table."""
    return all(ch in _GSM_ENCODE for ch in text)


def gsm_septets(text: str) -> int:
    """Septets ``text`` needs: extension characters cost two (escape + code)."""
    return sum(len(_GSM_ENCODE[ch]) for ch in text)


def ucs2_decode(data: bytes) -> str:
    """Decode UCS-2/UTF-16BE; surrogate pairs become one character, lone halves raise."""
    if len(data) % 2:
        raise CodecError(f"UCS-2 data has an odd length ({len(data)} octets)")
    try:
        return data.decode("utf-16-be")
    except UnicodeDecodeError as err:
        raise CodecError(f"invalid UTF-16BE: {err.reason}") from None


def ucs2_encode(text: str) -> bytes:
    return text.encode("utf-16-be")


def latin1_decode(data: bytes) -> str:
    return data.decode("latin-1")


def latin1_encode(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as err:
        raise CodecError(f"{err.object[err.start]!r} is not in Latin-1") from None


# data_coding values, as SMSC uses them (coding * 4) plus the SMPP 3.4 ones clients may send.
DC_GSM: Final = 0x00
DC_IA5: Final = 0x01
DC_BINARY: Final = 0x02
DC_LATIN1: Final = 0x03
DC_8BIT: Final = 0x04
DC_UCS2: Final = 0x08


def decode_text(data_coding: int, data: bytes, *, iso: bool) -> str | None:
    """Decode a reassembled message the way SMSC does; ``None`` means binary (no text).

    ``iso`` is whether the session bound with ``system_type="ISO"``: only then does SMSC read
    data_coding 4 as Latin-1; otherwise 4 is binary data.
    """
    if data_coding == DC_GSM:
        return gsm_decode(data)
    if data_coding == DC_UCS2:
        return ucs2_decode(data)
    if data_coding == DC_LATIN1 or (data_coding == DC_8BIT and iso):
        return latin1_decode(data)
    if data_coding == DC_IA5:
        # IA5 is ASCII; decoding as Latin-1 never fails and is identical for valid input.
        return latin1_decode(data)
    return None


def units_for(data_coding: int, text: str) -> int:
    """Length of ``text`` in the units a part limit is counted in for this data_coding."""
    if data_coding == DC_GSM:
        return gsm_septets(text)
    if data_coding == DC_UCS2:
        return len(ucs2_encode(text)) // 2
    return len(text)


def encode_text(data_coding: int, text: str) -> bytes:
    if data_coding == DC_GSM:
        return gsm_encode(text)
    if data_coding == DC_UCS2:
        return ucs2_encode(text)
    if data_coding in (DC_LATIN1, DC_8BIT, DC_IA5):
        return latin1_encode(text)
    raise CodecError(f"cannot encode text with data_coding {data_coding}")
