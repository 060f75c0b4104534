"""Tests of message composition: texts, encodings and splitting."""

from __future__ import annotations

import itertools
import math
import re
import string

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smsc.smpp.compose import (
    DEFAULT_MAX_PARTS,
    DEFAULT_VOICE,
    MAX_PREFIXED_LENGTH,
    VOICES,
    ComposedMessage,
    Encoding,
    MessageKind,
    MessageRequest,
    SubmitPart,
    build_text,
    compose,
)
from custom_components.smsc.smpp.errors import (
    MESSAGES,
    AddressError,
    ComposeError,
    EncodingError,
    SmscRequestError,
    TooManyPartsError,
)

# ---------------------------------------------------------------------------------------------
# An independent decoder: GSM 03.38 default alphabet = ASCII 0x20..0x7F except the positions
# below, plus the control area; extension characters after 0x1B.
# ---------------------------------------------------------------------------------------------
_CONTROL_AREA = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ?ÆæßÉ"
_NOT_ASCII = {0x24: "¤", 0x40: "¡", 0x5B: "Ä", 0x5C: "Ö", 0x5D: "Ñ", 0x5E: "Ü", 0x5F: "§"}
_NOT_ASCII |= {0x60: "¿", 0x7B: "ä", 0x7C: "ö", 0x7D: "ñ", 0x7E: "ü", 0x7F: "à"}
REF_BASIC = {
    code: _CONTROL_AREA[code] if code < 32 else _NOT_ASCII.get(code, chr(code))
    for code in range(128)
    if code != 0x1B
}
REF_EXT = dict(zip(b"\x0a\x14\x28\x29\x2f\x3c\x3d\x3e\x40\x65", "\f^{}\\[~]|€", strict=True))
REF_GSM_CHARS = set(REF_BASIC.values()) | set(REF_EXT.values())


def ref_gsm_decode(data: bytes) -> str:
    """Strictly decode unpacked septets; a dangling escape is a test failure."""
    out = []
    it = iter(data)
    for octet in it:
        assert octet < 0x80, "not a septet"
        if octet == 0x1B:
            following = next(it, None)
            assert following is not None, "escape split from its character"
            out.append(REF_EXT[following])
        else:
            out.append(REF_BASIC[octet])
    return "".join(out)


def ref_decode(data: bytes, data_coding: int) -> str:
    """Decode one PDU's text with Python's codecs or the table above (strict)."""
    if data_coding == 0:
        return ref_gsm_decode(data)
    if data_coding == 4:
        return data.decode("latin-1")
    assert data_coding == 8
    return data.decode("utf-16-be")  # strict: a split surrogate pair raises


def strip_udh(part: SubmitPart) -> tuple[bytes | None, bytes]:
    """Split ``short_message`` into (UDH or None, text) by the UDHI bit."""
    if part.esm_class & 0x40:
        length = part.short_message[0]
        return part.short_message[: length + 1], part.short_message[length + 1 :]
    return None, part.short_message


def concat(part: SubmitPart) -> tuple[int, int, int] | None:
    """``(reference, total, sequence)`` of an 8-bit concatenation UDH, else None."""
    udh, _ = strip_udh(part)
    if udh is not None and len(udh) == 6 and udh[1] == 0 and udh[2] == 3:
        return udh[3], udh[4], udh[5]
    return None


def reassemble(composed: ComposedMessage) -> str:
    """Decode every part independently and join them (what a handset does)."""
    texts = []
    for part in composed.parts:
        if part.message_payload is not None:
            assert part.short_message == b""
            texts.append(ref_decode(part.message_payload, part.data_coding))
        else:
            texts.append(ref_decode(strip_udh(part)[1], part.data_coding))
    return "".join(texts)


def ref_units(char: str, data_coding: int) -> int:
    """Units a character takes: septets, octets or UTF-16 code units."""
    if data_coding == 0:
        return 2 if char in REF_EXT.values() else 1
    if data_coding == 4:
        return 1
    return len(char.encode("utf-16-be")) // 2


def ref_air_octets(part: SubmitPart) -> int:
    """User-data octets on the air: GSM counted packed with the UDH padded to septets."""
    udh, body = strip_udh(part)
    udh_len = len(udh or b"")
    if part.data_coding == 0:
        fill_bits = (7 - (udh_len * 8) % 7) % 7
        return math.ceil((udh_len * 8 + fill_bits + len(body) * 7) / 8)
    return udh_len + len(body)


