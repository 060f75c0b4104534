"""Turn a send request into exactly the ``submit_sm`` PDUs SMSC expects.

Pure Python: no Home Assistant imports and no smpplib dependency.  The session layer turns each
:class:`SubmitPart` into ``send_message`` keyword arguments (see :meth:`SubmitPart.submit_kwargs`)
and the addresses of :func:`normalize_recipient` / :func:`normalize_sender` into
``destination_addr`` / ``source_addr`` with their TON and NPI.

Message kinds (SMSC picks the channel from a prefix of the text)::

    SMS      <message>
    call     __CALL__: <message>\\nvoice:<voice>[\\n~~~\\n<param>]
    Viber    __VIBER__: <message>           (SMSC's button / file macros are passed untouched)
    MMS      __MMS__: <message>\\nsubj:<subject>
    e-mail   __MAIL__: <message>\\nsubj:<subject>
    social   __SOC__: <message>
    HLR      __HLR__
    Ping     __PING__

A comment (shown only in the SMSC account's history, never sent, free of charge) is appended as
``\\n~~~\\n<comment>``.  **Calls:** the text after the first marker is the call ``param`` and the
text after a second marker is the comment.  So a call with a comment and no param gets an empty
param section: ``...\\nvoice:m4\\n~~~\\n\\n~~~\\n<comment>``; a call with both is
``...\\n~~~\\n<param>\\n~~~\\n<comment>``; a call with a param only is ``...\\n~~~\\n<param>``.
Because the marker is a line holding only ``~~~``, a multi-line message or param containing such
a line is refused (``reserved_sequence``): SMSC would cut the text there.  Comments are not
checked: everything after the marker is comment anyway.  An SMS whose text starts with
``__NAME__`` (e.g. ``__HLR__``) is refused (``reserved_prefix``): SMSC would send another kind
of message.

Encoding (``data_coding``):

* GSM 03.38 7-bit (0) when every character is in the GSM alphabet, the extension table included
  (``€ [ ] { } ~ ^ | \\`` and form feed count as two septets).  Carried unpacked, one septet per
  octet, escapes as ``0x1B`` + code.  Note that GSM is not ASCII: ``_`` is 0x11, ``@`` 0x00,
  ``$`` 0x02, so the prefix ``__HLR__`` goes out as ``11 11 48 4C 52 11 11``.
* Latin-1 (4) only when the session is bound with ``system_type="ISO"`` (``iso_bound=True``) and
  the text fits Latin-1 but not GSM.
* UCS-2 / UTF-16BE (8) otherwise; a character outside the BMP is a surrogate pair, counts as two
  units and is never split across parts.

Splitting: one part holds 160 septets / 140 octets / 70 UTF-16 units; longer texts become
concatenated parts with the 6-octet UDH ``05 00 03 ref total seq`` (``esm_class`` 0x40) of at most
153 septets / 134 octets / 67 units each, never splitting an escape sequence or a surrogate pair.
More than ``max_parts`` parts (default :data:`DEFAULT_MAX_PARTS`) are refused.  With
``use_message_payload=True`` a text that needs more than one part is sent whole in one PDU in the
``message_payload`` TLV (empty ``short_message``, no UDH; SMSC splits it); ``max_parts`` still
applies to the number of SMS it costs.

Phone numbers (:func:`normalize_recipient`): spaces, dashes, dots and parentheses are dropped; a
leading ``+`` or ``00`` marks the international format; without either, a number of exactly 11
digits starting with ``8`` is a Russian domestic number and its ``8`` becomes ``7``
(``8 999 123-45-67`` → ``79991234567``; numbers of countries +8x must therefore be written with
``+`` or ``00``).  The result must not start with ``0`` (no country code) and must have
:data:`MIN_NUMBER_DIGITS` to :data:`MAX_NUMBER_DIGITS` digits (E.164); it is returned without
``+``, TON 1 (international), NPI 1 (E.164).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
import itertools
import math
import re
import threading
from typing import Final

from .errors import AddressError, ComposeError, EncodingError, TooManyPartsError
from .gsm import gsm_char_septets, gsm_encode

__all__ = [
    "COMMENT_MARKER",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_VOICE",
    "MAX_NUMBER_DIGITS",
    "MAX_PARTS_LIMIT",
    "MAX_SENDER_LENGTH",
    "MIN_NUMBER_DIGITS",
    "VOICES",
    "Address",
    "ComposedMessage",
    "Encoding",
    "MessageKind",
    "MessageRequest",
    "Npi",
    "SubmitPart",
    "Ton",
    "build_text",
    "compose",
    "next_reference",
    "normalize_recipient",
    "normalize_sender",
]

COMMENT_MARKER: Final = "\n~~~\n"
"""Separates the message from a comment (and, for calls, from the call ``param``)."""

DEFAULT_MAX_PARTS: Final = 6
"""Default cap on the SMS parts of one message (918 GSM / 402 UCS-2 characters)."""

MAX_PARTS_LIMIT: Final = 255
"""The 8-bit concatenation header cannot count more parts than this."""

ESM_CLASS_DEFAULT: Final = 0x00
ESM_CLASS_UDHI: Final = 0x40
"""``esm_class`` bit telling that ``short_message`` starts with a user data header."""

UDH_IEI_CONCAT_8BIT: Final = 0x00
"""Information element: concatenated short message, 8-bit reference number."""

SMS_AIR_OCTETS: Final = 140
"""TP-User-Data of one SMS on the air interface."""

MIN_NUMBER_DIGITS: Final = 8
"""Fewest digits of an international number (country code included), e.g. +298 123456."""

MAX_NUMBER_DIGITS: Final = 15
"""Most digits of an international number (E.164)."""

MAX_SENDER_LENGTH: Final = 11
"""Alphanumeric sender IDs carry at most 11 GSM characters."""

MIN_SHORT_CODE_DIGITS: Final = 3
MAX_SHORT_CODE_DIGITS: Final = 8

VOICES: Final = ("m", "m2", "m3", "m4", "w", "w2", "w3", "w4")
"""Voices of a call: male ``m``..``m4``, female ``w``..``w4``."""

DEFAULT_VOICE: Final = "m4"


class MessageKind(StrEnum):
    """Channel of a message; SMSC selects it by a prefix of the text."""

    SMS = "sms"
    CALL = "call"
    VIBER = "viber"
    MMS = "mms"
    EMAIL = "email"
    SOCIAL = "social"
    HLR = "hlr"
    PING = "ping"


class Encoding(StrEnum):
    """Text encoding of the PDUs; ``AUTO`` picks the most compact one available."""

    AUTO = "auto"
    GSM = "gsm"
    LATIN1 = "latin1"
    UCS2 = "ucs2"


DATA_CODING: Final[dict[Encoding, int]] = {
    Encoding.GSM: 0,
    Encoding.LATIN1: 4,
    Encoding.UCS2: 8,
}
"""``data_coding`` of each concrete encoding (SMSC's ``coding * 4``)."""

ENCODING_NAMES: Final[dict[Encoding, str]] = {
    Encoding.GSM: "GSM 7-bit",
    Encoding.LATIN1: "Latin-1",
    Encoding.UCS2: "UCS-2",
}


class Ton(IntEnum):
    """SMPP type of number."""

    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER = 4
    ALPHANUMERIC = 5
    ABBREVIATED = 6


class Npi(IntEnum):
    """SMPP numbering plan indicator."""

    UNKNOWN = 0
    ISDN = 1


# --------------------------------------------------------------------------------------------
# Message text
# --------------------------------------------------------------------------------------------

_PREFIX: Final[dict[MessageKind, str]] = {
    MessageKind.SMS: "",
    MessageKind.CALL: "__CALL__: ",
    MessageKind.VIBER: "__VIBER__: ",
    MessageKind.MMS: "__MMS__: ",
    MessageKind.EMAIL: "__MAIL__: ",
    MessageKind.SOCIAL: "__SOC__: ",
}
_FIXED_TEXT: Final[dict[MessageKind, str]] = {
    MessageKind.HLR: "__HLR__",
    MessageKind.PING: "__PING__",
}
_ALLOWED_FIELDS: Final[dict[MessageKind, frozenset[str]]] = {
    MessageKind.SMS: frozenset({"message"}),
    MessageKind.CALL: frozenset({"message", "voice", "param"}),
    MessageKind.VIBER: frozenset({"message"}),
    MessageKind.MMS: frozenset({"message", "subject"}),
    MessageKind.EMAIL: frozenset({"message", "subject"}),
    MessageKind.SOCIAL: frozenset({"message"}),
    MessageKind.HLR: frozenset(),
    MessageKind.PING: frozenset(),
}
"""Fields each kind takes besides ``comment`` (which every kind takes)."""


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """What to send, before encoding.

    ``None`` and ``""`` both mean "not given" for the optional fields.  ``voice`` is matched
    case-insensitively and defaults to :data:`DEFAULT_VOICE`.  ``subject`` is required for MMS
    and e-mail.
    """

    kind: MessageKind = MessageKind.SMS
    message: str = ""
    voice: str | None = None
    subject: str | None = None
    param: str | None = None
    comment: str | None = None


_RESERVED_PREFIX: Final = re.compile(r"__[A-Za-z][A-Za-z0-9_]*__")
"""SMSC selects a kind by a ``__NAME__`` prefix; an SMS must not start with one."""


def _has_marker_line(value: str) -> bool:
    """Tell whether a multi-line value has a line holding only ``~~~``."""
    lines = value.split("\n")
    return len(lines) > 1 and "~~~" in lines


def build_text(request: MessageRequest) -> str:
    """Build the text SMSC expects for ``request`` (prefix, fields, comment).

    Raises:
        ComposeError: ``empty_message``, ``field_not_allowed``, ``subject_required``,
            ``invalid_subject``, ``invalid_voice``, ``reserved_sequence`` or
            ``reserved_prefix`` (an SMS starting with ``__NAME__``, which SMSC would read as
            another kind of message).

    """
    kind = MessageKind(request.kind)
    allowed = _ALLOWED_FIELDS[kind]
    given = {
        "message": request.message or "",
        "voice": request.voice or "",
        "subject": request.subject or "",
        "param": request.param or "",
    }
    for name, value in given.items():
        if value and name not in allowed:
            raise ComposeError("field_not_allowed", kind=kind.value, field=name)
    comment = request.comment or ""

    for name in ("message", "param"):
        if _has_marker_line(given[name]):
            raise ComposeError("reserved_sequence", field=name)

    if kind in _FIXED_TEXT:
        text = _FIXED_TEXT[kind]
    else:
        message = given["message"]
        if not message.strip():
            raise ComposeError("empty_message")
        if kind is MessageKind.SMS and (prefix := _RESERVED_PREFIX.match(message.lstrip())):
            # SMSC would take "__HLR__", "__CALL__: ..." etc. for another kind of message.
            raise ComposeError("reserved_prefix", prefix=prefix.group())
        text = _PREFIX[kind] + message
        if kind is MessageKind.CALL:
            voice = given["voice"].strip().lower() or DEFAULT_VOICE
            if voice not in VOICES:
                raise ComposeError("invalid_voice", voice=given["voice"], voices=", ".join(VOICES))
            text += f"\nvoice:{voice}"
            param = given["param"]
            if param or comment:
                # The first marker opens the param section, even when it stays empty, so that
                # a comment always follows the second marker.
                text += COMMENT_MARKER + param
        elif kind in (MessageKind.MMS, MessageKind.EMAIL):
            subject = given["subject"]
            if not subject.strip():
                raise ComposeError("subject_required", kind=kind.value)
            if "\n" in subject or "\r" in subject:
                raise ComposeError("invalid_subject")
            text += f"\nsubj:{subject}"

    if comment:
        text += COMMENT_MARKER + comment
    return text


# --------------------------------------------------------------------------------------------
# Encoding and splitting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Codec:
    encoding: Encoding
    single_limit: int
    part_limit: int
    units: Callable[[str], int]
    encode: Callable[[str], bytes]


def _ucs2_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _gsm_units(char: str) -> int:
    septets = gsm_char_septets(char)
    if septets is None:  # pragma: no cover - the text was checked before
        msg = f"{char!r} is not GSM"
        raise ValueError(msg)
    return septets


def _latin1_encode(text: str) -> bytes:
    return text.encode("latin-1")


def _ucs2_encode(text: str) -> bytes:
    return text.encode("utf-16-be")


_CODECS: Final[dict[Encoding, _Codec]] = {
    Encoding.GSM: _Codec(Encoding.GSM, 160, 153, _gsm_units, gsm_encode),
    Encoding.LATIN1: _Codec(Encoding.LATIN1, 140, 134, lambda _char: 1, _latin1_encode),
    Encoding.UCS2: _Codec(Encoding.UCS2, 70, 67, _ucs2_units, _ucs2_encode),
}


def _describe(char: str) -> str:
    """Show a character in an error message; invisible ones as ``U+XXXX``."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def _first_misfit(text: str, encoding: Encoding) -> str | None:
    """Return the first character of ``text`` the encoding cannot carry, or None."""
    for char in text:
        if encoding is Encoding.GSM:
            if gsm_char_septets(char) is None:
                return char
        elif encoding is Encoding.LATIN1:
            if ord(char) > 0xFF:
                return char
        elif 0xD800 <= ord(char) <= 0xDFFF:  # a lone surrogate has no UTF-16 form
            return char
    return None


def _choose_encoding(text: str, requested: Encoding, *, iso_bound: bool) -> Encoding:
    if requested is Encoding.LATIN1 and not iso_bound:
        raise EncodingError("latin1_requires_iso")
    if requested is Encoding.AUTO:
        if _first_misfit(text, Encoding.GSM) is None:
            return Encoding.GSM
        if iso_bound and _first_misfit(text, Encoding.LATIN1) is None:
            return Encoding.LATIN1
        requested = Encoding.UCS2
    misfit = _first_misfit(text, requested)
    if misfit is not None:
        raise EncodingError(
            "encoding_not_possible",
            encoding=ENCODING_NAMES[requested],
            character=_describe(misfit),
        )
    return requested


def _split(text: str, codec: _Codec) -> tuple[list[str], int]:
    """Split ``text`` into chunks of at most ``part_limit`` units; return them and the total.

    Splitting happens between characters, so an escape sequence (one GSM character) or a
    surrogate pair (one Python character) is never cut.
    """
    units = [codec.units(char) for char in text]
    total = sum(units)
    if total <= codec.single_limit:
        return [text], total
    chunks: list[str] = []
    start = 0
    used = 0
    for index, size in enumerate(units):
        if used + size > codec.part_limit:
            chunks.append(text[start:index])
            start = index
            used = 0
        used += size
    chunks.append(text[start:])
    return chunks, total


_reference_counter = itertools.count(1)
_reference_lock = threading.Lock()


def next_reference() -> int:
    """Return the next concatenation reference (1, 2, ..., 255, 0, 1, ...); thread-safe."""
    with _reference_lock:
        return next(_reference_counter) % 256


@dataclass(frozen=True, slots=True)
class SubmitPart:
    """The encoding-related fields of one ``submit_sm``.

    ``short_message`` holds the UDH (when ``esm_class`` has the UDHI bit 0x40) followed by the
    encoded text; it is empty when the text travels in ``message_payload``.
    """

    short_message: bytes
    data_coding: int
    esm_class: int = ESM_CLASS_DEFAULT
    message_payload: bytes | None = None

    @property
    def udh(self) -> bytes:
        """The user data header (empty without the UDHI bit)."""
        if self.esm_class & ESM_CLASS_UDHI and self.short_message:
            return self.short_message[: self.short_message[0] + 1]
        return b""

    @property
    def body(self) -> bytes:
        """The encoded text of this PDU, without UDH."""
        if self.message_payload is not None:
            return self.message_payload
        return self.short_message[len(self.udh) :]

    @property
    def concat(self) -> tuple[int, int, int] | None:
        """``(reference, total, sequence)`` from an 8-bit concatenation UDH, else None."""
        udh = self.udh
        if len(udh) == 6 and udh[1] == UDH_IEI_CONCAT_8BIT and udh[2] == 3:
            return udh[3], udh[4], udh[5]
        return None

    @property
    def air_octets(self) -> int:
        """Octets the user data takes on the air interface (at most 140 for one SMS).

        GSM text is counted packed: the UDH is padded to a septet boundary, then 7 bits per
        septet.  For a ``message_payload`` PDU this is the size of the whole payload, which SMSC
        splits itself, so it may exceed 140.
        """
        udh_octets = len(self.udh)
        septets_or_octets = len(self.body)
        if self.data_coding == DATA_CODING[Encoding.GSM]:
            udh_septets = math.ceil(udh_octets * 8 / 7)
            return math.ceil((udh_septets + septets_or_octets) * 7 / 8)
        return udh_octets + septets_or_octets

    def submit_kwargs(self) -> dict[str, int | bytes]:
        """Keyword arguments for smpplib's ``send_message`` covering the text of this part."""
        kwargs: dict[str, int | bytes] = {
            "short_message": self.short_message,
            "data_coding": self.data_coding,
            "esm_class": self.esm_class,
        }
        if self.message_payload is not None:
            kwargs["message_payload"] = self.message_payload
        return kwargs


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """A request ready to submit: one :class:`SubmitPart` per ``submit_sm``.

    ``units`` is the length in the chosen encoding (septets, octets or UTF-16 units);
    ``segments`` is the number of SMS the text costs (equal to ``len(parts)`` unless the text
    travels in ``message_payload``).
    """

    text: str
    encoding: Encoding
    data_coding: int
    parts: tuple[SubmitPart, ...]
    units: int
    segments: int = 1

    @property
    def uses_message_payload(self) -> bool:
        """Tell whether the text travels in the ``message_payload`` TLV."""
        return any(part.message_payload is not None for part in self.parts)


def compose(
    request: MessageRequest | str,
    *,
    iso_bound: bool = False,
    encoding: Encoding = Encoding.AUTO,
    max_parts: int = DEFAULT_MAX_PARTS,
    use_message_payload: bool = False,
    reference: int | None = None,
) -> ComposedMessage:
    """Encode and split a request (or an already built text) into ``submit_sm`` parts.

    Args:
        request: a :class:`MessageRequest`, or the exact text to send.
        iso_bound: the session is bound with ``system_type="ISO"`` (Latin-1 is available).
        encoding: force an encoding; ``AUTO`` picks GSM, then Latin-1 (ISO only), then UCS-2.
        max_parts: most SMS parts allowed (1..255).
        use_message_payload: send a text needing several parts as one PDU with the
            ``message_payload`` TLV instead of UDH parts (a one-part text still uses
            ``short_message``).
        reference: the 8-bit concatenation reference; by default :func:`next_reference`.

    Raises:
        ComposeError: the request is refused; see ``translation_key``.

    """
    text = build_text(request) if isinstance(request, MessageRequest) else request
    if not text:
        raise ComposeError("empty_message")
    if not 1 <= max_parts <= MAX_PARTS_LIMIT:
        msg = f"max_parts must be between 1 and {MAX_PARTS_LIMIT}, not {max_parts}"
        raise ValueError(msg)
    if reference is not None and not 0 <= reference <= 255:
        raise ComposeError("invalid_reference", reference=reference)

    chosen = _choose_encoding(text, Encoding(encoding), iso_bound=iso_bound)
    codec = _CODECS[chosen]
    data_coding = DATA_CODING[chosen]
    chunks, units = _split(text, codec)
    segments = len(chunks)
    if segments > max_parts:
        raise TooManyPartsError("too_many_parts", parts=segments, max_parts=max_parts)

    if segments == 1:
        parts: tuple[SubmitPart, ...] = (SubmitPart(codec.encode(text), data_coding),)
    elif use_message_payload:
        # At most 255 parts of 134 octets: always far below the 65535 octets a TLV can hold.
        parts = (SubmitPart(b"", data_coding, ESM_CLASS_DEFAULT, codec.encode(text)),)
    else:
        ref = next_reference() if reference is None else reference
        parts = tuple(
            SubmitPart(
                bytes((5, UDH_IEI_CONCAT_8BIT, 3, ref, segments, seq)) + codec.encode(chunk),
                data_coding,
                ESM_CLASS_UDHI,
            )
            for seq, chunk in enumerate(chunks, start=1)
        )
    return ComposedMessage(
        text=text,
        encoding=chosen,
        data_coding=data_coding,
        parts=parts,
        units=units,
        segments=segments,
    )


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    """An SMPP address: ``addr`` (no ``+``) with its TON and NPI."""

    addr: str
    ton: int
    npi: int


_DIGITS: Final = frozenset("0123456789")
_SEPARATORS: Final = frozenset(" \t\u00a0\u202f-\u2010\u2011\u2012\u2013\u2014().")
_SENDER_CHARACTERS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()*+,-./:;<=>?@_"
)
"""Printable ASCII characters of the GSM basic table (no escapes) allowed in a sender name."""


