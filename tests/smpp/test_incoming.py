"""Tests of incoming SMS: parsing their parts and reassembling them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smsc.smpp.deliver_sm import parse_deliver_sm
from custom_components.smsc.smpp.gsm import gsm_encode
from custom_components.smsc.smpp.incoming import IncomingAssembler, IncomingMessage, IncomingPart
from custom_components.smsc.smpp.receipts import UnparsedReason, UnparsedReport

from .pdus import mo_sm, part, udh8, udh16


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_single_part_is_returned_at_once() -> None:
    """A plain SMS comes back from the first feed."""
    assembler = IncomingAssembler()
    message = assembler.feed(part(parse_deliver_sm(mo_sm(gsm_encode("Hi @home")))))
    assert message == IncomingMessage(
        source="79001234567", destination="SMSC", text="Hi @home", data_coding=0, parts=1
    )
    assert assembler.pending == 0


def test_single_part_ucs2_from_message_payload() -> None:
    """An incoming SMS in message_payload."""
    sm = mo_sm(b"", data_coding=8, message_payload="Привет".encode("utf-16-be"))
    message = IncomingAssembler().feed(part(parse_deliver_sm(sm)))
    assert message is not None
    assert message.text == "Привет"


def test_cyrillic_ucs2_three_parts_out_of_order_split_surrogate() -> None:
    """Bytes are joined before decoding: a split surrogate pair and an odd split survive."""
    text = "Привет, это длинное сообщение 😀 и эмодзи, и ещё немного текста в конце."
    data = text.encode("utf-16-be")
    emoji = data.index("😀".encode("utf-16-be"))
    cut1 = emoji + 2  # between the high and the low surrogate
    cut2 = cut1 + 41  # in the middle of a UCS-2 code unit
    chunks = [data[:cut1], data[cut1:cut2], data[cut2:]]
    assembler = IncomingAssembler()
    results = [
        assembler.feed(
            part(
                parse_deliver_sm(
                    mo_sm(udh8(0xA7, 3, seq) + chunks[seq - 1], esm_class=0x40, data_coding=8)
                )
            )
        )
        for seq in (3, 1, 2)
    ]
    assert results[:2] == [None, None]
    message = results[2]
    assert message is not None
    assert message.text == text
    assert (message.parts, message.data_coding) == (3, 8)
    assert assembler.pending == 0
    assert assembler.pending_bytes == 0


def test_gsm_escape_split_across_parts() -> None:
    """An escape septet at the end of one part applies to the first septet of the next."""
    text = "Price: 5€ [x] {y} ~ ^|\\"
    data = gsm_encode(text)
    cut = data.index(0x1B) + 1  # right after the escape of €
    assembler = IncomingAssembler()
    first = assembler.feed(
        part(parse_deliver_sm(mo_sm(udh8(9, 2, 1) + data[:cut], esm_class=0x40)))
    )
    second = assembler.feed(
        part(parse_deliver_sm(mo_sm(udh8(9, 2, 2) + data[cut:], esm_class=0x40)))
    )
    assert first is None
    assert second is not None
    assert second.text == text


def test_16_bit_references_keep_sets_apart() -> None:
    """Two interleaved sets with 16-bit references, and an 8-bit set with a colliding number."""
    assembler = IncomingAssembler()
    feeds = [
        (udh16(0x1234, 2, 1), b"AB"),
        (udh16(0x1235, 2, 2), b"YZ"),
        (udh8(0x34, 2, 1), b"12"),
        (udh16(0x1235, 2, 1), b"WX"),
        (udh16(0x1234, 2, 2), b"CD"),
        (udh8(0x34, 2, 2), b"34"),
    ]
    texts = []
    for header, body in feeds:
        message = assembler.feed(part(parse_deliver_sm(mo_sm(header + body, esm_class=0x40))))
        if message is not None:
            texts.append(message.text)
    assert texts == ["WXYZ", "ABCD", "1234"]
    assert assembler.pending == 0


def test_same_reference_from_two_senders() -> None:
    """Sets are per sender."""
    assembler = IncomingAssembler()
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40)))) is None
    )
    other = mo_sm(udh8(1, 2, 2) + b"X", esm_class=0x40, source_addr="79990000000")
    assert assembler.feed(part(parse_deliver_sm(other))) is None
    assert assembler.pending == 2
    done = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 2) + b"b", esm_class=0x40))))
    assert done is not None
    assert (done.text, done.source) == ("ab", "79001234567")


def test_sar_tlvs() -> None:
    """Concatenation given by SAR TLVs instead of a UDH."""
    assembler = IncomingAssembler()
    results = [
        assembler.feed(
            part(
                parse_deliver_sm(
                    mo_sm(
                        body,
                        data_coding=3,
                        sar_msg_ref_num=0xBEEF,
                        sar_total_segments=2,
                        sar_segment_seqnum=seq,
                    )
                )
            )
        )
        for seq, body in ((2, "déjà vu".encode("latin-1")), (1, b"Bonjour "))
    ]
    assert results[0] is None
    assert results[1] is not None
    assert results[1].text == "Bonjour déjà vu"


def test_other_ieis_are_skipped() -> None:
    """A port-addressing IE before the concatenation IE is skipped."""
    header = bytes((11, 0x05, 4, 0x0B, 0x84, 0x23, 0xF0, 0x00, 3, 0x42, 2, 1))
    result = part(parse_deliver_sm(mo_sm(header + b"abc", esm_class=0x40)))
    assert (result.reference, result.total, result.sequence) == (0x42, 2, 1)
    assert result.payload == b"abc"


def test_udh_without_concatenation_is_single() -> None:
    """A UDH with no concatenation IE: stripped, one part."""
    result = part(parse_deliver_sm(mo_sm(bytes((4, 0x05, 2, 0x10, 0x20)) + b"hi", esm_class=0x40)))
    assert (result.payload, result.reference, result.total) == (b"hi", None, 1)
    message = IncomingAssembler().feed(result)
    assert message is not None
    assert message.text == "hi"


@pytest.mark.parametrize("data", [b"", b"\x05\x00\x03", b"\xff" + b"x" * 10])
def test_bad_udh_is_unparsed(data: bytes) -> None:
    """A UDH longer than the message is reported, not guessed at."""
    result = parse_deliver_sm(mo_sm(data, esm_class=0x40))
    assert isinstance(result, UnparsedReport)
    assert result.reason is UnparsedReason.BAD_UDH
    assert result.raw == data.hex()


def test_truncated_ie_inside_header() -> None:
    """An IE running past the header's end is ignored, the header still stripped."""
    result = part(parse_deliver_sm(mo_sm(bytes((3, 0x00, 3, 7)) + b"ok", esm_class=0x40)))
    assert (result.payload, result.total) == (b"ok", 1)


