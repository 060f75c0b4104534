"""Interop: the real smpplib client (what the integration uses) against the simulator."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import threading
from typing import Any

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

from simulator import SmscSimulator, Status

SENDER = "HomeAsst"
PHONE = "79991234567"


@dataclass
class Outcome:
    message_ids: list[str] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    receipts: list[bytes] = field(default_factory=list)
    thread_name: str = ""


def _client(port: int) -> smpplib.client.Client:
    return smpplib.client.Client("127.0.0.1", port, timeout=5, allow_unknown_opt_params=True)


def run_smpplib(port: int, texts: list[str], receipts: int, throttled: int = 0) -> Outcome:
    """Blocking smpplib session: bind, send each text (split with make_parts), read receipts.

    Runs in a worker thread; every path disconnects so no socket or thread outlives the test.
    """
    outcome = Outcome(thread_name=threading.current_thread().name)
    client = _client(port)

    def on_sent(pdu: Any, **_: Any) -> None:
        # smpplib calls this for error responses too, after error_pdu_handler returns.
        if not pdu.is_error():
            outcome.message_ids.append(pdu.message_id.decode())

    def on_error(pdu: Any) -> None:
        outcome.errors.append(int(pdu.status))

    def on_received(pdu: Any, **_: Any) -> None:
        outcome.receipts.append(pdu.short_message)

    client.set_message_sent_handler(on_sent)
    client.set_error_pdu_handler(on_error)
    client.set_message_received_handler(on_received)
    client.connect()
    try:
        client.bind_transceiver(system_id="demo", password="demo")
        sent = 0
        for text in texts:
            parts, encoding, esm_class = smpplib.gsm.make_parts(text)
            for part in parts:
                client.send_message(
                    source_addr_ton=smpplib.consts.SMPP_TON_ALNUM,
                    source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
                    source_addr=SENDER,
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=PHONE,
                    short_message=part,
                    data_coding=encoding,
                    esm_class=esm_class,
                    registered_delivery=True,
                )
                sent += 1
                # A receipt may arrive before the next response: read until this one is in.
                while len(outcome.message_ids) + len(outcome.errors) < sent:
                    client.read_once()
        while len(outcome.receipts) < receipts:
            client.read_once()
        client.unbind()
    finally:
        client.disconnect()
    return outcome


async def test_smpplib_gsm_ucs2_and_long_message(smsc_simulator: SmscSimulator) -> None:
    gsm_text = "Alarm @ home: 5€ {ok}"
    ucs2_text = "Дверь открыта 🚪"
    long_text = "Температура в гостиной превысила порог. " * 5  # 200 chars: 3 UCS-2 parts
    long_gsm = "Sensor [kitchen] ~ 25€ | " * 8  # 248 septets with escapes: 2 GSM parts
    assert len(smpplib.gsm.make_parts(long_text)[0]) == 3
    assert len(smpplib.gsm.make_parts(long_gsm)[0]) == 2

    outcome = await asyncio.to_thread(
        run_smpplib,
        smsc_simulator.port,
        [gsm_text, ucs2_text, long_text, long_gsm],
        receipts=4,
    )

    assert outcome.errors == []
    assert outcome.message_ids == [str(n) for n in range(1000, 1007)]
    messages = smsc_simulator.received
    assert [m.text for m in messages] == [gsm_text, ucs2_text, long_text, long_gsm]
    assert [m.data_coding for m in messages] == [0, 8, 8, 0]
    assert [m.parts for m in messages] == [1, 1, 3, 2]
    assert messages[2].message_ids == ("1002", "1003", "1004")
    assert messages[2].concat == "udh8"
    assert (messages[0].source_addr, messages[0].source_addr_ton) == (SENDER, 5)
    assert (messages[0].destination_addr, messages[0].dest_addr_ton) == (PHONE, 1)
    # Each receipt reached smpplib, which answered every one with deliver_sm_resp.
    receipt_ids = [r.split(b" ")[0] for r in outcome.receipts]
    assert receipt_ids == [b"id:1000", b"id:1001", b"id:1004", b"id:1006"]
    await smsc_simulator.wait_for_deliver_sm_resps(4)
    assert smsc_simulator.binds[0].command == "bind_transceiver"
    # The worker thread is done and the socket closed: the simulator sees no connection.
    await smsc_simulator.wait_for(lambda: smsc_simulator.connection_count == 0)


async def test_smpplib_sees_refusals_as_error_pdus(smsc_simulator: SmscSimulator) -> None:
    smsc_simulator.throttle_next(1)
    outcome = await asyncio.to_thread(
        run_smpplib, smsc_simulator.port, ["first", "dup", "dup"], receipts=1
    )
    assert outcome.errors == [Status.RTHROTTLED, Status.RSUBMITFAIL]
    assert outcome.message_ids == ["1000"]
    assert smsc_simulator.refusals == [(PHONE, "duplicate")]


def _bind_with_wrong_password(port: int) -> int:
    client = _client(port)
    client.connect()
    try:
        client.bind_transceiver(system_id="demo", password="nope")
    except smpplib.exceptions.PDUError as err:
        return int(err.args[1])
    finally:
        client.disconnect()
    return 0


async def test_smpplib_bad_password(smsc_simulator: SmscSimulator) -> None:
    status = await asyncio.to_thread(_bind_with_wrong_password, smsc_simulator.port)
    assert status == Status.RINVPASWD
    assert not smsc_simulator.binds[0].ok


def _receive_incoming(port: int, count: int, ready: threading.Event) -> list[Any]:
    client = _client(port)
    received: list[Any] = []
    client.set_message_received_handler(lambda pdu, **_: received.append(pdu))
    client.connect()
    try:
        client.bind_transceiver(system_id="demo", password="demo")
        ready.set()
        while len(received) < count:
            client.read_once()
        client.unbind()
    finally:
        client.disconnect()
    return received


async def test_smpplib_receives_incoming_multipart(smsc_simulator: SmscSimulator) -> None:
    ready = threading.Event()
    text = "Входящее: " + "ответ " * 25  # 160 UCS-2 units: 3 parts
    worker = asyncio.create_task(
        asyncio.to_thread(_receive_incoming, smsc_simulator.port, 3, ready)
    )
    await smsc_simulator.wait_for_binds(1)
    assert await asyncio.to_thread(ready.wait, 5)
    assert await smsc_simulator.inject_incoming("79990001122", SENDER, text) == 3
    pdus = await worker
    assert [p.esm_class for p in pdus] == [0x40] * 3
    payload = b"".join(p.short_message[6:] for p in pdus)
    assert payload.decode("utf-16-be") == text
    await smsc_simulator.wait_for_deliver_sm_resps(3)


async def test_smpplib_reads_hex_receipt(socket_enabled: None) -> None:
    async with SmscSimulator(receipt_id_format="hex") as sim:
        outcome = await asyncio.to_thread(run_smpplib, sim.port, ["hex please"], receipts=1)
    assert outcome.message_ids == ["1000"]
    assert outcome.receipts[0].startswith(b"id:3e8 ")
