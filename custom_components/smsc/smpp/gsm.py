"""Encode and decode the GSM 03.38 default alphabet, unpacked (one septet per octet).

SMPP carries ``data_coding = 0`` text unpacked: every septet of the GSM 7-bit default alphabet
occupies one octet of ``short_message`` / ``message_payload``.  Characters of the extension
table (``€ [ ] { } ~ ^ | \\`` and form feed) are sent as the escape septet ``0x1B`` followed by
their code, so they count as two septets.

Pure functions over constant tables, safe from any thread: :mod:`.compose` encodes on the event
loop, the session's I/O thread decodes what SMSC sends.  No Home Assistant or smpplib imports.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ESCAPE",
    "GSM_BASIC",
    "GSM_EXTENSION",
    "gsm_char_septets",
    "gsm_decode",
    "gsm_encode",
]

ESCAPE: Final = 0x1B
"""The escape septet that selects the extension table for the next septet."""

REPLACEMENT: Final = "\ufffd"
"""What :func:`gsm_decode` yields for an octet that is not a septet (0x80 and above)."""

# Septet 0x1B is the escape and has no character of its own; it is written as "\x1b" here only
# to keep the string 128 characters long and is removed from the encoding map below.
GSM_BASIC: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
"""The 128 characters of the default alphabet, indexed by septet."""

GSM_EXTENSION: Final[dict[int, str]] = {
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
"""Extension table: septet following ``ESCAPE`` → character."""

_ENCODE: Final[dict[str, bytes]] = {
    **{char: bytes((code,)) for code, char in enumerate(GSM_BASIC) if code != ESCAPE},
    **{char: bytes((ESCAPE, code)) for code, char in GSM_EXTENSION.items()},
}


def gsm_char_septets(char: str) -> int | None:
    """Return how many septets ``char`` takes (1 or 2), or None if it is not GSM."""
    encoded = _ENCODE.get(char)
    return None if encoded is None else len(encoded)


def gsm_encode(text: str) -> bytes:
    """Encode ``text`` as unpacked GSM septets (one per octet).

    Raises:
        ValueError: a character is not in the GSM alphabet; the message names it.

    """
    out = bytearray()
    for index, char in enumerate(text):
        encoded = _ENCODE.get(char)
        if encoded is None:
            msg = f"character {char!r} (U+{ord(char):04X}) at index {index} is not in GSM 03.38"
            raise ValueError(msg)
        out += encoded
    return bytes(out)


def gsm_decode(data: bytes) -> str:
    """Decode unpacked GSM septets; never raises.

    Tolerant rules:

    * an octet of 0x80 or above is not a septet and becomes U+FFFD;
    * the escape followed by a code the extension table does not define yields the character of
      the basic table for that code (what GSM 03.38 tells a receiver to display);
    * escape followed by escape (reserved for a further extension table) and an escape at the
      very end both yield a space, as GSM 03.38 recommends.
    """
    out: list[str] = []
    escaped = False
    for octet in data:
        if octet >= 0x80:
            if escaped:
                out.append(" ")
                escaped = False
            out.append(REPLACEMENT)
            continue
        if escaped:
            escaped = False
            if octet == ESCAPE:
                out.append(" ")
            else:
                out.append(GSM_EXTENSION.get(octet, GSM_BASIC[octet]))
            continue
        if octet == ESCAPE:
            escaped = True
            continue
        out.append(GSM_BASIC[octet])
    if escaped:
        out.append(" ")
    return "".join(out)
