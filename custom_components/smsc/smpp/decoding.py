"""Decode the octets of a ``deliver_sm`` into text, by its ``data_coding``.

Used on the session's I/O thread, for incoming SMS (:mod:`.incoming`) and for status report
texts (:mod:`.deliver_sm`).  Pure functions that never raise; no Home Assistant or smpplib
imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .gsm import gsm_decode

__all__ = ["decode_report_text", "decode_short_message"]

_GSM: Final = "gsm"
_UCS2: Final = "utf-16-be"
_LATIN1: Final = "latin-1"

_SMPP_CODECS: Final[Mapping[int, str]] = {
    0: _GSM,
    1: "ascii",
    2: _LATIN1,
    3: _LATIN1,
    4: _LATIN1,
    6: "iso8859_5",
    7: "iso8859_8",
    8: _UCS2,
    10: "iso2022_jp",
    14: "euc_kr",
}


def _codec(data_coding: int) -> str:
    """Python codec (or ``"gsm"``) for an SMPP ``data_coding``."""
    if (codec := _SMPP_CODECS.get(data_coding)) is not None:
        return codec
    if 0x10 <= data_coding <= 0x3F:
        # GSM 03.38 general data coding group, passed through by some SMSCs: bits 3-2 alphabet.
        if data_coding & 0x20:  # compressed: nothing to do but show the octets
            return _LATIN1
        return (_GSM, _LATIN1, _UCS2, _LATIN1)[(data_coding >> 2) & 0x03]
    if 0xC0 <= data_coding <= 0xDF:  # message waiting indication, GSM 7-bit
        return _GSM
    if 0xE0 <= data_coding <= 0xEF:  # message waiting indication, UCS-2
        return _UCS2
    if 0xF0 <= data_coding <= 0xFF:  # message class: bit 2 says 8-bit
        return _LATIN1 if data_coding & 0x04 else _GSM
    return _LATIN1


def decode_short_message(data: bytes, data_coding: int) -> str:
    """Decode an incoming message's octets; never raises.

    0 GSM 03.38 (unpacked), 1 ASCII (IA5), 3 and 4 Latin-1 (SMSC's ``ISO`` binds use 4),
    8 UTF-16-BE (surrogate pairs joined, broken ones become U+FFFD), 6/7/10/14 their ISO/JIS/KS
    charsets, GSM 03.38 coding groups as GSM says; anything else Latin-1.
    """
    codec = _codec(data_coding)
    if codec == _GSM:
        return gsm_decode(data)
    return data.decode(codec, errors="replace")


def decode_report_text(data: bytes, data_coding: int) -> str:
    """Decode a status report's text; never raises.

    Report texts are ASCII whatever ``data_coding`` says, but some SMSCs send them in UCS-2.
    """
    if _codec(data_coding) == _UCS2 and len(data) >= 2 and data[0] == 0 and data[1] != 0:
        text = data.decode(_UCS2, errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode(_LATIN1)
    return text.replace("\x00", "")
