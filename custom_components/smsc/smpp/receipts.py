"""Make sense of a ``deliver_sm``: delivery receipts, SMSC HLR results and incoming SMS.

Pure Python, no Home Assistant or smpplib imports.  The session layer builds a :class:`DeliverSm`
from smpplib's PDU (:meth:`DeliverSm.from_pdu`) and calls :func:`parse_deliver_sm`, which never
raises and returns one of

* :class:`DeliveryReceipt` -- a status report for a message we sent;
* :class:`HlrResult` -- the answer to an ``__HLR__`` request (SMSC sends it as a status report);
* :class:`IncomingPart` -- an incoming (MO) SMS or one part of it: feed it to an
  :class:`IncomingAssembler`, which hands back the whole :class:`IncomingMessage` once every
  part is there (at once for a single-part SMS);
* :class:`UnparsedReport` -- something unusable; log it (once per :class:`UnparsedReason`, see
  :class:`FailureTally`) and count it.

Matching a receipt to a sent message
------------------------------------
SMSC's ``submit_sm_resp`` ids are decimal.  A receipt may carry the id in decimal or in hex, so:

* store a sent message under ``normalize_message_id(submit_sm_resp.message_id)``;
* look up a receipt's :attr:`DeliveryReceipt.lookup_keys` in order and take the first hit.

:func:`message_id_keys` gives those keys: an id with hex letters (or ``0x``) is hex; an
all-digit id is tried as decimal first and then as hex; leading zeros do not matter; any other
id is used as it is.  The ``receipted_message_id`` TLV wins over the ``id:`` of the text.

Dates
-----
Receipt dates (``YYMMDDhhmm`` or ``YYMMDDhhmmss``) carry no zone.  They are read in
``receipt_tz`` (default UTC; SMSC does not document its zone) and returned as aware datetimes
in UTC.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
import re
import time
from typing import Final, Literal
from urllib.parse import unquote_to_bytes

from .gsm import gsm_decode

__all__ = [
    "ESM_TYPE_MASK",
    "ESM_UDHI",
    "MESSAGE_STATES",
    "DeliverSm",
    "DeliverSmResult",
    "DeliveryReceipt",
    "DeliveryState",
    "FailureTally",
    "HlrResult",
    "IncomingAssembler",
    "IncomingMessage",
    "IncomingPart",
    "UnparsedReason",
    "UnparsedReport",
    "decode_short_message",
    "message_id_keys",
    "normalize_message_id",
    "parse_deliver_sm",
    "parse_receipt",
    "parse_receipt_date",
    "state_from_stat",
]


# --------------------------------------------------------------------------------------------
# States


class DeliveryState(StrEnum):
    """Normalised state of a sent message, from a receipt's ``stat`` or ``message_state``."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    REJECTED = "rejected"
    DELETED = "deleted"
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    ENROUTE = "enroute"

    @property
    def is_final(self) -> bool:
        """Whether no further report is to be expected (delivered, undelivered, expired, ...).

        ``enroute``, ``accepted`` and ``unknown`` are not final: the message may still move on.
        """
        return self in _FINAL_STATES


_FINAL_STATES: Final = frozenset(
    {
        DeliveryState.DELIVERED,
        DeliveryState.UNDELIVERED,
        DeliveryState.EXPIRED,
        DeliveryState.REJECTED,
        DeliveryState.DELETED,
    }
)

_STAT_STATES: Final[Mapping[str, DeliveryState]] = {
    "DELIVRD": DeliveryState.DELIVERED,
    "DELIVERED": DeliveryState.DELIVERED,
    "UNDELIV": DeliveryState.UNDELIVERED,
    "UNDELIVERABLE": DeliveryState.UNDELIVERED,
    "UNDELIVERED": DeliveryState.UNDELIVERED,
    "EXPIRED": DeliveryState.EXPIRED,
    "REJECTD": DeliveryState.REJECTED,
    "REJECTED": DeliveryState.REJECTED,
    "DELETED": DeliveryState.DELETED,
    "UNKNOWN": DeliveryState.UNKNOWN,
    "ACCEPTD": DeliveryState.ACCEPTED,
    "ACCEPTED": DeliveryState.ACCEPTED,
    "ENROUTE": DeliveryState.ENROUTE,
}