def error_text(err: SmscRequestError) -> str:
    """The English text an error must render to."""
    return MESSAGES[err.translation_key].format(**err.translation_placeholders)


# ---------------------------------------------------------------------------------------------
# Texts of the kinds
# ---------------------------------------------------------------------------------------------

R = MessageRequest
K = MessageKind


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        pytest.param(R(K.SMS, "Hello"), "Hello", id="sms"),
        pytest.param(R(K.SMS, "Hello", comment="door"), "Hello\n~~~\ndoor", id="sms-comment"),
        pytest.param(R(K.SMS, "Hi", comment=""), "Hi", id="sms-empty-comment-ignored"),
        pytest.param(R(K.SMS, "a\nb"), "a\nb", id="sms-multiline"),
        pytest.param(R(K.SMS, "~~~"), "~~~", id="sms-single-line-tildes-allowed"),
        pytest.param(R(K.CALL, "Alarm"), "__CALL__: Alarm\nvoice:m4", id="call-default-voice"),
        pytest.param(
            R(K.CALL, "Alarm", voice="W2"), "__CALL__: Alarm\nvoice:w2", id="call-voice-ci"
        ),
        pytest.param(
            R(K.CALL, "Alarm", voice=" w "), "__CALL__: Alarm\nvoice:w", id="call-voice-ws"
        ),
        pytest.param(
            R(K.CALL, "Alarm", param="0,0,0"),
            "__CALL__: Alarm\nvoice:m4\n~~~\n0,0,0",
            id="call-param",
        ),
        pytest.param(
            R(K.CALL, "Alarm", comment="garage"),
            "__CALL__: Alarm\nvoice:m4\n~~~\n\n~~~\ngarage",
            id="call-comment-gets-empty-param-section",
        ),
        pytest.param(
            R(K.CALL, "Alarm", voice="m2", param="3,1", comment="garage"),
            "__CALL__: Alarm\nvoice:m2\n~~~\n3,1\n~~~\ngarage",
            id="call-param-and-comment",
        ),
        pytest.param(
            R(K.CALL, "Alarm", param="", comment=""),
            "__CALL__: Alarm\nvoice:m4",
            id="call-empty-param-and-comment-omitted",
        ),
        pytest.param(R(K.VIBER, "Hi"), "__VIBER__: Hi", id="viber"),
        pytest.param(
            R(K.VIBER, "Open <a href='https://x.y/?a=1&b=2'>{link}</a> [img] | ~"),
            "__VIBER__: Open <a href='https://x.y/?a=1&b=2'>{link}</a> [img] | ~",
            id="viber-macros-untouched",
        ),
        pytest.param(R(K.VIBER, "Hi", comment="c"), "__VIBER__: Hi\n~~~\nc", id="viber-comment"),
        pytest.param(R(K.MMS, "Body", subject="Subj"), "__MMS__: Body\nsubj:Subj", id="mms"),
        pytest.param(R(K.EMAIL, "Body", subject="Re"), "__MAIL__: Body\nsubj:Re", id="email"),
        pytest.param(
            R(K.EMAIL, "Body", subject="Re", comment="c"),
            "__MAIL__: Body\nsubj:Re\n~~~\nc",
            id="email-comment",
        ),
        pytest.param(R(K.SOCIAL, "Hi"), "__SOC__: Hi", id="social"),
        pytest.param(R(K.HLR), "__HLR__", id="hlr"),
        pytest.param(R(K.HLR, comment="check"), "__HLR__\n~~~\ncheck", id="hlr-comment"),
        pytest.param(R(K.PING), "__PING__", id="ping"),
        pytest.param(R(K.PING, ""), "__PING__", id="ping-empty-message"),
        pytest.param(
            R(K.SMS, "x", comment="a\n~~~\nb"), "x\n~~~\na\n~~~\nb", id="comment-not-checked"
        ),
        pytest.param(R(K.SMS, "a __HLR__"), "a __HLR__", id="sms-prefix-inside-allowed"),
        pytest.param(R(K.SMS, "_x_ __"), "_x_ __", id="sms-underscores-allowed"),
        pytest.param(R(K.SMS, "____ line"), "____ line", id="sms-underscore-rule-allowed"),
        pytest.param(R(K.VIBER, "__x__"), "__VIBER__: __x__", id="prefix-check-only-for-sms"),
        pytest.param(R("sms", "str kind"), "str kind", id="kind-as-string"),  # type: ignore[arg-type]
    ],
)
def test_build_text(request_: MessageRequest, expected: str) -> None:
    """Each kind gets SMSC's prefix and fields; a comment follows the marker."""
    assert build_text(request_) == expected


