"""The simulator over real TCP, driven by a raw SMPP client built from simulator.pdu."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
import re
import struct

import pytest

from simulator import SimulatorThread, SmscSimulator
from simulator.pdu import (
    BindBody,
    CommandId,
    MessageIdBody,
    MessageState,
    Pdu,
    SmBody,
    Status,
    Tag,
    Tlv,
    make_udh,
)
from simulator.testing import FakeClock, RawClient

REPO_ROOT = Path(__file__).resolve().parents[2]

Connect = Callable[[SmscSimulator], Awaitable[RawClient]]
MakeSim = Callable[..., Awaitable[SmscSimulator]]


def message_id_of(pdu: Pdu) -> str:
    return MessageIdBody.decode(pdu.body).value


def receipt_tlvs(sm: SmBody) -> tuple[str, int | None]:
    rid = sm.tlv(Tag.RECEIPTED_MESSAGE_ID)
    assert rid is not None
    assert rid.endswith(b"\x00")
    return rid[:-1].decode(), sm.tlv_int(Tag.MESSAGE_STATE)


# --------------------------------------------------------------------------- binds


async def test_bind_ok_records_bind_without_password(
    smsc_simulator: SmscSimulator, connect: Connect
) -> None:
    client = await connect(smsc_simulator)
    resp = await client.bind(system_type="")
    assert (resp.command_id, resp.command_status) == (CommandId.BIND_TRANSCEIVER_RESP, 0)
    assert MessageIdBody.decode(resp.body).value == "SMSC"
    binds = await smsc_simulator.wait_for_binds(1)
    assert binds[0].command == "bind_transceiver"
    assert binds[0].ok
    assert (binds[0].system_id, binds[0].system_type) == ("demo", "")
    assert not hasattr(binds[0], "password")
    assert smsc_simulator.bound_count == 1


@pytest.mark.parametrize(("login", "password"), [("demo", "wrong"), ("other", "demo")])
async def test_bad_credentials_refused_connection_stays_open(
    smsc_simulator: SmscSimulator, connect: Connect, login: str, password: str
) -> None:
    client = await connect(smsc_simulator)
    resp = await client.bind(login, password)
    assert resp.command_status == Status.RINVPASWD
    assert resp.body == b""
    assert not smsc_simulator.binds[0].ok
    # Still open and still unbound: a submit is refused, then a correct bind works.
    assert (await client.submit_text("x")).command_status == Status.RINVBNDSTS
    assert (await client.bind()).command_status == 0
    assert len(await smsc_simulator.wait_for_binds(1, accepted_only=True)) == 1


async def test_password_change_while_running(
    smsc_simulator: SmscSimulator, connect: Connect
) -> None:
    first = await connect(smsc_simulator)
    assert (await first.bind()).command_status == 0
    smsc_simulator.password = "rotated"
    second = await connect(smsc_simulator)
    assert (await second.bind()).command_status == Status.RINVPASWD
    assert (await second.bind(password="rotated")).command_status == 0


async def test_bind_transmitter_and_receiver_roles(
    smsc_simulator: SmscSimulator, connect: Connect
) -> None:
    tx = await connect(smsc_simulator)
    rx = await connect(smsc_simulator)
    assert (await tx.bind(command_id=CommandId.BIND_TRANSMITTER)).command_id == (
        CommandId.BIND_TRANSMITTER_RESP
    )
    assert (await rx.bind(command_id=CommandId.BIND_RECEIVER)).command_status == 0
    assert (await rx.submit_text("no")).command_status == Status.RINVBNDSTS
    assert (await tx.submit_text("yes", registered_delivery=1)).command_status == 0
    # The receipt goes to the receiver only.
    _pdu, sm = await rx.next_deliver_sm()
    assert sm.esm_class == 0x04
    assert (await tx.request(CommandId.ENQUIRE_LINK)).command_status == 0
    assert tx.inbox == []
    # Binding twice on one connection is refused.
    assert (await tx.bind()).command_status == Status.RALYBND


async def test_enquire_link_unbind_and_generic_nack(
    smsc_simulator: SmscSimulator, connect: Connect
) -> None:
    client = await connect(smsc_simulator)
    # enquire_link is fine before bind; anything else is not.
    resp = await client.request(CommandId.ENQUIRE_LINK)
    assert (resp.command_id, resp.command_status) == (CommandId.ENQUIRE_LINK_RESP, 0)
    resp = await client.request(CommandId.UNBIND)
    assert (resp.command_id, resp.command_status) == (CommandId.UNBIND_RESP, Status.RINVBNDSTS)
    resp = await client.request(0x0000_0777)
    assert (resp.command_id, resp.command_status) == (CommandId.GENERIC_NACK, Status.RINVCMDID)
    await client.bind()
    resp = await client.request(CommandId.SUBMIT_MULTI, b"")
    assert (resp.command_id, resp.command_status) == (CommandId.GENERIC_NACK, Status.RINVCMDID)
    resp = await client.request(CommandId.UNBIND)
    assert (resp.command_id, resp.command_status) == (CommandId.UNBIND_RESP, 0)
    assert await client.is_closed_by_peer()
    assert smsc_simulator.pdu_counts["unbind"] == 2


# --------------------------------------------------------------------------- submit_sm decoding


async def test_submit_gsm_gets_increasing_numeric_ids(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    first = await bound.submit(short_message=b"Price 5\x1b\x65 @home", data_coding=0)
    second = await bound.submit(short_message=b"other", destination_addr="79990000001")
    ids = [message_id_of(first), message_id_of(second)]
    assert ids == ["1000", "1001"]
    messages = await smsc_simulator.wait_for_messages(2)
    assert messages[0].text == "Price 5€ ¡home"
    assert messages[0].message_ids == ("1000",)
    assert (messages[0].source_addr, messages[0].source_addr_ton) == ("Sender", 5)
    assert (messages[0].destination_addr, messages[0].dest_addr_ton) == ("79991234567", 1)
    assert (messages[0].kind, messages[0].parts, messages[0].used_payload) == ("sms", 1, False)
    assert smsc_simulator.submit_count == 2
    assert smsc_simulator.submits_by_destination["79990000001"] == 1


async def test_ucs2_with_surrogate_pair(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    assert (await bound.submit_text("Дверь 🚪 открыта")).command_status == 0
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert (message.text, message.data_coding) == ("Дверь 🚪 открыта", 8)


@pytest.mark.parametrize(("system_type", "expected"), [("ISO", "Café"), ("", None), ("iso", None)])
async def test_data_coding_4_is_latin1_only_for_iso(
    smsc_simulator: SmscSimulator,
    connect: Connect,
    system_type: str,
    expected: str | None,
) -> None:
    client = await connect(smsc_simulator)
    await client.bind(system_type=system_type)
    resp = await client.submit(short_message="Café".encode("latin-1"), data_coding=4)
    assert resp.command_status == 0
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert message.text == expected
    assert message.binary is (expected is None)
    assert message.raw == b"Caf\xe9"
    assert message.system_type == system_type


async def test_data_coding_3_is_latin1_without_iso(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    await bound.submit(short_message="Ñandú".encode("latin-1"), data_coding=3)
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert message.text == "Ñandú"


async def test_invalid_gsm_octets_are_refused(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    resp = await bound.submit(short_message="Привет".encode(), data_coding=0)
    assert resp.command_status == Status.RSUBMITFAIL
    assert smsc_simulator.refusals == [("79991234567", "invalid")]
    assert smsc_simulator.received == []


async def test_message_payload(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    text = "Длинное сообщение " * 20
    resp = await bound.submit(
        data_coding=8, tlvs=[Tlv(Tag.MESSAGE_PAYLOAD, text.encode("utf-16-be"))]
    )
    assert resp.command_status == 0
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert (message.text, message.used_payload, message.parts) == (text, True, 1)
    # Both short_message and message_payload at once is a client bug.
    resp = await bound.submit(short_message=b"x", tlvs=[Tlv(Tag.MESSAGE_PAYLOAD, b"y")])
    assert resp.command_status == Status.RSUBMITFAIL


async def test_unknown_tlv_is_tolerated(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    resp = await bound.submit(short_message=b"hi", tlvs=[Tlv(0x1403, b"\x01\x02")])
    assert resp.command_status == 0
    assert (await smsc_simulator.wait_for_messages(1))[0].text == "hi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # expected: kind, body, voice, subject, param, comment
        ("Door open\n~~~\nauto", ("sms", "Door open", None, None, None, "auto")),
        ("__CALL__: Fire!\nvoice:w3", ("call", "Fire!", "w3", None, None, None)),
        (
            "__CALL__: Fire!\nvoice:m\n~~~\n1,2\n~~~\nnote",
            ("call", "Fire!", "m", None, "1,2", "note"),
        ),
        ("__VIBER__: Привет", ("viber", "Привет", None, None, None, None)),
        ("__MMS__: Photo\nsubj:Cam 1", ("mms", "Photo", None, "Cam 1", None, None)),
        ("__MAIL__: Report\nsubj:Daily\n~~~\nc", ("mail", "Report", None, "Daily", None, "c")),
        ("__SOC__: hey", ("soc", "hey", None, None, None, None)),
        ("__HLR__", ("hlr", "", None, None, None, None)),
        ("__PING__", ("ping", "", None, None, None, None)),
    ],
)
async def test_kinds_over_the_wire(
    smsc_simulator: SmscSimulator,
    bound: RawClient,
    text: str,
    expected: tuple[str, str, str | None, str | None, str | None, str | None],
) -> None:
    assert (await bound.submit_text(text)).command_status == 0
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert message.text == text
    got = (message.kind, message.body, message.voice, message.subject, message.param)
    assert (*got, message.comment) == expected


# --------------------------------------------------------------------------- long messages


@pytest.mark.parametrize("ref16", [False, True])
async def test_udh_reassembly(smsc_simulator: SmscSimulator, bound: RawClient, ref16: bool) -> None:
    chunks = ["Привет, ", "это длинное ", "сообщение"]
    ids = []
    for seq, chunk in enumerate(chunks, start=1):
        udh = make_udh(0x1F2 if ref16 else 0xF2, len(chunks), seq, ref16=ref16)
        resp = await bound.submit(
            esm_class=0x40,
            data_coding=8,
            registered_delivery=1 if seq == 3 else 0,
            short_message=udh + chunk.encode("utf-16-be"),
        )
        assert resp.command_status == 0
        ids.append(message_id_of(resp))
        # Nothing is recorded until the last part is in.
        assert len(smsc_simulator.received) == (1 if seq == 3 else 0)
    (message,) = smsc_simulator.received
    assert message.text == "".join(chunks)
    assert message.message_ids == tuple(ids)
    assert len(set(ids)) == 3
    assert (message.parts, message.concat) == (3, "udh16" if ref16 else "udh8")
    assert message.registered_delivery == 1
    assert smsc_simulator.submit_count == 3


async def test_udh_parts_out_of_order_and_split_surrogate(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    # Raw octets are joined before decoding, so a pair cut across parts still decodes.
    data = "ab😀cd".encode("utf-16-be")
    first, second = data[:6], data[6:]
    await bound.submit(esm_class=0x40, data_coding=8, short_message=make_udh(9, 2, 2) + second)
    await bound.submit(esm_class=0x40, data_coding=8, short_message=make_udh(9, 2, 1) + first)
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert message.text == "ab😀cd"


async def test_udh_parts_with_different_refs_do_not_mix(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    await bound.submit(esm_class=0x40, short_message=make_udh(1, 2, 1) + b"A1")
    await bound.submit(esm_class=0x40, short_message=make_udh(2, 2, 1) + b"B1")
    await bound.submit(esm_class=0x40, short_message=make_udh(2, 2, 2) + b"B2")
    await bound.submit(esm_class=0x40, short_message=make_udh(1, 2, 2) + b"A2")
    assert [m.text for m in await smsc_simulator.wait_for_messages(2)] == ["B1B2", "A1A2"]


async def test_sar_reassembly(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    for seq, chunk in ((1, b"Hello "), (2, b"SAR "), (3, b"world")):
        tlvs = [
            Tlv.u16(Tag.SAR_MSG_REF_NUM, 0x0102),
            Tlv.u8(Tag.SAR_TOTAL_SEGMENTS, 3),
            Tlv.u8(Tag.SAR_SEGMENT_SEQNUM, seq),
        ]
        assert (await bound.submit(short_message=chunk, tlvs=tlvs)).command_status == 0
    (message,) = await smsc_simulator.wait_for_messages(1)
    assert (message.text, message.parts, message.concat) == ("Hello SAR world", 3, "sar")
    assert message.message_ids == ("1000", "1001", "1002")


async def test_invalid_concat_refused(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    resp = await bound.submit(esm_class=0x40, short_message=make_udh(1, 2, 3) + b"x")
    assert resp.command_status == Status.RSUBMITFAIL
    resp = await bound.submit(short_message=b"x", tlvs=[Tlv.u8(Tag.SAR_TOTAL_SEGMENTS, 2)])
    assert resp.command_status == Status.RSUBMITFAIL
    assert [r.reason for r in smsc_simulator.refusals] == ["invalid", "invalid"]


async def test_incomplete_long_message_expires(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock)
    client = await connect(sim)
    await client.bind()
    await client.submit(esm_class=0x40, short_message=make_udh(5, 2, 1) + b"old")
    fake_clock.advance(61)
    # The stale first part is gone, so this part 2 starts a new, still incomplete message.
    await client.submit(esm_class=0x40, short_message=make_udh(5, 2, 2) + b"new")
    assert sim.received == []
    await client.submit(esm_class=0x40, short_message=make_udh(5, 2, 1) + b"fresh ")
    assert [m.text for m in await sim.wait_for_messages(1)] == ["fresh new"]


# --------------------------------------------------------------------------- SMSC's rules


async def test_duplicate_rule(make_sim: MakeSim, connect: Connect, fake_clock: FakeClock) -> None:
    sim = await make_sim(clock=fake_clock)
    client = await connect(sim)
    await client.bind()
    assert (await client.submit_text("same")).command_status == 0
    fake_clock.advance(59)
    assert (await client.submit_text("same")).command_status == Status.RSUBMITFAIL
    # Another number or another text is fine.
    assert (await client.submit_text("same", destination_addr="79990000002")).command_status == 0
    assert (await client.submit_text("different")).command_status == 0
    fake_clock.advance(1.5)
    assert (await client.submit_text("same")).command_status == 0
    assert sim.refusals == [("79991234567", "duplicate")]
    assert len(sim.received) == 4


async def test_duplicate_rule_applies_to_whole_long_message(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock)
    client = await connect(sim)
    await client.bind()
    for ref in (1, 2):
        first = await client.submit(esm_class=0x40, short_message=make_udh(ref, 2, 1) + b"ab")
        last = await client.submit(esm_class=0x40, short_message=make_udh(ref, 2, 2) + b"cd")
        assert first.command_status == 0
    # The part that completes the repeated message carries the refusal.
    assert last.command_status == Status.RSUBMITFAIL
    assert [m.text for m in sim.received] == ["abcd"]


async def test_flood_rule(make_sim: MakeSim, connect: Connect, fake_clock: FakeClock) -> None:
    sim = await make_sim(clock=fake_clock)
    client = await connect(sim)
    await client.bind()
    for n in range(50):
        fake_clock.advance(29)
        assert (await client.submit_text(f"msg {n}")).command_status == 0
    fake_clock.advance(29)
    assert (await client.submit_text("msg 50")).command_status == Status.RSUBMITFAIL
    assert sim.refusals == [("79991234567", "flood")]
    # Other numbers are unaffected; a 30 s pause ends the run.
    assert (await client.submit_text("x", destination_addr="79990000003")).command_status == 0
    fake_clock.advance(30)
    assert (await client.submit_text("msg 50")).command_status == 0
    assert len(sim.received) == 52


async def test_rules_can_be_disabled(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(enforce_rules=False)
    client = await connect(sim)
    await client.bind()
    for _ in range(3):
        assert (await client.submit_text("again")).command_status == 0
    assert sim.refusals == []


async def test_rule_memory_is_bounded(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock)
    client = await connect(sim)
    await client.bind()
    for n in range(20):
        await client.submit_text(f"t{n}", destination_addr=f"7999000{n:04d}")
    fake_clock.advance(61)
    await client.submit_text("last")
    assert len(sim._recent_texts) == 1
    assert len(sim._streaks) == 1


# --------------------------------------------------------------------------- test hooks


async def test_throttle_next(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    smsc_simulator.throttle_next(2)
    assert (await bound.submit_text("a")).command_status == Status.RTHROTTLED
    assert (await bound.submit_text("b")).command_status == Status.RTHROTTLED
    resp = await bound.submit_text("c")
    assert resp.command_status == 0
    assert [m.text for m in await smsc_simulator.wait_for_messages(1)] == ["c"]
    assert message_id_of(resp) == "1000"
    assert (smsc_simulator.submit_count, smsc_simulator.pdu_counts["submit_sm"]) == (1, 3)
    assert smsc_simulator.throttled_count == 2


async def test_drop_after(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    smsc_simulator.drop_after(2)
    assert (await bound.submit_text("one")).command_status == 0
    await bound.send(CommandId.SUBMIT_SM, SmBody(destination_addr="1", short_message=b"2").encode())
    assert await bound.is_closed_by_peer()
    assert [m.text for m in smsc_simulator.received] == ["one"]
    await smsc_simulator.wait_for(lambda: smsc_simulator.connection_count == 0)


async def test_silent_mode(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    smsc_simulator.set_silent(True)
    await bound.send(CommandId.ENQUIRE_LINK)
    await bound.send(CommandId.SUBMIT_SM, SmBody(destination_addr="1", short_message=b"x").encode())
    # No answer and no close: a dead peer.
    assert not await bound.is_closed_by_peer(timeout=0.3)
    assert smsc_simulator.pdu_counts["submit_sm"] == 1
    assert smsc_simulator.received == []
    smsc_simulator.set_silent(False)
    resp = await bound.request(CommandId.ENQUIRE_LINK)
    assert resp.command_id == CommandId.ENQUIRE_LINK_RESP


async def test_drop_connections(smsc_simulator: SmscSimulator, connect: Connect) -> None:
    clients = [await connect(smsc_simulator) for _ in range(2)]
    for client in clients:
        await client.bind()
    await smsc_simulator.drop_connections()
    assert smsc_simulator.connection_count == 0
    for client in clients:
        assert await client.is_closed_by_peer()
    # The server still accepts new clients.
    fresh = await connect(smsc_simulator)
    assert (await fresh.bind()).command_status == 0


async def test_send_raw_reaches_bound_clients_only(
    smsc_simulator: SmscSimulator, connect: Connect
) -> None:
    bound_client = await connect(smsc_simulator)
    await bound_client.bind()
    idle = await connect(smsc_simulator)
    assert await smsc_simulator.send_raw(b"\x00\x00\x00\x10garbage!") == 1
    async with asyncio.timeout(2):
        assert await bound_client.reader.readexactly(12) == b"\x00\x00\x00\x10garbage!"
    assert (await idle.request(CommandId.ENQUIRE_LINK)).command_status == 0


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # command_length would be ~1.2 GB
        struct.pack(">I", 64 * 1024 + 1) + b"\x00" * 12,
        struct.pack(">IIII", 8, 4, 0, 1),  # shorter than a header
    ],
)
async def test_garbage_closes_only_that_connection(
    smsc_simulator: SmscSimulator, bound: RawClient, connect: Connect, garbage: bytes
) -> None:
    bad = await connect(smsc_simulator)
    await bad.write(garbage)
    assert await bad.is_closed_by_peer()
    assert (await bound.submit_text("still alive")).command_status == 0
    other = await connect(smsc_simulator)
    assert (await other.bind()).command_status == 0


async def test_malformed_bodies_get_error_responses(
    smsc_simulator: SmscSimulator, bound: RawClient, connect: Connect
) -> None:
    resp = await bound.request(CommandId.SUBMIT_SM, b"\x00\x05")
    assert (resp.command_id, resp.command_status) == (
        CommandId.SUBMIT_SM_RESP,
        Status.RINVMSGLEN,
    )
    fresh = await connect(smsc_simulator)
    resp = await fresh.request(CommandId.BIND_TRANSCEIVER, b"no-nul-here")
    assert resp.command_status == Status.RBINDFAIL
    # Truncated in the middle of a PDU, then EOF: the server just drops the connection.
    await fresh.write(Pdu(CommandId.ENQUIRE_LINK, 0, 1).encode()[:10])
    fresh.writer.write_eof()
    assert await fresh.is_closed_by_peer()
    assert (await bound.request(CommandId.ENQUIRE_LINK)).command_status == 0


async def test_idle_timeout_closes_link(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(idle_timeout=0.2)
    client = await connect(sim)
    await client.bind()
    assert await client.is_closed_by_peer(timeout=2)


async def test_stop_closes_clients(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(receipt_delay=30)
    client = await connect(sim)
    await client.bind()
    await client.submit_text("pending receipt", registered_delivery=1)
    assert len(sim._timers) == 1
    await sim.stop()
    assert sim._timers == {}
    assert await client.is_closed_by_peer()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(sim.host, sim.port)


# --------------------------------------------------------------------------- receipts and HLR


RECEIPT_RE = re.compile(
    r"^id:(?P<id>\w+) sub:001 dlvrd:(?P<dlvrd>\d{3}) submit date:\d{10} done date:\d{10} "
    r"stat:(?P<stat>\w+) err:(?P<err>\d{3}) text:(?P<text>.*)$"
)


@pytest.mark.parametrize(("fmt", "expected_id"), [("decimal", "1000"), ("hex", "3e8")])
async def test_auto_receipt(
    make_sim: MakeSim, connect: Connect, fmt: str, expected_id: str
) -> None:
    sim = await make_sim(receipt_id_format=fmt)
    client = await connect(sim)
    await client.bind()
    resp = await client.submit(short_message=b"Hello receipts, long text", registered_delivery=1)
    assert message_id_of(resp) == "1000"
    pdu, sm = await client.next_deliver_sm()
    assert sm.esm_class == 0x04
    match = RECEIPT_RE.match(sm.short_message.decode("ascii"))
    assert match is not None, sm.short_message
    assert match.group("id", "dlvrd", "stat", "err", "text") == (
        expected_id,
        "001",
        "DELIVRD",
        "000",
        "Hello receipts, long",
    )
    assert receipt_tlvs(sm) == (expected_id, MessageState.DELIVERED)
    # Receipt goes back from the subscriber to the sender.
    assert (sm.source_addr, sm.destination_addr) == ("79991234567", "Sender")
    await client.ack(pdu)
    await sim.wait_for_deliver_sm_resps(1)
    assert sim.deliver_sm_sent == 1


async def test_no_receipt_without_registered_delivery(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    await bound.submit_text("quiet")
    await bound.submit_text("loud", registered_delivery=1)
    _pdu, sm = await bound.next_deliver_sm()
    assert receipt_tlvs(sm)[0] == "1001"
    assert smsc_simulator.deliver_sm_sent == 1


async def test_receipt_for_long_message_uses_last_part_id(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    for seq in (1, 2):
        await bound.submit(
            esm_class=0x40, registered_delivery=1, short_message=make_udh(7, 2, seq) + b"ab"
        )
    _pdu, sm = await bound.next_deliver_sm()
    assert receipt_tlvs(sm)[0] == "1001"
    assert smsc_simulator.received[0].message_id == "1001"


async def test_receipt_delay(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(receipt_delay=0.3)
    client = await connect(sim)
    await client.bind()
    await client.submit_text("later", registered_delivery=1)
    with pytest.raises(TimeoutError):
        await client.next_deliver_sm(timeout=0.1)
    _pdu, sm = await client.next_deliver_sm(timeout=2)
    assert b"stat:DELIVRD" in sm.short_message


async def test_manual_receipt_undelivered_without_tlvs(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(auto_receipts=False)
    client = await connect(sim)
    await client.bind()
    await client.submit_text("Привет", registered_delivery=1)
    assert sim.deliver_sm_sent == 0
    sent = await sim.send_delivery_receipt("1000", "UNDELIV", "069", tlvs=False)
    assert sent == 1
    _pdu, sm = await client.next_deliver_sm()
    match = RECEIPT_RE.match(sm.short_message.decode("ascii"))
    assert match is not None
    # Non-ASCII text is replaced in the (ASCII) receipt.
    assert match.group("dlvrd", "stat", "err", "text") == ("000", "UNDELIV", "069", "??????")
    assert sm.tlvs == []


async def test_manual_receipt_for_unknown_id(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    await smsc_simulator.send_delivery_receipt(
        "777", "EXPIRED", "001", destination="79990001122", source="HA", text="abc"
    )
    _pdu, sm = await bound.next_deliver_sm()
    assert (sm.source_addr, sm.destination_addr) == ("79990001122", "HA")
    assert receipt_tlvs(sm) == ("777", MessageState.EXPIRED)
    assert sm.short_message.endswith(b"stat:EXPIRED err:001 text:abc")


async def test_hlr_result_exact_format(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(auto_receipts=False, first_message_id=855469)
    client = await connect(sim)
    await client.bind()
    await client.submit_text("__HLR__", registered_delivery=1)
    await sim.send_hlr_result("855469")
    _pdu, sm = await client.next_deliver_sm()
    assert sm.short_message == (
        b"id:855469 stat:DELIVRD err:000 imsi:250023012345678 msc:79232510066 mcc:250 mnc:02 "
        b"cn:Russian+Federation net:MegaFON+open+Joint+Stock+Company rcn: rnet:"
    )
    assert sm.esm_class == 0x04
    await sim.send_hlr_result(
        "855469",
        imsi="",
        roaming_country="Côte d'Ivoire",
        roaming_network="Orange & Co",
        stat="UNDELIV",
        err="001",
    )
    _pdu, sm = await client.next_deliver_sm()
    assert sm.short_message.endswith(
        b"err:001 imsi: msc:79232510066 mcc:250 mnc:02 cn:Russian+Federation "
        b"net:MegaFON+open+Joint+Stock+Company rcn:C%C3%B4te+d%27Ivoire rnet:Orange+%26+Co"
    )


async def test_auto_hlr_and_ping(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(receipt_id_format="hex")
    client = await connect(sim)
    await client.bind()
    await client.submit_text("__HLR__", registered_delivery=1)
    _pdu, sm = await client.next_deliver_sm()
    assert sm.short_message.startswith(b"id:3e8 stat:DELIVRD err:000 imsi:250023012345678 ")
    await client.submit_text("__PING__", registered_delivery=1)
    _pdu, sm = await client.next_deliver_sm()
    assert RECEIPT_RE.match(sm.short_message.decode()) is not None
    assert receipt_tlvs(sm)[0] == "3e9"


async def test_silent_mode_skips_auto_receipts(make_sim: MakeSim, connect: Connect) -> None:
    sim = await make_sim(receipt_delay=0.1)
    client = await connect(sim)
    await client.bind()
    await client.submit_text("x", registered_delivery=1)
    sim.set_silent(True)
    await asyncio.sleep(0.2)
    assert sim.deliver_sm_sent == 0


# --------------------------------------------------------------------------- incoming (MO)


async def test_inject_incoming_single_gsm(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    assert await smsc_simulator.inject_incoming("79990001122", "HA", "Hi {there} €") == 1
    pdu, sm = await bound.next_deliver_sm()
    assert (sm.esm_class, sm.data_coding) == (0, 0)
    assert sm.short_message == b"Hi \x1b\x28there\x1b\x29 \x1b\x65"
    assert (sm.source_addr, sm.destination_addr) == ("79990001122", "HA")
    await bound.ack(pdu)
    await smsc_simulator.wait_for_deliver_sm_resps(1)


async def test_inject_incoming_multipart_cyrillic(
    smsc_simulator: SmscSimulator, bound: RawClient, connect: Connect
) -> None:
    other = await connect(smsc_simulator)
    await other.bind(command_id=CommandId.BIND_RECEIVER)
    text = "Ответ: " + "привет 😀 " * 20
    parts = await smsc_simulator.inject_incoming("79990001122", "HA", text)
    assert parts == 4  # 207 UTF-16 units, 67 per part
    for client in (bound, other):
        payload = b""
        refs = set()
        for seq in range(1, parts + 1):
            pdu, sm = await client.next_deliver_sm()
            assert (sm.esm_class, sm.data_coding) == (0x40, 8)
            udh, body = sm.short_message[:6], sm.short_message[6:]
            assert udh[:3] == b"\x05\x00\x03"
            assert (udh[4], udh[5]) == (parts, seq)
            assert len(body) <= 134
            refs.add(udh[3])
            payload += body
            await client.ack(pdu)
        assert len(refs) == 1
        assert payload.decode("utf-16-be") == text
    await smsc_simulator.wait_for_deliver_sm_resps(2 * parts)
    assert smsc_simulator.deliver_sm_sent == 2 * parts


async def test_inject_incoming_explicit_part_size_keeps_escapes_whole(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    parts = await smsc_simulator.inject_incoming("1", "2", "ab€cd", max_part_units=3)
    assert parts == 3
    bodies = []
    for _ in range(parts):
        pdu, sm = await bound.next_deliver_sm()
        bodies.append(sm.short_message[6:])
        await bound.ack(pdu, status=Status.RSYSERR)
    # "ab" + "€" (2 septets) would be 4 > 3, so the escape pair starts the next part.
    assert bodies == [b"ab", b"\x1b\x65c", b"d"]
    await smsc_simulator.wait_for_deliver_sm_resps(3)
    assert smsc_simulator.deliver_sm_resp_errors == 3


async def test_inject_incoming_latin1(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    await smsc_simulator.inject_incoming("1", "2", "Café", data_coding=3)
    _pdu, sm = await bound.next_deliver_sm()
    assert (sm.data_coding, sm.short_message) == (3, b"Caf\xe9")


# --------------------------------------------------------------------------- misc


async def test_wait_for_messages_timeout_message(smsc_simulator: SmscSimulator) -> None:
    with pytest.raises(TimeoutError, match="expected 1 message"):
        await smsc_simulator.wait_for_messages(1, timeout=0.05)


async def test_context_manager_and_summary(socket_enabled: None, connect: Connect) -> None:
    async with SmscSimulator(login="u", password="p") as sim:
        assert sim.port > 0
        client = await connect(sim)
        assert (await client.bind("u", "p")).command_status == 0
        await client.submit_text("__CALL__: Hi\nvoice:w")
        (message,) = await sim.wait_for_messages(1)
        assert message.summary().startswith("CALL 'Sender' -> 79991234567: 'Hi' [voice='w']")
        await client.close()


async def test_bind_body_field_limits_are_lenient(make_sim: MakeSim, connect: Connect) -> None:
    # SMSC passwords are often longer than SMPP 3.4's 8 characters.
    sim = await make_sim(login="a-rather-long-login", password="longer-password-123")
    client = await connect(sim)
    body = BindBody("a-rather-long-login", "longer-password-123").encode()
    assert (await client.request(CommandId.BIND_TRANSCEIVER, body)).command_status == 0


def test_simulator_thread(socket_enabled: None) -> None:
    import socket

    with SimulatorThread(login="t", password="t") as st:
        assert st.port > 0
        st.call(st.sim.throttle_next, 1)
        with socket.create_connection((st.host, st.port), timeout=5) as sock:
            sock.sendall(
                Pdu(CommandId.BIND_TRANSCEIVER, 0, 1, BindBody("t", "t").encode()).encode()
            )
            with sock.makefile("rb") as stream:
                head = stream.read(16)
                length, command_id, status, _seq = struct.unpack(">IIII", head)
                assert (command_id, status) == (CommandId.BIND_TRANSCEIVER_RESP, 0)
                assert stream.read(length - 16).startswith(b"SMSC\x00")
        assert st.run(st.sim.wait_for_binds(1))[0].ok
        assert st.sim._throttle == 1
    assert not st._thread.is_alive()


async def test_receipt_text_is_the_body(smsc_simulator: SmscSimulator, bound: RawClient) -> None:
    await bound.submit_text("__VIBER__: Hi there\n~~~\nsecret", registered_delivery=1)
    _pdu, sm = await bound.next_deliver_sm()
    assert sm.short_message.endswith(b" text:Hi there")


async def test_cli_runs_logs_messages_and_stops_on_sigterm(socket_enabled: None) -> None:
    import signal
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--receipt-delay",
        "0",
        cwd=REPO_ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(20):
            line = (await proc.stderr.readline()).decode()
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            assert match, line
            reader, writer = await asyncio.open_connection("127.0.0.1", int(match.group(1)))
            client = RawClient(reader, writer)
            assert (await client.bind()).command_status == 0
            await client.submit_text("__MAIL__: Hi\nsubj:Test", destination_addr="a@b.c")
            log = ""
            while "received" not in log:
                log = (await proc.stderr.readline()).decode()
            assert "MAIL 'Sender' -> a@b.c: 'Hi' [subj='Test']" in log
            await client.close()
            proc.send_signal(signal.SIGTERM)
            rest = (await proc.stderr.read()).decode()
            assert await proc.wait() == 0
            assert "stopped" in rest
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