def _international_digits(number: str, *, shown: str) -> str:
    """Apply the phone-number rule of the module docstring; return the digits."""
    compact = "".join(char for char in number.strip() if char not in _SEPARATORS)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits or any(char not in _DIGITS for char in digits):
        raise AddressError("invalid_phone_number", number=shown)
    if not plus:
        if digits.startswith("00"):
            digits = digits[2:]
        elif len(digits) == 11 and digits.startswith("8"):
            digits = "7" + digits[1:]
    if not digits or digits.startswith("0"):
        raise AddressError("phone_number_no_country_code", number=shown)
    if not MIN_NUMBER_DIGITS <= len(digits) <= MAX_NUMBER_DIGITS:
        raise AddressError(
            "phone_number_length",
            number=shown,
            digits=len(digits),
            min_digits=MIN_NUMBER_DIGITS,
            max_digits=MAX_NUMBER_DIGITS,
        )
    return digits


def normalize_recipient(number: str) -> Address:
    """Normalise a recipient phone number (rule in the module docstring).

    ``"+7 (999) 123-45-67"`` and ``"8 999 123 45 67"`` both give
    ``Address("79991234567", ton=1, npi=1)``.

    Raises:
        AddressError: ``invalid_phone_number``, ``phone_number_no_country_code`` or
            ``phone_number_length``.

    """
    digits = _international_digits(number, shown=number.strip())
    return Address(digits, Ton.INTERNATIONAL, Npi.ISDN)