@pytest.mark.parametrize("voice", VOICES, ids=VOICES)
def test_every_voice(voice: str) -> None:
    """Every documented voice is accepted as given and in upper case."""
    assert build_text(R(K.CALL, "x", voice=voice)) == f"__CALL__: x\nvoice:{voice}"
    assert build_text(R(K.CALL, "x", voice=voice.upper())).endswith(f"\nvoice:{voice}")


def test_voice_constants() -> None:
    """Eight voices, the default a male one."""
    assert VOICES == ("m", "m2", "m3", "m4", "w", "w2", "w3", "w4")
    assert DEFAULT_VOICE == "m4"


@pytest.mark.parametrize(
    ("request_", "key", "placeholders"),
    [
        pytest.param(R(K.SMS, ""), "empty_message", {}, id="sms-empty"),
        pytest.param(R(K.SMS, " \n "), "empty_message", {}, id="sms-whitespace"),
        pytest.param(R(K.CALL, ""), "empty_message", {}, id="call-empty"),
        pytest.param(R(K.VIBER, ""), "empty_message", {}, id="viber-empty"),
        pytest.param(R(K.SOCIAL, ""), "empty_message", {}, id="social-empty"),
        pytest.param(R(K.MMS, "", subject="s"), "empty_message", {}, id="mms-empty"),
        pytest.param(
            R(K.CALL, "x", voice="m5"),
            "invalid_voice",
            {"voice": "m5", "voices": "m, m2, m3, m4, w, w2, w3, w4"},
            id="unknown-voice",
        ),
        pytest.param(R(K.MMS, "x"), "subject_required", {"kind": "mms"}, id="mms-no-subject"),
        pytest.param(
            R(K.EMAIL, "x", subject="  "), "subject_required", {"kind": "email"}, id="mail-blank"
        ),
        pytest.param(R(K.EMAIL, "x", subject="a\nb"), "invalid_subject", {}, id="subject-lf"),
        pytest.param(R(K.MMS, "x", subject="a\rb"), "invalid_subject", {}, id="subject-cr"),
        pytest.param(
            R(K.SMS, "x", voice="m"),
            "field_not_allowed",
            {"kind": "sms", "field": "voice"},
            id="voice-on-sms",
        ),
        pytest.param(
            R(K.SMS, "x", subject="s"),
            "field_not_allowed",
            {"kind": "sms", "field": "subject"},
            id="subject-on-sms",
        ),
        pytest.param(
            R(K.VIBER, "x", param="1"),
            "field_not_allowed",
            {"kind": "viber", "field": "param"},
            id="param-on-viber",
        ),
        pytest.param(
            R(K.CALL, "x", subject="s"),
            "field_not_allowed",
            {"kind": "call", "field": "subject"},
            id="subject-on-call",
        ),
        pytest.param(
            R(K.HLR, "text"),
            "field_not_allowed",
            {"kind": "hlr", "field": "message"},
            id="message-on-hlr",
        ),
        pytest.param(
            R(K.PING, "text"),
            "field_not_allowed",
            {"kind": "ping", "field": "message"},
            id="message-on-ping",
        ),
        pytest.param(
            R(K.SMS, "a\n~~~\nb"), "reserved_sequence", {"field": "message"}, id="marker-in-sms"
        ),
        pytest.param(
            R(K.SMS, "a\n~~~"), "reserved_sequence", {"field": "message"}, id="marker-line-at-end"
        ),
        pytest.param(
            R(K.CALL, "a\n~~~"),
            "reserved_sequence",
            {"field": "message"},
            id="call-message-would-fake-param",
        ),
        pytest.param(
            R(K.SMS, "__HLR__"), "reserved_prefix", {"prefix": "__HLR__"}, id="sms-hlr-prefix"
        ),
        pytest.param(
            R(K.SMS, " __CALL__: hi"),
            "reserved_prefix",
            {"prefix": "__CALL__"},
            id="sms-call-prefix-after-space",
        ),
        pytest.param(
            R(K.SMS, "__FUTURE_KIND__ x"),
            "reserved_prefix",
            {"prefix": "__FUTURE_KIND__"},
            id="sms-unknown-prefix",
        ),
        pytest.param(
            R(K.CALL, "a", param="1\n~~~\n2"),
            "reserved_sequence",
            {"field": "param"},
            id="marker-in-param",
        ),
    ],
)
def test_build_text_refusals(
    request_: MessageRequest, key: str, placeholders: dict[str, str]
) -> None:
    """Invalid requests are refused with the documented key and placeholders."""
    with pytest.raises(ComposeError) as caught:
        build_text(request_)
    assert caught.value.translation_key == key
    assert caught.value.translation_placeholders == placeholders
    assert str(caught.value) == error_text(caught.value)
    with pytest.raises(ComposeError):  # compose refuses the same way
        compose(request_, reference=1)