MESSAGE_STATES: Final[Mapping[int, DeliveryState]] = {
    1: DeliveryState.ENROUTE,
    2: DeliveryState.DELIVERED,
    3: DeliveryState.EXPIRED,
    4: DeliveryState.DELETED,
    5: DeliveryState.UNDELIVERED,
    6: DeliveryState.ACCEPTED,
    7: DeliveryState.UNKNOWN,
    8: DeliveryState.REJECTED,
}
"""SMPP 3.4 ``message_state`` TLV values."""

_STATE_STATS: Final[Mapping[DeliveryState, str]] = {
    DeliveryState.ENROUTE: "ENROUTE",
    DeliveryState.DELIVERED: "DELIVRD",
    DeliveryState.EXPIRED: "EXPIRED",
    DeliveryState.DELETED: "DELETED",
    DeliveryState.UNDELIVERED: "UNDELIV",
    DeliveryState.ACCEPTED: "ACCEPTD",
    DeliveryState.UNKNOWN: "UNKNOWN",
    DeliveryState.REJECTED: "REJECTD",
}


def state_from_stat(stat: str) -> DeliveryState:
    """Map a receipt ``stat`` (``DELIVRD``, ``undeliv``, ...) to a state; anything else: unknown."""
    return _STAT_STATES.get(stat.strip().upper(), DeliveryState.UNKNOWN)


def _resolve_state(stat_text: str, message_state: int | None) -> tuple[str, DeliveryState]:
    """Combine the text's ``stat`` with the ``message_state`` TLV.

    The TLV wins, unless it says UNKNOWN and the text names a definite state.
    Returns the ``stat`` to report (the text's, upper-cased, else the TLV's short name) and the
    state.
    """
    tlv_state = MESSAGE_STATES.get(message_state) if message_state is not None else None
    stat = stat_text.upper()
    text_state = _STAT_STATES.get(stat) if stat else None
    if tlv_state is not None and (tlv_state is not DeliveryState.UNKNOWN or text_state is None):
        state = tlv_state
    elif text_state is not None:
        state = text_state
    else:
        state = DeliveryState.UNKNOWN
    if not stat and tlv_state is not None:
        stat = _STATE_STATS[tlv_state]
    return stat, state


# --------------------------------------------------------------------------------------------
# Message ids

_MAX_ID_LENGTH: Final = 65
"""SMPP message ids are C-octet strings of at most 65 octets; longer input is used verbatim."""

_DECIMAL_RE: Final = re.compile(r"[0-9]+")
_HEX_RE: Final = re.compile(r"(?:0[xX])?([0-9A-Fa-f]+)")


def _clean_id(raw: str) -> str:
    return raw.replace("\x00", "").strip()


def normalize_message_id(raw: str, *, hint: Literal["auto", "decimal", "hex"] = "auto") -> str:
    """Return the canonical form of a message id: a decimal number without leading zeros.

    ``hint="auto"`` (for ids from ``submit_sm_resp``): an all-digit id is decimal, an id with
    hex letters or a ``0x`` prefix is hex.  ``"decimal"`` / ``"hex"`` force the reading.  An id
    that cannot be read as a number in the chosen base comes back stripped but otherwise as is.
    """
    cleaned = _clean_id(raw)
    if not cleaned or len(cleaned) > _MAX_ID_LENGTH:
        return cleaned
    if hint != "hex" and _DECIMAL_RE.fullmatch(cleaned):
        return str(int(cleaned))
    if hint != "decimal" and (match := _HEX_RE.fullmatch(cleaned)):
        return str(int(match.group(1), 16))
    return cleaned


def message_id_keys(raw: str) -> tuple[str, ...]:
    """Candidate keys for a receipt's message id, most likely first (see the module doc).

    ``"0000855469"`` → ``("855469", "8737897")`` (decimal, then the digits read as hex);
    ``"D0DAD"`` / ``"0xd0dad"`` → ``("855469",)``; ``"abc-1"`` → ``("abc-1",)``; ``""`` → ``()``.
    """
    cleaned = _clean_id(raw)
    if not cleaned:
        return ()
    if len(cleaned) > _MAX_ID_LENGTH:
        return (cleaned,)
    if _DECIMAL_RE.fullmatch(cleaned):
        return _unique((str(int(cleaned)), str(int(cleaned, 16))))
    if match := _HEX_RE.fullmatch(cleaned):
        return (str(int(match.group(1), 16)),)
    return (cleaned,)


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