def normalize_sender(sender: str) -> Address:
    """Normalise a sender (``source_addr``).

    * Only digits, separators and a leading ``+``: a number.  With ``+``, or more than
      :data:`MAX_SHORT_CODE_DIGITS` digits, it is an international number normalised like a
      recipient (TON 1, NPI 1); otherwise a short code of 3..8 digits (TON 3 network-specific,
      NPI 0).
    * Anything else: an alphanumeric sender ID (TON 5, NPI 0) of at most 11 printable ASCII
      characters of the GSM basic table (letters, digits, space and ``!"#$%&'()*+,-./:;<=>?@_``)
      with at least one Latin letter; surrounding spaces are dropped.

    Raises:
        AddressError: ``invalid_sender``, ``invalid_sender_character``, ``sender_too_long``,
            ``invalid_short_code`` or a phone-number key.

    """
    name = sender.strip()
    if not name:
        raise AddressError("invalid_sender", sender=name)
    numeric = all(char in _DIGITS or char in _SEPARATORS for char in name.removeprefix("+"))
    if numeric and any(char in _DIGITS for char in name):
        digits = "".join(char for char in name if char in _DIGITS)
        if name.startswith("+") or len(digits) > MAX_SHORT_CODE_DIGITS:
            return Address(_international_digits(name, shown=name), Ton.INTERNATIONAL, Npi.ISDN)
        if len(digits) < MIN_SHORT_CODE_DIGITS:
            raise AddressError(
                "invalid_short_code",
                sender=name,
                min_digits=MIN_SHORT_CODE_DIGITS,
                max_digits=MAX_SHORT_CODE_DIGITS,
            )
        return Address(digits, Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)
    for char in name:
        if char not in _SENDER_CHARACTERS:
            raise AddressError("invalid_sender_character", sender=name, character=_describe(char))
    if len(name) > MAX_SENDER_LENGTH:
        raise AddressError(
            "sender_too_long", sender=name, length=len(name), max_length=MAX_SENDER_LENGTH
        )
    if not any(char.isascii() and char.isalpha() for char in name):
        raise AddressError("invalid_sender", sender=name)
    return Address(name, Ton.ALPHANUMERIC, Npi.UNKNOWN)