# ---------------------------------------------------------------------------------------------
# Encodings and splitting
# ---------------------------------------------------------------------------------------------

LATIN1_NOT_GSM = "á"  # in Latin-1, not in the GSM alphabet


def part_texts(composed: ComposedMessage) -> list[str]:
    """The decoded text of each part."""
    return [ref_decode(strip_udh(part)[1], part.data_coding) for part in composed.parts]


@pytest.mark.parametrize(
    ("text", "iso", "data_coding", "part_units"),
    [
        pytest.param("a" * 160, False, 0, [160], id="gsm-160-one-part"),
        pytest.param("a" * 161, False, 0, [153, 8], id="gsm-161-two-parts"),
        pytest.param("a" * 306, False, 0, [153, 153], id="gsm-306-two-full-parts"),
        pytest.param("€" * 80, False, 0, [160], id="gsm-80-euros-one-part"),
        pytest.param("a" + "€" * 80, False, 0, [153, 8], id="gsm-escapes-161"),
        pytest.param(
            "a" * 152 + "€" + "b" * 10, False, 0, [152, 12], id="gsm-escape-at-boundary-moves"
        ),
        pytest.param("a" * 151 + "€" + "b" * 10, False, 0, [153, 10], id="gsm-escape-fits-exactly"),
        pytest.param("Ж" * 70, False, 8, [70], id="ucs2-70-one-part"),
        pytest.param("Ж" * 71, False, 8, [67, 4], id="ucs2-71-two-parts"),
        pytest.param("😀" * 35, False, 8, [70], id="ucs2-35-emoji-one-part"),
        pytest.param("😀" * 36, False, 8, [66, 6], id="ucs2-36-emoji-split-between-pairs"),
        pytest.param("Ж" * 66 + "😀" + "Ж" * 10, False, 8, [66, 12], id="emoji-at-boundary-moves"),
        pytest.param("Ж" * 65 + "😀" + "Ж" * 10, False, 8, [67, 10], id="emoji-fits-exactly"),
        pytest.param(LATIN1_NOT_GSM * 140, True, 4, [140], id="latin1-140-one-part"),
        pytest.param(LATIN1_NOT_GSM * 141, True, 4, [134, 7], id="latin1-141-two-parts"),
        pytest.param(LATIN1_NOT_GSM * 140, False, 8, [67, 67, 6], id="latin1-text-without-iso"),
        pytest.param("a" * 161, True, 0, [153, 8], id="gsm-preferred-with-iso"),
        pytest.param("Ж" + LATIN1_NOT_GSM, True, 8, [2], id="iso-but-not-latin1-is-ucs2"),
    ],
)
def test_encoding_and_splitting(
    text: str, iso: bool, data_coding: int, part_units: list[int]
) -> None:
    """Auto encoding, single-part limits and greedy splitting at safe boundaries."""
    composed = compose(text, iso_bound=iso, reference=7)
    assert composed.data_coding == data_coding
    assert composed.text == text
    assert composed.segments == len(part_units) == len(composed.parts)
    assert composed.units == sum(part_units)
    texts = part_texts(composed)
    assert "".join(texts) == text
    assert [sum(ref_units(c, data_coding) for c in t) for t in texts] == part_units
    for part in composed.parts:
        assert part.data_coding == data_coding
        assert ref_air_octets(part) <= 140
    if len(part_units) == 1:
        assert composed.parts[0].esm_class == 0
        assert strip_udh(composed.parts[0])[0] is None
        assert concat(composed.parts[0]) is None
    else:
        total = len(part_units)
        assert [p.short_message[:6] for p in composed.parts] == [
            bytes([5, 0, 3, 7, total, seq]) for seq in range(1, total + 1)
        ]
        assert all(p.esm_class == 0x40 for p in composed.parts)
        assert [concat(p) for p in composed.parts] == [(7, total, s) for s in range(1, total + 1)]