# --------------------------------------------------------------------------------------------
# Results


class UnparsedReason(StrEnum):
    """Why a ``deliver_sm`` gave nothing usable (one log line per reason is plenty)."""

    NO_MESSAGE_ID = "no_message_id"
    """A status report without a message id, in neither the TLV nor the text."""
    BAD_UDH = "bad_udh"
    """An incoming SMS whose user data header is longer than the message."""
    PARSER_ERROR = "parser_error"
    """A bug in this module; never expected."""


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """A delivery report for a message we sent."""

    message_id: str
    """The id as received (TLV if present, else the ``id:`` of the text), stripped."""
    lookup_keys: tuple[str, ...]
    """Keys to look up in order among ``normalize_message_id``-keyed sent messages."""
    stat: str
    """The ``stat`` of the text upper-cased (or the TLV state's short name), ``""`` if none."""
    state: DeliveryState
    error_code: int | None
    submitted: int | None
    """``sub:`` -- number of messages originally submitted."""
    delivered: int | None
    """``dlvrd:`` -- number of messages delivered."""
    submit_date: datetime | None
    """Aware, in UTC (see ``receipt_tz``)."""
    done_date: datetime | None
    """Aware, in UTC (see ``receipt_tz``)."""
    text: str | None
    """The ``text:`` field (start of the original message), None if absent."""
    raw: str = ""
    """The whole receipt text as decoded."""