@pytest.mark.parametrize(("total", "seq"), [(2, 0), (2, 3), (0, 0), (1, 1)])
def test_nonsense_concatenation_gives_single(total: int, seq: int) -> None:
    """Sequence numbers outside 1..total: the part is delivered on its own."""
    result = part(parse_deliver_sm(mo_sm(udh8(3, total, seq) + b"lone", esm_class=0x40)))
    assert (result.reference, result.total, result.sequence) == (None, 1, 1)
    message = IncomingAssembler().feed(result)
    assert message is not None
    assert message.text == "lone"


def test_duplicate_part_is_ignored() -> None:
    """A repeated deliver_sm of a part does not overwrite or complete a set."""
    assembler = IncomingAssembler()
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 1) + b"one ", esm_class=0x40))))
        is None
    )
    assert (
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 1) + b"ONE ", esm_class=0x40))))
        is None
    )
    message = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(5, 2, 2) + b"two", esm_class=0x40))))
    assert message is not None
    assert message.text == "one two"


def test_parts_in_different_codings() -> None:
    """Parts whose data_coding differs are decoded one by one."""
    assembler = IncomingAssembler()
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(6, 2, 1) + gsm_encode("Hi "), esm_class=0x40))))
    message = assembler.feed(
        part(
            parse_deliver_sm(
                mo_sm(udh8(6, 2, 2) + "мир".encode("utf-16-be"), esm_class=0x40, data_coding=8)
            )
        )
    )
    assert message is not None
    assert message.text == "Hi мир"