@pytest.mark.parametrize(
    ("text", "air"),
    [
        pytest.param("a" * 160, 140, id="gsm-single-160-septets"),
        pytest.param("a" * 159, 140, id="gsm-single-159-septets"),
        pytest.param("a" * 8, 7, id="gsm-8-septets-7-octets"),
        pytest.param("a" * 9, 8, id="gsm-9-septets-8-octets"),
        pytest.param("Ж" * 70, 140, id="ucs2-70-units"),
    ],
)
def test_air_octets_single(text: str, air: int) -> None:
    """GSM counts packed: ceil(septets * 7 / 8)."""
    assert ref_air_octets(compose(text, reference=1).parts[0]) == air


def test_air_octets_with_udh() -> None:
    """6 UDH octets pad to 7 septets, leaving 153 septets: exactly 140 octets on air."""
    composed = compose("a" * 306, reference=1)
    assert [ref_air_octets(part) for part in composed.parts] == [140, 140]
    assert [len(part.short_message) for part in composed.parts] == [159, 159]
    assert ref_air_octets(compose("Ж" * 134, reference=1).parts[0]) == 140


def test_gsm_is_unpacked_on_the_wire() -> None:
    """data_coding 0 carries one septet per octet; escapes are 0x1B + code."""
    composed = compose("A€@", reference=1)
    assert composed.parts[0].short_message == b"A\x1b\x65\x00"
    assert composed.encoding is Encoding.GSM
    assert composed.units == 4


@pytest.mark.parametrize(
    ("text", "forced", "iso", "data_coding"),
    [
        pytest.param("abc", Encoding.GSM, False, 0, id="gsm-forced-ok"),
        pytest.param("abc", Encoding.UCS2, False, 8, id="ucs2-forced-on-ascii"),
        pytest.param("abc", Encoding.LATIN1, True, 4, id="latin1-forced-on-ascii-with-iso"),
        pytest.param("é", Encoding.LATIN1, True, 4, id="latin1-forced-on-gsm-char"),
        pytest.param("abc", "ucs2", False, 8, id="encoding-as-string"),
        pytest.param("Жж", Encoding.AUTO, True, 8, id="auto-cyrillic-iso"),
    ],
)
def test_forced_encoding(text: str, forced: Encoding, iso: bool, data_coding: int) -> None:
    """A forced encoding is used when the text fits it."""
    composed = compose(text, encoding=forced, iso_bound=iso, reference=1)
    assert composed.data_coding == data_coding
    assert reassemble(composed) == text


@pytest.mark.parametrize(
    ("text", "forced", "iso", "key", "placeholders"),
    [
        pytest.param(
            "Привет",
            Encoding.GSM,
            False,
            "encoding_not_possible",
            {"encoding": "GSM 7-bit", "character": "П"},
            id="gsm-forced-on-cyrillic",
        ),
        pytest.param(
            "ok\tok",
            Encoding.GSM,
            False,
            "encoding_not_possible",
            {"encoding": "GSM 7-bit", "character": "U+0009"},
            id="gsm-forced-invisible-char-shown-as-code",
        ),
        pytest.param(
            "abc", Encoding.LATIN1, False, "latin1_requires_iso", {}, id="latin1-without-iso"
        ),
        pytest.param(
            "Привет",
            Encoding.LATIN1,
            True,
            "encoding_not_possible",
            {"encoding": "Latin-1", "character": "П"},
            id="latin1-forced-on-cyrillic",
        ),
        pytest.param(
            "a\ud800b",
            Encoding.AUTO,
            False,
            "encoding_not_possible",
            {"encoding": "UCS-2", "character": "U+D800"},
            id="lone-surrogate",
        ),
    ],
)
def test_forced_encoding_refused(
    text: str, forced: Encoding, iso: bool, key: str, placeholders: dict[str, str]
) -> None:
    """Forcing an encoding the text (or the bind) does not allow is refused clearly."""
    with pytest.raises(EncodingError) as caught:
        compose(text, encoding=forced, iso_bound=iso, reference=1)
    assert caught.value.translation_key == key
    assert caught.value.translation_placeholders == placeholders
    assert str(caught.value) == error_text(caught.value)


