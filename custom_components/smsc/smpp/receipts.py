"""Read SMSC's status reports (delivery receipts, HLR results) and match them to sent messages.

Used on the session's I/O thread, which parses every report through :mod:`.deliver_sm`; the
results are immutable and go to the event loop from there.  The hub, on the event loop, keys
the messages it sent with :func:`normalize_message_id`.  Pure functions; no Home Assistant or
smpplib imports.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
import re
from typing import Final, Literal
from urllib.parse import unquote_to_bytes

__all__ = [
    "MESSAGE_STATES",
    "UNPARSED_PREVIEW",
    "DeliveryReceipt",
    "DeliveryState",
    "HlrResult",
    "UnparsedReason",
    "UnparsedReport",
    "message_id_keys",
    "normalize_message_id",
    "parse_receipt",
    "parse_receipt_date",
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
    """A bug in the parser; never expected."""


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
    source: str = ""
    """The ``deliver_sm``'s ``source_addr``: SMSC puts the message's recipient there."""


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
    source: str = ""
    """The ``deliver_sm``'s ``source_addr``: the number that was looked up."""


@dataclass(frozen=True, slots=True)
class UnparsedReport:
    """A ``deliver_sm`` that gave nothing usable."""

    reason: UnparsedReason
    raw: str
    """A preview (at most :data:`UNPARSED_PREVIEW` characters) of the content, for the log."""
    esm_class: int = 0
    data_coding: int = 0
    source: str = ""
    destination: str = ""


UNPARSED_PREVIEW: Final = 200
"""Most characters of :attr:`UnparsedReport.raw`."""


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
    """The TLV id wins, unless it is the text's id with its last character cut off.

    A reader that assumes every string TLV ends in a NUL (smpplib's does) loses a character of
    an id SMSC sent without one. `wire.read_deliver_sm` keeps it, but a report relayed by such a
    reader can still carry the shortened id; the text's full id is then the one SMSC gave.
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
        return UnparsedReport(UnparsedReason.NO_MESSAGE_ID, raw=text[:UNPARSED_PREVIEW])
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
