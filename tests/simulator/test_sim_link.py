"""The simulator's throughput limit and response delay, over real TCP, fixture marker and CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import itertools
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest

from simulator import SmscSimulator
from simulator.__main__ import _parse_args, _simulator
from simulator.pdu import BindBody, CommandId, Pdu, SmBody, Status
from simulator.pytest_plugin import simulator_options
from simulator.testing import FakeClock, RawClient

Connect = Callable[[SmscSimulator], Awaitable[RawClient]]
MakeSim = Callable[..., Awaitable[SmscSimulator]]

_texts = itertools.count()


async def submit_unique(client: RawClient, **fields: Any) -> int:
    """Submit a text never sent before (so the duplicate rule stays out of the way)."""
    resp = await client.submit_text(f"message {next(_texts)}", **fields)
    return resp.command_status


def submit_pdu(sequence: int, text: str, **fields: Any) -> bytes:
    body = SmBody(destination_addr="79991234567", short_message=text.encode(), **fields)
    return Pdu(CommandId.SUBMIT_SM, 0, sequence, body.encode()).encode()


# --------------------------------------------------------------------------- throughput


async def test_throughput_throttles_above_n_per_second(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock, throughput=3)
    first, second = await connect(sim), await connect(sim)
    await first.bind()
    await second.bind()
    # The limit is the account's, over all its connections.
    assert [await submit_unique(c) for c in (first, second, first)] == [0, 0, 0]
    assert await submit_unique(second) == Status.RTHROTTLED
    assert await submit_unique(first) == Status.RTHROTTLED
    assert (sim.throttled_count, sim.submit_count, len(sim.received)) == (2, 3, 3)
    assert sim.pdu_counts["submit_sm"] == 5
    # A full second later the window is empty again: N more go through, the N+1-th does not.
    fake_clock.advance(1.0)
    assert [await submit_unique(first) for _ in range(4)] == [0, 0, 0, Status.RTHROTTLED]
    assert (sim.throttled_count, sim.submit_count) == (3, 6)


async def test_throughput_window_slides(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock, throughput=3)
    client = await connect(sim)
    await client.bind()
    start = fake_clock.now

    async def at(offset: float) -> int:
        fake_clock.now = start + offset
        return await submit_unique(client)

    assert [await at(0.0), await at(0.0), await at(0.5)] == [0, 0, 0]
    # A fixed calendar second would reset here; a sliding window still holds all three.
    assert await at(0.9) == Status.RTHROTTLED
    # The two from t=0.0 have left the window; the one from t=0.5 has not.
    assert [await at(1.05), await at(1.05)] == [0, 0]
    assert await at(1.1) == Status.RTHROTTLED
    assert await at(1.55) == 0
    # Throttled submits did not count: they are neither messages nor window entries.
    assert (sim.submit_count, sim.throttled_count, len(sim.received)) == (6, 2, 6)


async def test_throughput_counts_accepted_submits_only(
    make_sim: MakeSim, connect: Connect, fake_clock: FakeClock
) -> None:
    sim = await make_sim(clock=fake_clock, throughput=1)
    client = await connect(sim)
    await client.bind()
    assert (await client.submit_text("same")).command_status == 0
    fake_clock.advance(1.0)
    # Refused by the duplicate rule: not accepted, so it leaves the window to the next one.
    assert (await client.submit_text("same")).command_status == Status.RSUBMITFAIL
    assert (await client.submit_text("other")).command_status == 0
    assert sim.throttled_count == 0


async def test_throughput_and_throttle_next_change_at_run_time(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    assert smsc_simulator.throughput is None
    for _ in range(5):
        assert await submit_unique(bound) == 0
    # The window was kept without a limit, so a limit set now sees the past second.
    smsc_simulator.throughput = 5
    assert await submit_unique(bound) == Status.RTHROTTLED
    smsc_simulator.throughput = None
    smsc_simulator.throttle_next(1)
    assert await submit_unique(bound) == Status.RTHROTTLED
    assert await submit_unique(bound) == 0
    assert smsc_simulator.throttled_count == 2
    smsc_simulator.throughput = 0
    assert await submit_unique(bound) == Status.RTHROTTLED
    with pytest.raises(ValueError, match="throughput"):
        smsc_simulator.throughput = -1
    with pytest.raises(ValueError, match="response_delay"):
        SmscSimulator(response_delay=-0.1)


# --------------------------------------------------------------------------- response delay


async def test_pipelined_submits_are_answered_together_after_the_delay(
    make_sim: MakeSim, connect: Connect
) -> None:
    delay, count = 0.2, 30
    sim = await make_sim(response_delay=delay)
    client = await connect(sim)
    started = time.monotonic()
    assert (await client.bind()).command_status == 0
    assert time.monotonic() - started >= delay

    sequences = [client.next_sequence() for _ in range(count)]
    started = time.monotonic()
    await client.write(b"".join(submit_pdu(seq, f"pipelined {seq}") for seq in sequences))
    answers = [await client.read()]
    first_answer_after = time.monotonic() - started
    answers += [await client.read() for _ in sequences[1:]]
    elapsed = time.monotonic() - started

    # In request order, each one at least the delay after it was sent...
    assert [a.sequence_number for a in answers] == sequences
    assert all(a.command_id == CommandId.SUBMIT_SM_RESP for a in answers)
    assert all(a.command_status == 0 for a in answers)
    assert first_answer_after >= delay
    # ...but together: reading went on meanwhile, so not one delay per request (6 s here).
    assert elapsed < count * delay / 3
    assert len(sim.received) == count


async def test_every_response_kind_is_delayed_in_order(make_sim: MakeSim, connect: Connect) -> None:
    delay = 0.2
    sim = await make_sim(response_delay=delay)
    client = await connect(sim)
    started = time.monotonic()
    await client.send(CommandId.ENQUIRE_LINK)
    await client.send(0x0000_0777)  # unknown: generic_nack
    await client.send(CommandId.BIND_TRANSCEIVER, BindBody("demo", "demo").encode())
    await client.write(submit_pdu(client.next_sequence(), "hello"))
    await client.send(CommandId.UNBIND)
    answers = [await client.read()]
    assert time.monotonic() - started >= delay
    answers += [await client.read() for _ in range(4)]
    assert [a.sequence_number for a in answers] == [1, 2, 3, 4, 5]
    assert [(a.command_id, a.command_status) for a in answers] == [
        (CommandId.ENQUIRE_LINK_RESP, 0),
        (CommandId.GENERIC_NACK, Status.RINVCMDID),
        (CommandId.BIND_TRANSCEIVER_RESP, 0),
        (CommandId.SUBMIT_SM_RESP, 0),
        (CommandId.UNBIND_RESP, 0),
    ]
    # The unbind closes the link, but only once its (delayed) answer is out.
    assert await client.is_closed_by_peer()
    assert len(sim.received) == 1


async def test_half_closed_client_still_gets_delayed_answers(
    make_sim: MakeSim, connect: Connect
) -> None:
    sim = await make_sim(response_delay=0.1)
    client = await connect(sim)
    await client.bind()
    sequences = [client.next_sequence() for _ in range(3)]
    await client.write(b"".join(submit_pdu(seq, f"last words {seq}") for seq in sequences))
    client.writer.write_eof()
    assert [(await client.read()).sequence_number for _ in sequences] == sequences
    assert await client.is_closed_by_peer()


async def test_shortening_the_delay_keeps_responses_in_order(
    make_sim: MakeSim, connect: Connect
) -> None:
    sim = await make_sim(response_delay=0.3)
    client = await connect(sim)
    await client.bind()
    submitted = client.next_sequence()
    await client.write(submit_pdu(submitted, "slow"))
    await sim.wait_for(lambda: sim.submit_count == 1)
    sim.response_delay = 0.0
    pinged = await client.send(CommandId.ENQUIRE_LINK)
    assert [(await client.read()).sequence_number for _ in range(2)] == [submitted, pinged]
    # Nothing queued any more: back to answering at once.
    started = time.monotonic()
    assert (await client.request(CommandId.ENQUIRE_LINK)).command_status == 0
    assert time.monotonic() - started < 0.3


async def test_receipt_never_overtakes_its_submit_sm_resp(
    make_sim: MakeSim, connect: Connect
) -> None:
    delay = 0.3
    sim = await make_sim(response_delay=delay, receipt_delay=0.0)
    tx, rx, both = [await connect(sim) for _ in range(3)]
    await asyncio.gather(
        tx.bind(command_id=CommandId.BIND_TRANSMITTER),
        rx.bind(command_id=CommandId.BIND_RECEIVER),
        both.bind(),
    )

    sequence = both.next_sequence()
    await both.write(submit_pdu(sequence, "on the same link", registered_delivery=1))
    first, second = await both.read(), await both.read()
    assert (first.command_id, first.sequence_number) == (CommandId.SUBMIT_SM_RESP, sequence)
    assert second.command_id == CommandId.DELIVER_SM
    await rx.ack(await rx.read())

    # A receipt for another connection's submit also waits until that answer is written.
    started = time.monotonic()
    await tx.write(submit_pdu(tx.next_sequence(), "from the transmitter", registered_delivery=1))
    pdu = await rx.read()
    assert pdu.command_id == CommandId.DELIVER_SM
    assert time.monotonic() - started >= delay
    assert (await tx.read()).command_id == CommandId.SUBMIT_SM_RESP


async def test_stop_does_not_wait_for_delayed_responses(
    make_sim: MakeSim, connect: Connect
) -> None:
    sim = await make_sim(response_delay=30.0)
    client = await connect(sim)
    await client.send(CommandId.ENQUIRE_LINK)
    await sim.wait_for(lambda: sim.pdu_counts["enquire_link"] == 1)
    async with asyncio.timeout(5):
        await sim.stop()
    assert await client.is_closed_by_peer()


# --------------------------------------------------------------------------- fixture marker


@pytest.mark.smsc_simulator(throughput=2, response_delay_ms=50)
async def test_marker_configures_the_fixture(
    smsc_simulator: SmscSimulator, bound: RawClient
) -> None:
    assert smsc_simulator.throughput == 2
    assert smsc_simulator.response_delay == pytest.approx(0.05)
    assert smsc_simulator.login == "demo"
    assert [await submit_unique(bound) for _ in range(3)] == [0, 0, Status.RTHROTTLED]
    assert smsc_simulator.throttled_count == 1


@pytest.mark.smsc_simulator(response_delay=0.01, login="other", password="secret")
class TestClassMarker:
    async def test_options_pass_through(self, smsc_simulator: SmscSimulator) -> None:
        assert smsc_simulator.response_delay == pytest.approx(0.01)
        assert (smsc_simulator.login, smsc_simulator.password) == ("other", "secret")
        assert smsc_simulator.throughput is None

    @pytest.mark.smsc_simulator(throughput=7)
    async def test_closest_marker_wins(self, smsc_simulator: SmscSimulator) -> None:
        assert smsc_simulator.throughput == 7
        assert smsc_simulator.response_delay == 0.0


def test_marker_is_registered(pytestconfig: pytest.Config) -> None:
    lines = [line for line in pytestconfig.getini("markers") if line.startswith("smsc_simulator")]
    assert len(lines) == 1


def _request_marked(mark: pytest.MarkDecorator) -> pytest.FixtureRequest:
    node = SimpleNamespace(get_closest_marker=lambda name: mark.mark)
    return cast(pytest.FixtureRequest, SimpleNamespace(node=node))


def test_marker_options_are_checked() -> None:
    assert simulator_options(_request_marked(pytest.mark.smsc_simulator(throughput=1))) == {
        "throughput": 1
    }
    with pytest.raises(TypeError, match="keyword arguments only"):
        simulator_options(_request_marked(pytest.mark.smsc_simulator(30)))
    both = pytest.mark.smsc_simulator(response_delay=0.1, response_delay_ms=100)
    with pytest.raises(TypeError, match="response_delay or response_delay_ms"):
        simulator_options(_request_marked(both))


# --------------------------------------------------------------------------- command line


def test_cli_flags() -> None:
    sim = _simulator(_parse_args(["--port", "0", "--throughput", "30", "--response-delay", "50"]))
    assert sim.throughput == 30
    assert sim.response_delay == pytest.approx(0.05)
    defaults = _simulator(_parse_args([]))
    assert (defaults.throughput, defaults.response_delay) == (None, 0.0)


@pytest.mark.parametrize("flag", ["--throughput", "--response-delay"])
def test_cli_rejects_negative_values(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse_args([flag, "-1"])
    assert "must not be negative" in capsys.readouterr().err