@pytest.mark.parametrize(
    ("text", "max_parts", "parts"),
    [
        pytest.param("a" * 153 * DEFAULT_MAX_PARTS, DEFAULT_MAX_PARTS, None, id="gsm-at-default"),
        pytest.param("a" * (153 * 6 + 1), DEFAULT_MAX_PARTS, 7, id="gsm-one-over-default"),
        pytest.param("Ж" * 67 * 6, DEFAULT_MAX_PARTS, None, id="ucs2-at-default"),
        pytest.param("Ж" * (67 * 6 + 1), DEFAULT_MAX_PARTS, 7, id="ucs2-one-over-default"),
        pytest.param("a" * 160, 1, None, id="single-allowed-with-1"),
        pytest.param("a" * 161, 1, 2, id="two-parts-refused-with-1"),
        pytest.param("a" * 153 * 255, 255, None, id="255-parts"),
    ],
)
def test_max_parts(text: str, max_parts: int, parts: int | None) -> None:
    """More parts than allowed are refused with the count, else accepted."""
    if parts is None:
        composed = compose(text, max_parts=max_parts, reference=1)
        assert len(composed.parts) <= max_parts
        assert reassemble(composed) == text
        return
    with pytest.raises(TooManyPartsError) as caught:
        compose(text, max_parts=max_parts, reference=1)
    assert caught.value.translation_key == "too_many_parts"
    assert caught.value.translation_placeholders == {
        "parts": str(parts),
        "max_parts": str(max_parts),
    }
    # The payload option costs the same SMS, so it is capped the same way.
    with pytest.raises(TooManyPartsError):
        compose(text, max_parts=max_parts, use_message_payload=True, reference=1)


def test_default_max_parts() -> None:
    """Six parts by default."""
    assert DEFAULT_MAX_PARTS == 6


@pytest.mark.parametrize("max_parts", [0, -1, 256], ids=["zero", "negative", "over-255"])
def test_max_parts_out_of_range(max_parts: int) -> None:
    """An impossible cap is a programming error."""
    with pytest.raises(ValueError, match="max_parts"):
        compose("a", max_parts=max_parts, reference=1)


@pytest.mark.parametrize(
    ("text", "data_coding", "payload"),
    [
        pytest.param("a" * 161, 0, b"a" * 161, id="gsm"),
        pytest.param("€" * 81, 0, b"\x1b\x65" * 81, id="gsm-escapes"),
        pytest.param("Ж" * 71, 8, "Ж".encode("utf-16-be") * 71, id="ucs2"),
    ],
)
def test_message_payload(text: str, data_coding: int, payload: bytes) -> None:
    """A long text goes whole into message_payload: empty short_message, no UDH."""
    composed = compose(text, use_message_payload=True, reference=1)
    assert len(composed.parts) == 1
    part = composed.parts[0]
    assert part.short_message == b""
    assert part.message_payload == payload
    assert strip_udh(part)[0] is None
    assert concat(part) is None
    assert part.esm_class == 0
    assert part.data_coding == data_coding
    assert composed.segments == 2
    assert part.submit_kwargs() == {
        "short_message": b"",
        "data_coding": data_coding,
        "esm_class": 0,
        "message_payload": payload,
    }


def test_message_payload_not_used_for_one_part() -> None:
    """A text that fits one SMS keeps short_message even with the payload option."""
    composed = compose("short", use_message_payload=True, reference=1)
    assert composed.parts == (SubmitPart(b"short", 0, 0, None),)
    assert composed.parts[0].submit_kwargs() == {
        "short_message": b"short",
        "data_coding": 0,
        "esm_class": 0,
    }


