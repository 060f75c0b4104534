"""Which bind refusals stop the session for a new login, and which are retried (issue 18 #8).

At the first bind, 0x0D, 0x0E and 0x0F all mean the login is wrong. On a session bound before,
only 0x0E and 0x0F do at once; 0x0D stops it only three times in a row over at least five
minutes, and throttling or a system error is retried with the usual backoff.
"""

from __future__ import annotations

import asyncio
from itertools import count

import pytest
from smpplib import consts

from custom_components.smsc.smpp.config import SessionConfig
from custom_components.smsc.smpp.errors import AuthenticationFailed, BindRefusals
from custom_components.smsc.smpp.session import SessionState, SmppSession
from simulator import SmscSimulator
from tests.test_session import open_session

BINDFAIL = consts.SMPP_ESME_RBINDFAIL
INVPASWD = consts.SMPP_ESME_RINVPASWD
INVSYSID = consts.SMPP_ESME_RINVSYSID
THROTTLED = consts.SMPP_ESME_RTHROTTLED
SYSERR = consts.SMPP_ESME_RSYSERR


def test_only_a_row_of_bind_failures_over_five_minutes_is_final() -> None:
    now = [0.0]
    refusals = BindRefusals(lambda: now[0])
    for at in (0.0, 100.0, 200.0):  # three in a row, but within five minutes
        now[0] = at
        assert not refusals.final(BINDFAIL)
    now[0] = 300.0  # the fourth, five minutes after the first
    assert refusals.final(BINDFAIL)
    refusals.reset()
    now[0] = 1000.0
    assert not refusals.final(BINDFAIL)
    assert not refusals.final(THROTTLED)  # another answer breaks the row
    now[0] = 1400.0
    assert not refusals.final(BINDFAIL)
    assert not refusals.final(BINDFAIL)
    now[0] = 1700.0
    assert refusals.final(BINDFAIL)


@pytest.mark.parametrize("status", [INVPASWD, INVSYSID])
def test_a_wrong_login_is_final_at_once(status: int) -> None:
    assert BindRefusals().final(status)


@pytest.mark.parametrize("status", [BINDFAIL, THROTTLED, SYSERR])
async def test_transient_rebind_refusals_are_retried(
    smsc_simulator: SmscSimulator, status: int
) -> None:
    async with open_session(smsc_simulator) as (session, recorder):
        smsc_simulator.refuse_binds(status, 3)
        after = len(recorder.states)
        await smsc_simulator.drop_connections()
        await recorder.wait_for_state(SessionState.DISCONNECTED, after)
        await recorder.wait_for(lambda: recorder.states[-1] is SessionState.BOUND)
        assert SessionState.AUTH_FAILED not in recorder.states
        assert [bind.status for bind in smsc_simulator.binds] == [0, status, status, status, 0]
        assert session.state is SessionState.BOUND


@pytest.mark.parametrize("status", [INVPASWD, INVSYSID])
async def test_a_wrong_login_on_rebind_stops_the_session(
    smsc_simulator: SmscSimulator, status: int
) -> None:
    async with open_session(smsc_simulator) as (session, recorder):
        smsc_simulator.refuse_binds(status, 1)
        await smsc_simulator.drop_connections()
        await recorder.wait_for_state(SessionState.AUTH_FAILED)
        assert session.state is SessionState.AUTH_FAILED
        assert [bind.status for bind in smsc_simulator.binds] == [0, status]


async def test_bind_failures_over_five_minutes_stop_the_session(
    smsc_simulator: SmscSimulator,
) -> None:
    """Three 0x0D in a row, 150 s apart by the policy's clock: the third one is final."""
    async with open_session(smsc_simulator) as (session, recorder):
        ticks = count(0, 150)
        session._thread._bind_refusals = BindRefusals(lambda: float(next(ticks)))
        smsc_simulator.refuse_binds(BINDFAIL, 5)
        await smsc_simulator.drop_connections()
        await recorder.wait_for_state(SessionState.AUTH_FAILED)
        assert [bind.status for bind in smsc_simulator.binds] == [0] + [BINDFAIL] * 3


@pytest.mark.parametrize("status", [BINDFAIL, INVPASWD, INVSYSID])
async def test_every_login_refusal_fails_the_first_bind(
    smsc_simulator: SmscSimulator, status: int
) -> None:
    smsc_simulator.refuse_binds(status, 1)
    session = SmppSession(
        SessionConfig(smsc_simulator.host, smsc_simulator.port, "demo", "demo"),
        loop=asyncio.get_running_loop(),
    )
    with pytest.raises(AuthenticationFailed) as raised:
        await session.start()
    assert raised.value.status == status
    assert session.state is SessionState.CLOSED
