"""Closing a session and changing its limits while bound, against the simulator over TCP.

Closing tells each submit the truth: one never written is "not sent" (`SessionClosed`); one
written gets SMSC's answer if it comes within the grace, else `ConnectionLost` (SMSC may hold
it). The simulator's `response_delay` stands for a slow SMSC.
"""

from __future__ import annotations

import asyncio

import pytest

from custom_components.smsc.smpp.errors import ConnectionLost, SessionClosed
from custom_components.smsc.smpp.receipts import DeliveryReceipt
from custom_components.smsc.smpp.session import SmppSession
from simulator import SmscSimulator
from tests.test_session import LONG, QUICK_UNBIND, open_session, params


async def _written(sim: SmscSimulator, count: int) -> None:
    await sim.wait_for(lambda: sim.pdu_counts["submit_sm"] >= count, timeout=LONG)


@pytest.mark.smsc_simulator(response_delay=0.3)
async def test_an_answer_within_the_grace_is_accepted(smsc_simulator: SmscSimulator) -> None:
    """The answer to a written submit arrives while closing: the caller gets its message id."""
    async with open_session(smsc_simulator, close_grace=0) as (session, _):
        task = asyncio.create_task(session.submit(params(1)))
        await _written(smsc_simulator, 1)
        await session.close(grace=LONG)
        assert session.in_flight == 0
    assert await task == smsc_simulator.received[0].message_id
    assert smsc_simulator.pdu_counts["unbind"] == 1


async def test_reports_are_still_handed_over_during_the_grace(
    smsc_simulator: SmscSimulator,
) -> None:
    """While a written submit waits for its answer, the link is still served."""
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND) as (session, recorder):
        message_id = await session.submit(params(1))
        smsc_simulator.set_silent(True)
        waiting = asyncio.create_task(session.submit(params(2)))
        await _written(smsc_simulator, 2)
        closing = asyncio.create_task(session.close(grace=LONG))
        await asyncio.sleep(0)
        await smsc_simulator.send_delivery_receipt(message_id)
        await recorder.wait_for(lambda: bool(recorder.received))
        assert not closing.done()
        # Silence dropped the second submit; a drop fails it as it would on any link.
        await smsc_simulator.drop_connections()
        await closing
    assert isinstance(recorder.received[0], DeliveryReceipt)
    assert recorder.received[0].message_id == message_id
    with pytest.raises(ConnectionLost):
        await waiting


async def test_an_unanswered_written_submit_may_have_been_sent(
    smsc_simulator: SmscSimulator,
) -> None:
    """No answer within the grace: ConnectionLost ("may or may not"), never SessionClosed."""
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND) as (session, _):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await _written(smsc_simulator, 1)
        grace = 0.3
        # A bound against a hang, not a measurement: grace, the unbind's wait, and slack.
        async with asyncio.timeout(grace + QUICK_UNBIND["response_timeout"] + 5.0):
            await session.close(grace=grace)
    with pytest.raises(ConnectionLost):
        await task
    assert smsc_simulator.pdu_counts["submit_sm"] == 1


async def test_queued_submits_are_not_sent(smsc_simulator: SmscSimulator) -> None:
    """Submits waiting for a window slot, or held by the pacer, fail as never sent."""
    async with open_session(
        smsc_simulator, close_grace=0, **QUICK_UNBIND, submit_window=2, max_rate=1
    ) as (session, _):
        smsc_simulator.set_silent(True)
        tasks = [asyncio.create_task(session.submit(params(i))) for i in range(3)]
        await _written(smsc_simulator, 1)
        # The second holds a window slot but waits for the pacer; the third waits for a slot.
        await session.close(grace=0.2)
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionLost, SessionClosed, SessionClosed]
    assert all("not sent" in str(result) for result in results[1:])
    assert smsc_simulator.pdu_counts["submit_sm"] == 1


async def test_close_twice_and_submit_after_close(smsc_simulator: SmscSimulator) -> None:
    async with open_session(smsc_simulator) as (session, _):
        await session.close()
    with pytest.raises(SessionClosed, match="not sent"):
        await session.submit(params(1))


async def test_a_larger_window_lets_waiting_submits_out(smsc_simulator: SmscSimulator) -> None:
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND, submit_window=1) as (
        session,
        _,
    ):
        smsc_simulator.set_silent(True)
        tasks = [asyncio.create_task(session.submit(params(i))) for i in range(3)]
        await _written(smsc_simulator, 1)
        session.update_limits(max_rate=session.config.max_rate, submit_window=3)
        await _written(smsc_simulator, 3)
        assert session.in_flight == 3
        assert session.config.submit_window == 3
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(result, ConnectionLost) for result in results)


async def test_a_smaller_window_keeps_the_submits_in_flight(smsc_simulator: SmscSimulator) -> None:
    """Shrinking never cancels a submit holding a slot; new ones wait until enough are answered."""
    async with open_session(smsc_simulator, submit_window=3) as (session, _):
        smsc_simulator.response_delay = 0.5
        held = [asyncio.create_task(session.submit(params(i))) for i in range(3)]
        await _written(smsc_simulator, 3)
        session.update_limits(max_rate=session.config.max_rate, submit_window=1)
        later = asyncio.create_task(session.submit(params(3)))
        ids = await asyncio.gather(*held)
        assert len(set(ids)) == 3
        # All three answered: the one new slot is free for the fourth.
        assert await later
        assert smsc_simulator.pdu_counts["submit_sm"] == 4


async def test_a_lower_rate_applies_to_the_next_submit(smsc_simulator: SmscSimulator) -> None:
    """After update_limits(max_rate=1), only one submit goes out in a second; the next waits."""
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND) as (session, _):
        session.update_limits(max_rate=1, submit_window=session.config.submit_window)
        assert session.config.max_rate == 1
        smsc_simulator.set_silent(True)
        tasks = [asyncio.create_task(session.submit(params(i))) for i in range(2)]
        await _written(smsc_simulator, 1)
        await session.close(grace=0)
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionLost, SessionClosed]
    assert smsc_simulator.pdu_counts["submit_sm"] == 1


async def test_update_limits_refuses_nonsense(smsc_simulator: SmscSimulator) -> None:
    async with open_session(smsc_simulator) as (session, _):
        with pytest.raises(ValueError, match="at least 1"):
            session.update_limits(max_rate=0, submit_window=1)
        assert isinstance(session, SmppSession)