def test_reference() -> None:
    """The given reference goes into every UDH."""
    assert {concat(p) for p in compose("a" * 200, reference=0).parts} == {(0, 2, 1), (0, 2, 2)}
    assert concat(compose("a" * 200, reference=255).parts[0]) == (255, 2, 1)


@pytest.mark.parametrize("reference", [-1, 256], ids=["negative", "256"])
def test_invalid_reference(reference: int) -> None:
    """A reference must fit in one octet."""
    with pytest.raises(ComposeError) as caught:
        compose("a" * 200, reference=reference)
    assert caught.value.translation_key == "invalid_reference"
    assert caught.value.translation_placeholders == {"reference": str(reference)}


def test_raw_text_and_empty_text() -> None:
    """A string is sent as is (GSM: '_' is septet 0x11); an empty one is refused."""
    assert compose("__HLR__", reference=1).parts[0].short_message == b"\x11\x11HLR\x11\x11"
    with pytest.raises(ComposeError) as caught:
        compose("", reference=1)
    assert caught.value.translation_key == "empty_message"


def test_request_is_built() -> None:
    """compose() on a request builds the SMSC text first."""
    composed = compose(R(K.CALL, "Пожар", voice="w", comment="дом"), reference=1)
    assert composed.text == "__CALL__: Пожар\nvoice:w\n~~~\n\n~~~\nдом"  # noqa: RUF001
    assert composed.encoding is Encoding.UCS2
    assert reassemble(composed) == composed.text


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

TRICKY = "a€[]{}~^|\\\fЖ😀𝄞áé\n ~"


def check_composed(text: str, composed: ComposedMessage, *, iso: bool) -> None:
    """Everything that must hold for any composed text."""
    assert reassemble(composed) == text
    expected_coding = (
        0 if set(text) <= REF_GSM_CHARS else 4 if iso and all(ord(c) < 256 for c in text) else 8
    )
    assert composed.data_coding == expected_coding
    parts = composed.parts
    limit = {0: 153, 4: 134, 8: 67}[expected_coding]
    if len(parts) == 1:
        assert parts[0].esm_class == 0
        assert ref_air_octets(parts[0]) <= 140
        return
    ref = parts[0].short_message[3]
    texts = part_texts(composed)
    for seq, (part, part_text) in enumerate(zip(parts, texts, strict=True), start=1):
        assert part.short_message[:6] == bytes([5, 0, 3, ref, len(parts), seq])
        assert part.esm_class == 0x40
        assert part.data_coding == expected_coding
        assert ref_air_octets(part) <= 140
        assert part_text, "no empty part"
        assert sum(ref_units(c, expected_coding) for c in part_text) <= limit
    for current, following in itertools.pairwise(texts):
        # Greedy: the next character would not have fitted into the previous part.
        used = sum(ref_units(c, expected_coding) for c in current)
        assert used + ref_units(following[0], expected_coding) > limit


@settings(max_examples=300)
@given(text=st.text(min_size=1), iso=st.booleans())
def test_property_any_text(text: str, iso: bool) -> None:
    """Any Unicode text decodes back from its parts; parts are consistent and small."""
    check_composed(text, compose(text, iso_bound=iso, max_parts=255, reference=1), iso=iso)


@settings(max_examples=300)
@given(
    text=st.text(alphabet=st.sampled_from(TRICKY), min_size=60, max_size=700),
    iso=st.booleans(),
)
def test_property_boundaries(text: str, iso: bool) -> None:
    """Texts rich in escapes and surrogate pairs split without breaking either."""
    check_composed(text, compose(text, iso_bound=iso, max_parts=255, reference=1), iso=iso)


@settings(max_examples=200)
@given(text=st.text(alphabet=st.sampled_from(sorted(REF_GSM_CHARS)), min_size=150, max_size=1000))
def test_property_gsm_texts(text: str) -> None:
    """Long texts from the whole GSM alphabet stay GSM and split at septet limits."""
    composed = compose(text, max_parts=255, reference=1)
    assert composed.data_coding == 0
    check_composed(text, composed, iso=False)


