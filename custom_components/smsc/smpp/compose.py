"""Turn a send request into exactly the ``submit_sm`` PDUs SMSC expects: text, encoding, parts.

Used on the event loop, by the hub when it sends; :func:`compose` keeps no state.  Pure Python:
no Home Assistant imports and no smpplib dependency.  The hub turns each :class:`SubmitPart` into
``send_message`` keyword arguments (see :meth:`SubmitPart.submit_kwargs`); the addresses come
from :mod:`.address`.

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

Encoding (``data_coding``) of an SMS:

* GSM 03.38 7-bit (0) when every character is in the GSM alphabet, the extension table included
  (``€ [ ] { } ~ ^ | \\`` and form feed count as two septets).  Carried unpacked, one septet per
  octet, escapes as ``0x1B`` + code.  Note that GSM is not ASCII: ``_`` is 0x11, ``@`` 0x00,
  ``$`` 0x02, so the prefix ``__HLR__`` goes out as ``11 11 48 4C 52 11 11``.
* Latin-1 (4) only when the session is bound with ``system_type="ISO"`` (``iso_bound=True``) and
  the text fits Latin-1 but not GSM.
* UCS-2 / UTF-16BE (8) otherwise; a character outside the BMP is a surrogate pair, counts as two
  units and is never split across parts.

Every other kind (the ones SMSC picks by a ``__NAME__`` prefix) always goes as UCS-2 in exactly
one ``submit_sm``: in ``short_message`` when it fits one part (70 units), else whole in the
``message_payload`` TLV, never as concatenated parts, because SMSC reads the prefix and the
``voice:``/``subj:`` lines from one text.  UCS-2 also reads the same however a server interprets
``data_coding``: the prefix's ``_`` is 0x005F, where GSM would make it 0x11 and a server reading
coding 0 as ASCII would not see a prefix at all.  Such a text is limited to
:data:`MAX_PREFIXED_LENGTH` units instead of ``max_parts``.

Splitting (SMS): one part holds 160 septets / 140 octets / 70 UTF-16 units; longer texts become
concatenated parts with the 6-octet UDH ``05 00 03 ref total seq`` (``esm_class`` 0x40) of at most
153 septets / 134 octets / 67 units each, never splitting an escape sequence or a surrogate pair.
More than ``max_parts`` parts (default :data:`DEFAULT_MAX_PARTS`) are refused.  With
``use_message_payload=True`` a text that needs more than one part is sent whole in one PDU in the
``message_payload`` TLV (empty ``short_message``, no UDH; SMSC splits it); ``max_parts`` still
applies to the number of SMS it costs.  The concatenation reference is the caller's: the hub
keeps its own counter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Final

from .errors import ComposeError, EncodingError, TooManyPartsError
from .gsm import gsm_char_septets, gsm_encode

__all__ = [
    "COMMENT_MARKER",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_VOICE",
    "MAX_PARTS_LIMIT",
    "MAX_PREFIXED_LENGTH",
    "VOICES",
    "ComposedMessage",
    "Encoding",
    "MessageKind",
    "MessageRequest",
    "SubmitPart",
    "build_text",
    "compose",
]

COMMENT_MARKER: Final = "\n~~~\n"
"""Separates the message from a comment (and, for calls, from the call ``param``)."""

DEFAULT_MAX_PARTS: Final = 6
"""Default cap on the SMS parts of one message (918 GSM / 402 UCS-2 characters)."""

MAX_PARTS_LIMIT: Final = 255
"""The 8-bit concatenation header cannot count more parts than this."""

MAX_PREFIXED_LENGTH: Final = 2000
"""Longest text of a call, Viber, MMS, e-mail or social message, in UTF-16 units, prefix,
subject, voice, param and comment included. Such a text is never split into SMS parts, so
*Maximum SMS parts* cannot bound it; this keeps a runaway template from reaching SMSC."""

ESM_CLASS_DEFAULT: Final = 0x00
ESM_CLASS_UDHI: Final = 0x40
"""``esm_class`` bit telling that ``short_message`` starts with a user data header."""

UDH_IEI_CONCAT_8BIT: Final = 0x00
"""Information element: concatenated short message, 8-bit reference number."""

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
    Encoding.GSM: _Codec(160, 153, _gsm_units, gsm_encode),
    Encoding.LATIN1: _Codec(140, 134, lambda _char: 1, _latin1_encode),
    Encoding.UCS2: _Codec(70, 67, _ucs2_units, _ucs2_encode),
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


def compose(
    request: MessageRequest | str,
    *,
    iso_bound: bool = False,
    encoding: Encoding = Encoding.AUTO,
    max_parts: int = DEFAULT_MAX_PARTS,
    use_message_payload: bool = False,
    reference: int,
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
        reference: the 8-bit concatenation reference (0..255) of a text split into UDH parts;
            the caller picks it, so that two messages in flight at once get different ones.

    Raises:
        ComposeError: the request is refused; see ``translation_key``.

    """
    text = build_text(request) if isinstance(request, MessageRequest) else request
    if not text:
        raise ComposeError("empty_message")
    if isinstance(request, MessageRequest) and request.kind is not MessageKind.SMS:
        if encoding not in (Encoding.AUTO, Encoding.UCS2):
            msg = f"a {request.kind} message always goes as UCS-2, not {encoding}"
            raise ValueError(msg)
        return _compose_prefixed(text, request.kind)
    if not 1 <= max_parts <= MAX_PARTS_LIMIT:
        msg = f"max_parts must be between 1 and {MAX_PARTS_LIMIT}, not {max_parts}"
        raise ValueError(msg)
    if not 0 <= reference <= 255:
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
        parts = tuple(
            SubmitPart(
                bytes((5, UDH_IEI_CONCAT_8BIT, 3, reference, segments, seq)) + codec.encode(chunk),
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


def _compose_prefixed(text: str, kind: MessageKind) -> ComposedMessage:
    """A kind SMSC picks by its prefix: UCS-2, one PDU, the whole text in it."""
    misfit = _first_misfit(text, Encoding.UCS2)
    if misfit is not None:
        raise EncodingError(
            "encoding_not_possible",
            encoding=ENCODING_NAMES[Encoding.UCS2],
            character=_describe(misfit),
        )
    codec = _CODECS[Encoding.UCS2]
    units = sum(codec.units(char) for char in text)
    if units > MAX_PREFIXED_LENGTH:
        raise ComposeError(
            "text_too_long", kind=kind.value, length=units, max_length=MAX_PREFIXED_LENGTH
        )
    data_coding = DATA_CODING[Encoding.UCS2]
    encoded = codec.encode(text)
    if units <= codec.single_limit:
        part = SubmitPart(encoded, data_coding)
    else:
        part = SubmitPart(b"", data_coding, ESM_CLASS_DEFAULT, encoded)
    return ComposedMessage(
        text=text,
        encoding=Encoding.UCS2,
        data_coding=data_coding,
        parts=(part,),
        units=units,
    )