def test_expiry() -> None:
    """An incomplete set goes after max_age; a late part then starts a new set."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_age=600, clock=clock)
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40))))
    clock.now += 599
    assembler.expire()
    assert assembler.pending == 1
    clock.now += 1
    assembler.expire()
    assert (assembler.pending, assembler.pending_bytes) == (0, 0)
    late = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 2) + b"b", esm_class=0x40))))
    assert late is None
    assert assembler.pending == 1


def test_expiry_happens_on_feed() -> None:
    """Feeding expires old sets without an explicit expire() call."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_age=10, clock=clock)
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 1) + b"a", esm_class=0x40))))
    clock.now += 11
    assembler.feed(part(parse_deliver_sm(mo_sm(udh8(2, 2, 1) + b"b", esm_class=0x40))))
    assert assembler.pending == 1
    late = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(1, 2, 2) + b"c", esm_class=0x40))))
    assert late is None


def test_max_pending_evicts_oldest() -> None:
    """Beyond max_pending sets the oldest goes; the newest still completes."""
    assembler = IncomingAssembler(max_pending=3)
    for ref in range(5):
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(ref, 2, 1) + b"x", esm_class=0x40))))
    assert assembler.pending == 3
    evicted = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(0, 2, 2) + b"y", esm_class=0x40))))
    assert evicted is None
    kept = assembler.feed(part(parse_deliver_sm(mo_sm(udh8(4, 2, 2) + b"y", esm_class=0x40))))
    assert kept is not None
    assert kept.text == "xy"


def test_max_bytes_evicts_oldest() -> None:
    """Held octets stay within max_bytes."""
    assembler = IncomingAssembler(max_bytes=250)
    for ref in range(3):
        assembler.feed(part(parse_deliver_sm(mo_sm(udh8(ref, 2, 1) + b"x" * 100, esm_class=0x40))))
    assert assembler.pending_bytes <= 250
    assert assembler.pending == 2


# ---------------------------------------------------------------------------------------------
# Fuzzing


@given(st.text(min_size=1, max_size=300), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_ucs2_split_anywhere(text: str, data: st.DataObject) -> None:
    """UCS-2 text split at any octets, fed in any order, comes back whole."""
    encoded = text.encode("utf-16-be", errors="surrogatepass")
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(encoded) - 1)), max_size=6)))
    chunks = [encoded[a:b] for a, b in zip([0, *cuts], [*cuts, len(encoded)], strict=True)]
    chunks = [chunk for chunk in chunks if chunk] or [b""]
    order = data.draw(st.permutations(range(len(chunks))))
    ref = data.draw(st.integers(0, 0xFFFF))
    assembler = IncomingAssembler()
    results = []
    for index in order:
        header = udh16(ref, len(chunks), index + 1)
        sm = mo_sm(header + chunks[index], esm_class=0x40, data_coding=8)
        results.append(assembler.feed(part(parse_deliver_sm(sm))))
    assert all(result is None for result in results[:-1])
    final = results[-1]
    assert final is not None
    assert final.text == encoded.decode("utf-16-be", errors="replace")
    assert assembler.pending == 0


parts_strategy = st.builds(
    IncomingPart,
    source=st.sampled_from(["a", "b"]),
    destination=st.just("SMSC"),
    data_coding=st.sampled_from([0, 3, 8, 99]),
    payload=st.binary(max_size=60),
    reference=st.none() | st.integers(0, 3),
    total=st.integers(-1, 4),
    sequence=st.integers(-1, 5),
    reference_kind=st.sampled_from(["", "udh8", "udh16", "sar"]),
)


@given(st.lists(st.tuples(parts_strategy, st.floats(0, 100)), max_size=60))
def test_fuzz_assembler_bounds(feeds: list[tuple[IncomingPart, float]]) -> None:
    """Arbitrary parts and clock steps: no exception, bounds always hold."""
    clock = FakeClock()
    assembler = IncomingAssembler(max_pending=4, max_age=150, max_bytes=200, clock=clock)
    for incoming, step in feeds:
        clock.now += step
        result = assembler.feed(incoming)
        assert result is None or isinstance(result.text, str)
        assert assembler.pending <= 4
        assert 0 <= assembler.pending_bytes <= 200