@given(text=st.text(min_size=1), iso=st.booleans())
def test_property_message_payload(text: str, iso: bool) -> None:
    """With message_payload there is one PDU whose payload decodes to the text."""
    composed = compose(text, iso_bound=iso, max_parts=255, use_message_payload=True, reference=1)
    assert reassemble(composed) == text
    assert len(composed.parts) == 1
    assert (composed.parts[0].message_payload is not None) is (composed.segments > 1)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_error_hierarchy() -> None:
    """All compose refusals are ValueErrors sharing the SmscRequestError base."""
    for cls in (AddressError, EncodingError, TooManyPartsError):
        assert issubclass(cls, ComposeError)
    assert issubclass(ComposeError, SmscRequestError)
    assert issubclass(ComposeError, ValueError)


def test_every_message_is_well_formed() -> None:
    """Each English message is non-empty and its placeholders are simple names."""
    for key, template in MESSAGES.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), "Home Assistant translation key format"
        assert template.strip()
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        assert all(name.isidentifier() for name in names), key
        assert str(SmscRequestError(key, **dict.fromkeys(names, "X"))) == template.format(
            **dict.fromkeys(names, "X")
        )


def test_error_text_fallbacks() -> None:
    """An unknown key or missing placeholders still give a readable text, never an error."""
    assert str(SmscRequestError("no_such_key", a=1)) == "no_such_key"
    err = SmscRequestError("too_many_parts", parts=7)
    assert err.translation_placeholders == {"parts": "7"}
    assert str(err).startswith(MESSAGES["too_many_parts"])
    assert "'parts': '7'" in str(err)


# --------------------------------------------------------------------------------------------
# Kinds SMSC picks by a prefix: UCS-2, one PDU


PREFIXED_KINDS = [kind for kind in MessageKind if kind is not MessageKind.SMS]


def _request(kind: MessageKind, message: str) -> MessageRequest:
    fixed = kind in (MessageKind.HLR, MessageKind.PING)
    subject = "S" if kind in (MessageKind.MMS, MessageKind.EMAIL) else None
    return MessageRequest(kind=kind, message="" if fixed else message, subject=subject)


@pytest.mark.parametrize("kind", PREFIXED_KINDS)
def test_prefixed_kinds_are_ucs2_in_short_message_when_they_fit(kind: MessageKind) -> None:
    composed = compose(_request(kind, "Hi_{x}"), reference=0)
    [part] = composed.parts
    assert (composed.encoding, part.data_coding, part.esm_class) == (Encoding.UCS2, 8, 0)
    assert part.message_payload is None
    assert part.short_message.decode("utf-16-be") == composed.text


@pytest.mark.parametrize("kind", [MessageKind.CALL, MessageKind.VIBER, MessageKind.EMAIL])
def test_a_long_prefixed_text_goes_whole_in_message_payload(kind: MessageKind) -> None:
    """Never concatenated parts, whatever max_parts and use_message_payload say."""
    composed = compose(
        _request(kind, "Ж" * 500), max_parts=1, use_message_payload=False, reference=0
    )
    [part] = composed.parts
    assert (part.short_message, part.data_coding, part.esm_class) == (b"", 8, 0)
    assert part.message_payload is not None
    assert part.message_payload.decode("utf-16-be") == composed.text


def test_prefixed_text_limit_counts_utf16_units() -> None:
    prefix = len("__SOC__: ")
    fits = compose(
        _request(MessageKind.SOCIAL, "😀" * ((MAX_PREFIXED_LENGTH - prefix) // 2)), reference=0
    )
    assert fits.units == MAX_PREFIXED_LENGTH - (MAX_PREFIXED_LENGTH - prefix) % 2
    with pytest.raises(ComposeError) as err:
        compose(_request(MessageKind.SOCIAL, "x" * (MAX_PREFIXED_LENGTH - prefix + 1)), reference=0)
    assert err.value.translation_key == "text_too_long"


def test_prefixed_kinds_refuse_a_lone_surrogate() -> None:
    with pytest.raises(EncodingError) as err:
        compose(_request(MessageKind.VIBER, "a\ud800b"), reference=0)
    assert err.value.translation_key == "encoding_not_possible"


@pytest.mark.parametrize("encoding", [Encoding.GSM, Encoding.LATIN1])
def test_prefixed_kinds_cannot_be_forced_out_of_ucs2(encoding: Encoding) -> None:
    with pytest.raises(ValueError, match="always goes as UCS-2"):
        compose(_request(MessageKind.CALL, "Hi"), encoding=encoding, iso_bound=True, reference=0)