@dataclass(frozen=True, slots=True)
class HlrResult:
    """SMSC's answer to an ``__HLR__`` request."""

    message_id: str
    lookup_keys: tuple[str, ...]
    stat: str
    state: DeliveryState
    """``delivered`` means the subscriber is reachable."""
    error_code: int | None
    imsi: str | None
    msc: str | None
    mcc: str | None
    mnc: str | None
    """Kept as text: ``"02"`` is not ``"2"``."""
    country: str | None
    network: str | None
    roaming_country: str | None
    roaming_network: str | None
    roaming: bool
    """True when a roaming field is set and differs from the home one."""
    raw: str = ""


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A complete incoming SMS."""

    source: str
    destination: str
    text: str
    data_coding: int
    parts: int


@dataclass(frozen=True, slots=True)
class IncomingPart:
    """One part of an incoming SMS (the user data header already removed)."""

    source: str
    destination: str
    data_coding: int
    payload: bytes
    reference: int | None = None
    """Concatenation reference, None for a single-part SMS."""
    total: int = 1
    sequence: int = 1
    reference_kind: Literal["", "udh8", "udh16", "sar"] = ""


@dataclass(frozen=True, slots=True)
class UnparsedReport:
    """A ``deliver_sm`` this module could make nothing of."""

    reason: UnparsedReason
    raw: str
    """A preview (at most 200 characters) of the content, for the log."""
    esm_class: int = 0
    data_coding: int = 0
    source: str = ""
    destination: str = ""


type DeliverSmResult = DeliveryReceipt | HlrResult | IncomingPart | UnparsedReport

_PREVIEW: Final = 200


# --------------------------------------------------------------------------------------------
# Input


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return int(value)  # a bool becomes a plain int
    if isinstance(value, (bytes, bytearray, str)):
        text = value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else value
        text = text.replace("\x00", "").strip()
        if text.isascii() and text.isdigit() and len(text) <= 10:
            return int(text)
    return None


def _as_bytes(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", errors="replace")
    return b""


def _as_text(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        return ""
    return text.replace("\x00", "")


@dataclass(frozen=True, slots=True)
class DeliverSm:
    """The fields of a ``deliver_sm`` this module uses."""

    esm_class: int = 0
    data_coding: int = 0
    short_message: bytes = b""
    source_addr: str = ""
    destination_addr: str = ""
    receipted_message_id: str | None = None
    message_state: int | None = None
    message_payload: bytes | None = None
    sar_msg_ref_num: int | None = None
    sar_total_segments: int | None = None
    sar_segment_seqnum: int | None = None

    @classmethod
    def from_pdu(cls, pdu: object) -> DeliverSm:
        """Read the fields from smpplib's ``DeliverSM`` (or any object with those attributes).

        smpplib gives ``bytes`` for the addresses, ``short_message``, ``message_payload`` and
        ``receipted_message_id``, ``int`` for ``esm_class``/``data_coding``/``message_state``/
        ``sar_*``, and None for an absent TLV; ``str`` is accepted too.  Never raises.
        """

        def attr(name: str) -> object:
            try:
                return getattr(pdu, name, None)
            except Exception:  # a hostile __getattr__ must not break the reader
                return None

        receipted = attr("receipted_message_id")
        payload = attr("message_payload")
        return cls(
            esm_class=_as_int(attr("esm_class")) or 0,
            data_coding=_as_int(attr("data_coding")) or 0,
            short_message=_as_bytes(attr("short_message")),
            source_addr=_as_text(attr("source_addr")),
            destination_addr=_as_text(attr("destination_addr")),
            receipted_message_id=None if receipted is None else _as_text(receipted),
            message_state=_as_int(attr("message_state")),
            message_payload=None if payload is None else _as_bytes(payload),
            sar_msg_ref_num=_as_int(attr("sar_msg_ref_num")),
            sar_total_segments=_as_int(attr("sar_total_segments")),
            sar_segment_seqnum=_as_int(attr("sar_segment_seqnum")),
        )


# --------------------------------------------------------------------------------------------
# Text decoding

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


def _decode_report_text(data: bytes, data_coding: int) -> str:
    """Receipt texts are ASCII whatever ``data_coding`` says; some SMSCs send them in UCS-2."""
    if _codec(data_coding) == _UCS2 and len(data) >= 2 and data[0] == 0 and data[1] != 0:
        text = data.decode(_UCS2, errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode(_LATIN1)
    return text.replace("\x00", "")


# --------------------------------------------------------------------------------------------
# Receipt text

_KEY_RE: Final = re.compile(
    r"(?<!\S)(submit[\s_]*date|done[\s_]*date|id|sub|dlvrd|stat|err|text"
    r"|imsi|msc|mcc|mnc|cn|net|rcn|rnet)\s*:",
    re.IGNORECASE | re.ASCII,
)
_KEY_SPACE_RE: Final = re.compile(r"[\s_]+", re.ASCII)
_DATE_RE: Final = re.compile(r"[0-9]{10}|[0-9]{12}|[0-9]{14}")


def _split_fields(text: str) -> dict[str, str]:
    """``key: value`` pairs of a receipt; the first of a key wins; ``text:`` runs to the end."""
    fields: dict[str, str] = {}
    matches = list(_KEY_RE.finditer(text))
    for index, match in enumerate(matches):
        key = _KEY_SPACE_RE.sub("", match.group(1)).lower()
        if key == "text":
            fields.setdefault(key, text[match.end() :].strip())
            break
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields.setdefault(key, text[match.end() : end].strip())
    return fields


def _token(value: str | None) -> str:
    """First whitespace-separated word of a field value, ``""`` if none."""
    if not value:
        return ""
    words = value.split(maxsplit=1)
    return words[0] if words else ""


def _count(value: str | None) -> int | None:
    token = _token(value)
    if token.isascii() and token.isdigit() and len(token) <= 10:
        return int(token)
    return None


def _error_code(value: str | None) -> int | None:
    """``err:`` is decimal (``000``); an ``0x`` prefix or hex letters make it hex."""
    token = _token(value)
    if not token or len(token) > 10:
        return None
    if _DECIMAL_RE.fullmatch(token):
        return int(token)
    if match := _HEX_RE.fullmatch(token):
        return int(match.group(1), 16)
    return None


def parse_receipt_date(value: str, tz: tzinfo = UTC) -> datetime | None:
    """Read ``YYMMDDhhmm``, ``YYMMDDhhmmss`` or ``YYYYMMDDhhmmss`` in ``tz``; return it in UTC.

    None for anything else, including impossible dates.
    """
    token = _token(value)
    if not _DATE_RE.fullmatch(token):
        return None
    if len(token) == 14:
        year, rest = int(token[:4]), token[4:]
    else:
        year, rest = 2000 + int(token[:2]), token[2:]
    second = int(rest[8:10]) if len(rest) >= 10 else 0
    try:
        local = datetime(
            year,
            int(rest[0:2]),
            int(rest[2:4]),
            int(rest[4:6]),
            int(rest[6:8]),
            second,
            tzinfo=tz,
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _url_text(value: str | None) -> str | None:
    """Decode an URL-encoded HLR field (``+`` is a space); UTF-8, else Windows-1251."""
    token = _token(value)
    if not token:
        return None
    raw = unquote_to_bytes(token.replace("+", " ").encode("utf-8", errors="replace"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1251", errors="replace")
    return text.strip() or None


def _choose_id(tlv_id: str | None, text_id: str) -> str:
    """The TLV id wins, unless smpplib cut its last character off.

    smpplib drops the last octet of a string TLV, assuming it is the NUL; an SMSC that sends the
    id without the NUL loses a character.  Such an id is the text's id minus its last character.
    """
    tlv = _clean_id(tlv_id or "")
    if not tlv:
        return text_id
    if len(text_id) == len(tlv) + 1 and text_id.lower().startswith(tlv.lower()):
        return text_id
    return tlv


def parse_receipt(
    text: str,
    *,
    receipted_message_id: str | None = None,
    message_state: int | None = None,
    receipt_tz: tzinfo = UTC,
) -> DeliveryReceipt | HlrResult | UnparsedReport:
    """Parse a status report's text (with its TLVs, when the PDU has them); never raises.

    A text with an ``imsi:`` field is an HLR result.  Fields may come in any case, with extra
    spaces, or be missing; an unknown or missing ``stat`` gives :attr:`DeliveryState.UNKNOWN`.
    Without any message id the result is an :class:`UnparsedReport`.
    """
    fields = _split_fields(text)
    message_id = _choose_id(receipted_message_id, _clean_id(_token(fields.get("id"))))
    if not message_id:
        return UnparsedReport(UnparsedReason.NO_MESSAGE_ID, raw=text[:_PREVIEW])
    keys = message_id_keys(message_id)
    stat, state = _resolve_state(_token(fields.get("stat")), message_state)
    error_code = _error_code(fields.get("err"))
    if "imsi" in fields:
        country = _url_text(fields.get("cn"))
        network = _url_text(fields.get("net"))
        roaming_country = _url_text(fields.get("rcn"))
        roaming_network = _url_text(fields.get("rnet"))
        roaming = (roaming_country is not None and roaming_country != country) or (
            roaming_network is not None and roaming_network != network
        )
        return HlrResult(
            message_id=message_id,
            lookup_keys=keys,
            stat=stat,
            state=state,
            error_code=error_code,
            imsi=_token(fields.get("imsi")) or None,
            msc=_token(fields.get("msc")) or None,
            mcc=_token(fields.get("mcc")) or None,
            mnc=_token(fields.get("mnc")) or None,
            country=country,
            network=network,
            roaming_country=roaming_country,
            roaming_network=roaming_network,
            roaming=roaming,
            raw=text,
        )
    return DeliveryReceipt(
        message_id=message_id,
        lookup_keys=keys,
        stat=stat,
        state=state,
        error_code=error_code,
        submitted=_count(fields.get("sub")),
        delivered=_count(fields.get("dlvrd")),
        submit_date=parse_receipt_date(fields.get("submitdate", ""), receipt_tz),
        done_date=parse_receipt_date(fields.get("donedate", ""), receipt_tz),
        text=fields.get("text"),
        raw=text,
    )


# --------------------------------------------------------------------------------------------
# deliver_sm

ESM_UDHI: Final = 0x40
"""esm_class bit: short_message starts with a user data header."""
ESM_TYPE_MASK: Final = 0x3C
_REPORT_TYPES: Final = frozenset({0x04, 0x08, 0x20})
"""SMSC delivery receipt, SME delivery acknowledgement, intermediate delivery notification."""

type _Concat = tuple[Literal["udh8", "udh16"], int, int, int]


def _split_udh(data: bytes) -> tuple[bytes, _Concat | None] | None:
    """Strip the user data header; return the rest and the concatenation IE, None if broken."""
    if not data or 1 + data[0] > len(data):
        return None
    header, payload = data[1 : 1 + data[0]], data[1 + data[0] :]
    concat: _Concat | None = None
    pos = 0
    while pos + 2 <= len(header):
        iei, length = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + length]
        pos += 2 + length
        if len(value) < length:
            break
        if concat is None and iei == 0x00 and length == 3:
            concat = ("udh8", value[0], value[1], value[2])
        elif concat is None and iei == 0x08 and length == 4:
            concat = ("udh16", (value[0] << 8) | value[1], value[2], value[3])
    return payload, concat


def _preview(data: bytes) -> str:
    return data[: _PREVIEW // 2].hex()


def _parse(sm: DeliverSm, receipt_tz: tzinfo) -> DeliverSmResult:
    body = sm.short_message
    if not body and sm.message_payload:
        body = sm.message_payload
    udhi = bool(sm.esm_class & ESM_UDHI)
    message_type = sm.esm_class & ESM_TYPE_MASK
    is_report = message_type in _REPORT_TYPES or (
        message_type == 0 and sm.receipted_message_id is not None and sm.message_state is not None
    )

    if is_report:
        if udhi and (split := _split_udh(body)) is not None:
            body = split[0]
        result = parse_receipt(
            _decode_report_text(body, sm.data_coding),
            receipted_message_id=sm.receipted_message_id,
            message_state=sm.message_state,
            receipt_tz=receipt_tz,
        )
        if isinstance(result, UnparsedReport):
            return UnparsedReport(
                result.reason,
                raw=result.raw,
                esm_class=sm.esm_class,
                data_coding=sm.data_coding,
                source=sm.source_addr,
                destination=sm.destination_addr,
            )
        return result

    kind: Literal["", "udh8", "udh16", "sar"] = ""
    reference: int | None = None
    total = sequence = 1
    if udhi:
        split = _split_udh(body)
        if split is None:
            return UnparsedReport(
                UnparsedReason.BAD_UDH,
                raw=_preview(body),
                esm_class=sm.esm_class,
                data_coding=sm.data_coding,
                source=sm.source_addr,
                destination=sm.destination_addr,
            )
        body, concat = split
        if concat is not None:
            kind, reference, total, sequence = concat
    if (
        kind == ""
        and sm.sar_msg_ref_num is not None
        and sm.sar_total_segments is not None
        and sm.sar_segment_seqnum is not None
    ):
        kind, reference = "sar", sm.sar_msg_ref_num
        total, sequence = sm.sar_total_segments, sm.sar_segment_seqnum
    if not 1 <= sequence <= total <= 255 or total == 1:
        # Not part of a set (or a nonsensical one): deliver what there is on its own.
        kind, reference, total, sequence = "", None, 1, 1
    return IncomingPart(
        source=sm.source_addr,
        destination=sm.destination_addr,
        data_coding=sm.data_coding,
        payload=body,
        reference=reference,
        total=total,
        sequence=sequence,
        reference_kind=kind,
    )


def parse_deliver_sm(sm: DeliverSm, *, receipt_tz: tzinfo = UTC) -> DeliverSmResult:
    """Classify and parse a ``deliver_sm``; never raises.

    ``esm_class & 0x3C`` of 0x04 (SMSC receipt), 0x08 (SME acknowledgement) or 0x20
    (intermediate notification) -- or a PDU with both ``receipted_message_id`` and
    ``message_state`` -- is a status report: :class:`DeliveryReceipt`, or :class:`HlrResult`
    when its text has ``imsi:``.  Anything else is an incoming SMS: :class:`IncomingPart`
    (UDH stripped; concatenation from the UDH, IEI 0x00 or 0x08, else from the ``sar_*`` TLVs).
    The text comes from ``short_message``, or ``message_payload`` when that is empty.
    """
    try:
        return _parse(sm, receipt_tz)
    except Exception:  # the reader thread must survive any input
        return UnparsedReport(
            UnparsedReason.PARSER_ERROR,
            raw=repr(sm)[:_PREVIEW],
            esm_class=_as_int(getattr(sm, "esm_class", 0)) or 0,
            data_coding=_as_int(getattr(sm, "data_coding", 0)) or 0,
        )


# --------------------------------------------------------------------------------------------
# Multipart assembly


@dataclass(slots=True)
class _PendingSet:
    created: float
    parts: dict[int, IncomingPart] = field(default_factory=dict)
    size: int = 0


type _SetKey = tuple[str, str, str, int, int]


def _join(parts: list[IncomingPart]) -> IncomingMessage:
    """Join the parts' octets before decoding (a UCS-2 surrogate pair or GSM escape may span
    parts); parts in different codings are decoded one by one."""
    first = parts[0]
    if all(part.data_coding == first.data_coding for part in parts):
        text = decode_short_message(b"".join(part.payload for part in parts), first.data_coding)
    else:
        text = "".join(decode_short_message(part.payload, part.data_coding) for part in parts)
    return IncomingMessage(
        source=first.source,
        destination=first.destination,
        text=text,
        data_coding=first.data_coding,
        parts=len(parts),
    )


class IncomingAssembler:
    """Reassemble multipart incoming SMS.  Not thread-safe: use it from the reader thread.

    A set is keyed by source, destination, kind and number of its reference, and its part
    count.  A repeated part is ignored.  Sets older than ``max_age`` seconds (counted from
    their first part) are dropped; beyond ``max_pending`` sets or ``max_bytes`` octets held,
    the oldest are dropped.  :attr:`expired` and :attr:`evicted` count the drops.
    """

    def __init__(
        self,
        *,
        max_pending: int = 256,
        max_age: float = 600.0,
        max_bytes: int = 1 << 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set the bounds; ``clock`` returns seconds (monotonic)."""
        self._max_pending = max_pending
        self._max_age = max_age
        self._max_bytes = max_bytes
        self._clock = clock
        self._sets: OrderedDict[_SetKey, _PendingSet] = OrderedDict()
        self._bytes = 0
        self.expired = 0
        """Incomplete sets dropped for age, since creation."""
        self.evicted = 0
        """Incomplete sets dropped to stay within ``max_pending`` / ``max_bytes``."""

    @property
    def pending(self) -> int:
        """Number of incomplete sets held."""
        return len(self._sets)

    @property
    def pending_bytes(self) -> int:
        """Octets held in incomplete sets."""
        return self._bytes

    def clear(self) -> None:
        """Forget every incomplete set (not counted as dropped)."""
        self._sets.clear()
        self._bytes = 0

    def expire(self) -> int:
        """Drop the sets older than ``max_age``; return how many went."""
        deadline = self._clock() - self._max_age
        dropped = 0
        while self._sets:
            key, pending = next(iter(self._sets.items()))
            if pending.created > deadline:
                break
            self._drop(key)
            dropped += 1
        self.expired += dropped
        return dropped

    def _drop(self, key: _SetKey) -> None:
        self._bytes -= self._sets.pop(key).size

    def feed(self, part: IncomingPart) -> IncomingMessage | None:
        """Add a part; return the message once complete (a single part at once), else None."""
        if part.reference is None or not 1 <= part.sequence <= part.total or part.total == 1:
            return _join([part])
        self.expire()
        key: _SetKey = (
            part.source,
            part.destination,
            part.reference_kind,
            part.reference,
            part.total,
        )
        pending = self._sets.get(key)
        if pending is None:
            pending = self._sets[key] = _PendingSet(created=self._clock())
        if part.sequence in pending.parts:
            return None
        pending.parts[part.sequence] = part
        pending.size += len(part.payload)
        self._bytes += len(part.payload)
        if len(pending.parts) >= part.total:
            self._drop(key)
            return _join([pending.parts[number] for number in sorted(pending.parts)])
        while self._sets and (len(self._sets) > self._max_pending or self._bytes > self._max_bytes):
            self._drop(next(iter(self._sets)))
            self.evicted += 1
        return None


# --------------------------------------------------------------------------------------------
# Logging once


class FailureTally:
    """Count failures by kind and tell when a kind is new, so each is logged only once.

    ``if tally.record(report.reason): _LOGGER.warning(...)`` -- later ones at DEBUG.  Kinds
    beyond ``max_kinds`` are counted under ``"other"`` and never reported as new again.
    """

    def __init__(self, max_kinds: int = 64) -> None:
        """Bound the number of distinct kinds kept."""
        self._max_kinds = max_kinds
        self._counts: dict[str, int] = {}

    def record(self, kind: str) -> bool:
        """Count one failure of ``kind``; True the first time this kind is seen."""
        key = str(kind)
        if key not in self._counts and len(self._counts) >= self._max_kinds:
            key = "other"
            first = False
        else:
            first = key not in self._counts
        self._counts[key] = self._counts.get(key, 0) + 1
        return first

    @property
    def counts(self) -> Mapping[str, int]:
        """Failures per kind (a copy)."""
        return dict(self._counts)

    @property
    def total(self) -> int:
        """All failures counted."""
        return sum(self._counts.values())
