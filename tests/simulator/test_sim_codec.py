"""Unit tests of the simulator's own codecs and text parsing (no sockets)."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from simulator.codec import (
    CodecError,
    decode_text,
    gsm_decode,
    gsm_encode,
    gsm_fits,
    gsm_septets,
    ucs2_decode,
)
from simulator.kinds import parse_text
from simulator.pdu import (
    BindBody,
    CommandId,
    MessageIdBody,
    Pdu,
    PduError,
    SmBody,
    Tag,
    Tlv,
    make_udh,
    split_udh,
)

# --------------------------------------------------------------------------- GSM 03.38


@pytest.mark.parametrize(
    ("octets", "text"),
    [
        (b"\x00", "@"),
        (b"\x01\x02\x03", "£$¥"),
        (b"\x11", "_"),
        (b"\x1f", "É"),
        (b"\x24", "¤"),
        (b"\x40", "¡"),
        (b"\x5f", "§"),
        (b"\x60", "¿"),
        (b"\x7f", "à"),
        (b"\x10\x12\x13", "ΔΦΓ"),
        (b"\x1b\x65", "€"),
        (b"\x1b\x3d\x1b\x3d", "~~"),
        (b"\x1b\x28\x1b\x29\x1b\x3c\x1b\x3e", "{}[]"),
        (b"\x1b\x2f\x1b\x40\x1b\x14\x1b\x0a", "\\|^\f"),
        (b"Hello", "Hello"),
    ],
)
def test_gsm_decode_known_septets(octets: bytes, text: str) -> None:
    assert gsm_decode(octets) == text
    assert gsm_encode(text) == octets


def test_gsm_unknown_extension_falls_back_to_basic_table() -> None:
    # 03.38: an undefined code after the escape is shown as the default-alphabet character.
    assert gsm_decode(b"\x1b\x41") == "A"
    assert gsm_decode(b"\x1b\x1b") == " "


@pytest.mark.parametrize("octets", [b"\x80", b"abc\xff", b"ok\x1b"])
def test_gsm_decode_rejects_invalid(octets: bytes) -> None:
    with pytest.raises(CodecError):
        gsm_decode(octets)


def test_gsm_fit_and_septet_count() -> None:
    assert gsm_fits("Hello {world} €5")
    assert not gsm_fits("Привет")
    assert not gsm_fits("`")  # the backtick is not in GSM 03.38 at all
    assert gsm_septets("a€~") == 5
    with pytest.raises(CodecError):
        gsm_encode("Привет")


@given(st.text(alphabet=st.sampled_from(sorted(set("@£$¥èéΔ_ΦΓ !09AZaz§¿àÄ€~^{}[]\\|\n")))))
def test_gsm_roundtrip(text: str) -> None:
    assert gsm_decode(gsm_encode(text)) == text


def test_ucs2_surrogate_pairs_and_errors() -> None:
    assert ucs2_decode("Привет 😀".encode("utf-16-be")) == "Привет 😀"
    with pytest.raises(CodecError):
        ucs2_decode(b"\x04\x1f\x04")  # odd length
    with pytest.raises(CodecError):
        ucs2_decode(b"\xd8\x3d")  # lone high surrogate


def test_decode_text_data_coding_rules() -> None:
    latin = "Café".encode("latin-1")
    assert decode_text(0, b"Caf\x05", iso=False) == "Café"
    assert decode_text(3, latin, iso=False) == "Café"
    # data_coding 4 is Latin-1 only for a session bound with system_type ISO.
    assert decode_text(4, latin, iso=True) == "Café"
    assert decode_text(4, latin, iso=False) is None
    assert decode_text(2, b"\x00\x01", iso=True) is None
    assert decode_text(8, "Ж".encode("utf-16-be"), iso=False) == "Ж"


# --------------------------------------------------------------------------- kinds


def test_parse_plain_sms_and_comment() -> None:
    assert parse_text("Hello").kind == "sms"
    parsed = parse_text("Door open\n~~~\nfrom HA")
    assert (parsed.kind, parsed.body, parsed.comment) == ("sms", "Door open", "from HA")
    assert parse_text("a\n~~~\n").comment == ""


def test_parse_call_voice_param_comment() -> None:
    parsed = parse_text("__CALL__: Alarm!\nvoice:w2")
    assert (parsed.kind, parsed.body, parsed.voice, parsed.param) == ("call", "Alarm!", "w2", None)
    parsed = parse_text("__CALL__: Alarm!\nvoice:m\n~~~\n1,0,3")
    assert (parsed.body, parsed.voice, parsed.param, parsed.comment) == (
        "Alarm!",
        "m",
        "1,0,3",
        None,
    )
    # Two markers: the first tail is param, the second the comment.
    parsed = parse_text("__CALL__: Hi\nvoice:w\n~~~\n2\n~~~\nnote")
    assert (parsed.param, parsed.comment) == ("2", "note")
    assert parse_text("__CALL__: Hi").voice is None


def test_parse_mms_mail_subject() -> None:
    mms = parse_text("__MMS__: Picture\nline two\nsubj:Garage\n~~~\nc1")
    assert (mms.kind, mms.body, mms.subject, mms.comment) == (
        "mms",
        "Picture\nline two",
        "Garage",
        "c1",
    )
    mail = parse_text("__MAIL__: Report\nsubj:Daily")
    assert (mail.kind, mail.body, mail.subject) == ("mail", "Report", "Daily")
    # "subj:" that is not on the last line is message text.
    odd = parse_text("__MAIL__: a\nsubj:x\nmore")
    assert (odd.body, odd.subject) == ("a\nsubj:x\nmore", None)


@pytest.mark.parametrize(
    ("text", "kind", "body"),
    [
        ("__VIBER__: hi", "viber", "hi"),
        ("__VIBER__:hi", "viber", "hi"),
        ("__SOC__: yo", "soc", "yo"),
        ("__HLR__", "hlr", ""),
        ("__PING__", "ping", ""),
        ("__CALLX", "sms", "__CALLX"),
    ],
)
def test_parse_kinds(text: str, kind: str, body: str) -> None:
    parsed = parse_text(text)
    assert (parsed.kind, parsed.body) == (kind, body)


def test_parse_hlr_with_comment() -> None:
    parsed = parse_text("__HLR__\n~~~\ncheck")
    assert (parsed.kind, parsed.comment) == ("hlr", "check")


# --------------------------------------------------------------------------- PDUs


def test_bind_body_roundtrip_hides_password() -> None:
    bind = BindBody("login", "secret", "ISO")
    assert "secret" not in repr(bind)
    decoded = BindBody.decode(bind.encode())
    assert (decoded.system_id, decoded.password, decoded.system_type) == ("login", "secret", "ISO")


def test_sm_body_roundtrip_with_unknown_tlv() -> None:
    sm = SmBody(
        source_addr="HA",
        destination_addr="79990000000",
        data_coding=8,
        short_message=b"\x04\x10",
        tlvs=[Tlv(0x1234, b"xyz"), Tlv.u16(Tag.SAR_MSG_REF_NUM, 513)],
    )
    decoded = SmBody.decode(sm.encode())
    assert decoded == sm
    assert decoded.tlv(0x1234) == b"xyz"
    assert decoded.tlv_int(Tag.SAR_MSG_REF_NUM) == 513


@pytest.mark.parametrize("cut", [1, 10, 20])
def test_truncated_sm_body_raises(cut: int) -> None:
    data = SmBody(source_addr="A", destination_addr="B", short_message=b"hello").encode()
    with pytest.raises(PduError):
        SmBody.decode(data[:-cut])


def test_pdu_frame_roundtrip_and_length_check() -> None:
    frame = Pdu(CommandId.SUBMIT_SM_RESP, 0, 7, MessageIdBody("1000").encode()).encode()
    pdu = Pdu.decode(frame)
    assert (pdu.name, pdu.sequence_number, MessageIdBody.decode(pdu.body).value) == (
        "submit_sm_resp",
        7,
        "1000",
    )
    with pytest.raises(PduError):
        Pdu.decode(frame + b"x")


def test_udh_split_and_make() -> None:
    concat, rest = split_udh(make_udh(0xAB, 3, 2) + b"text")
    assert concat is not None
    assert (concat.ref, concat.total, concat.seq, concat.scheme, rest) == (
        0xAB,
        3,
        2,
        "udh8",
        b"text",
    )
    concat, rest = split_udh(make_udh(0x1234, 2, 1, ref16=True) + b"x")
    assert concat is not None
    assert (concat.ref, concat.scheme, rest) == (0x1234, "udh16", b"x")
    # A UDH with only a port IE carries no concatenation info.
    concat, rest = split_udh(bytes([4, 0x04, 2, 0x0B, 0x84]) + b"y")
    assert (concat, rest) == (None, b"y")
    with pytest.raises(PduError):
        split_udh(bytes([9, 0, 3, 1]))
