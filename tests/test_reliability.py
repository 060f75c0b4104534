"""Reliability through the simulator over TCP: drops mid-burst, throttling, a silent server,
a password changed at SMSC, and garbage on the wire, at the session level and in Home
Assistant.

No test measures time: each waits for an event (a simulator condition, a session state, a
sensor state) with a generous timeout that only a broken session would reach.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from smpplib import consts

from custom_components.smsc.const import DOMAIN, EVENT_DELIVERY_REPORT
from custom_components.smsc.smpp.errors import ConnectionLost, NotConnected, SubmitRefused
from custom_components.smsc.smpp.session import SessionState, SmppSession
from simulator import CommandId, Pdu, SmscSimulator, Tag
from simulator.pdu import SmBody, Tlv

from .conftest import account_entry, loaded, wait_until
from .test_session import (
    LONG,
    PduLog,
    assert_sends,
    destination,
    open_session,
    params,
    raw_deliver_sm,
)

BURST = 200
CONNECTIVITY = "binary_sensor.smsc_demo_connection"


# --------------------------------------------------------------------------------------------
# A drop in the middle of a burst


def check_burst(
    sim: SmscSimulator, log: PduLog, results: list[str | BaseException]
) -> tuple[list[int], list[int]]:
    """Account for every one of the burst's sends; returns (lost, unsent) indexes.

    What each caller can be told, and what it means:

    * a message id: SMSC accepted it (and it must be one SMSC gave out, exactly once);
    * ConnectionLost: the submit went out whole and the link dropped before its answer came
      back. This is the "may or may not have been sent" case: SMSC may have accepted it (its
      answer lost with the link) or never read it. The session must not resend it;
    * NotConnected: the submit never went out whole, so SMSC cannot have accepted it.

    Nothing else: no caller is left without an answer, none gets a timeout.
    """
    assert len(results) == BURST
    ids = {i: r for i, r in enumerate(results) if isinstance(r, str)}
    lost = [i for i, r in enumerate(results) if isinstance(r, ConnectionLost)]
    unsent = [i for i, r in enumerate(results) if isinstance(r, NotConnected)]
    others = [r for r in results if not isinstance(r, str | ConnectionLost | NotConnected)]
    assert others == [], others
    assert len(ids) + len(lost) + len(unsent) == BURST  # none silently lost

    # No PDU was written twice: every destination is unique to one message, and the
    # simulator read at most one submit_sm for each, answered or not.
    seen = Counter(log.submitted_destinations())
    assert max(seen.values()) == 1, seen.most_common(3)
    assert sim.pdu_counts["submit_sm"] <= len(ids) + len(lost) <= BURST
    assert sim.refusals == []  # a resent text would have been refused as a duplicate

    # Every id a caller got is one SMSC gave out for that caller's message.
    accepted = {message.destination_addr: message.message_id for message in sim.received}
    assert len(accepted) == len(sim.received)
    for index, message_id in ids.items():
        assert accepted[destination(index)] == message_id
    assert len(set(ids.values())) == len(ids)
    # Accepted but not confirmed: only ever a message whose caller got ConnectionLost.
    confirmed = {destination(index) for index in ids}
    maybe_sent = {destination(index) for index in lost}
    assert set(accepted) - confirmed <= maybe_sent
    # A submit that never went out whole was never read, let alone accepted.
    assert not {destination(index) for index in unsent} & set(seen)
    return lost, unsent


async def test_drop_after_submit_mid_burst(smsc_simulator: SmscSimulator) -> None:
    """The simulator aborts the link on the 60th submit of 200 sent concurrently.

    Every send ends in an id or an error, no submit is written twice, the session rebinds by
    itself and the rest of the burst goes out on the new link.
    """
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, recorder):
        smsc_simulator.drop_after(60)
        results = await asyncio.gather(
            *(session.submit(params(i)) for i in range(BURST)), return_exceptions=True
        )
        lost, _unsent = check_burst(smsc_simulator, log, results)
        # The 60th submit was read and never answered: its caller cannot know.
        assert lost
        assert sum(isinstance(r, str) for r in results) >= BURST - session.config.submit_window
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert len(smsc_simulator.binds) >= 2
        assert all(bind.ok for bind in smsc_simulator.binds)
        assert session.counters.disconnects == 1
        await assert_sends(session, smsc_simulator, BURST + 1)


async def test_drop_connections_mid_burst(smsc_simulator: SmscSimulator) -> None:
    """The simulator aborts every connection once 50 of 200 messages are accepted."""
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, recorder):

        async def drop_midway() -> None:
            await smsc_simulator.wait_for(lambda: smsc_simulator.submit_count >= 50, LONG)
            await smsc_simulator.drop_connections()

        dropper = asyncio.create_task(drop_midway())
        results = await asyncio.gather(
            *(session.submit(params(i)) for i in range(BURST)), return_exceptions=True
        )
        await dropper
        check_burst(smsc_simulator, log, results)
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert len(smsc_simulator.binds) >= 2
        assert all(bind.ok for bind in smsc_simulator.binds)
        await assert_sends(session, smsc_simulator, BURST + 1)


async def test_drop_mid_burst_in_home_assistant(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """One smsc.send_sms to 200 recipients with the link dropped on the 60th submit.

    Every recipient's result is either sent (with SMSC's id) or failed with
    connection_lost / not_connected; the sensor comes back on and the next send works.
    The account allows 100 messages a second, so that pacing writes the whole burst well
    within the submit timeout: this is about the drop, not about pacing.
    """
    entry = account_entry(smsc_simulator, options={"max_rate": 100})
    async with loaded(hass, entry):
        log = PduLog(smsc_simulator)
        smsc_simulator.drop_after(60)
        recipients = [f"+{destination(i)}" for i in range(BURST)]
        response = await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": recipients, "message": "Water leak in the kitchen"},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        outcome: list[str | BaseException] = []
        for index, result in enumerate(response["results"]):
            assert result["recipient"] == destination(index)
            if result["success"]:
                [message_id] = result["message_ids"]
                outcome.append(message_id)
            elif result["error_code"] == "connection_lost":
                outcome.append(ConnectionLost())
            else:
                assert result["error_code"] == "not_connected", result
                outcome.append(NotConnected())
        assert response["sent"] + response["failed"] == BURST
        lost, _ = check_burst(smsc_simulator, log, outcome)
        assert lost
        await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_ON, LONG)
        hub = entry.runtime_data
        assert (hub.counters.sent, hub.counters.failed) == (response["sent"], response["failed"])
        after = await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79990000001"], "message": "after the drop"},
            blocking=True,
            return_response=True,
        )
        assert after is not None
        assert after["sent"] == 1


# --------------------------------------------------------------------------------------------
# Throttling


async def test_throttled_submit_is_retried_until_accepted(smsc_simulator: SmscSimulator) -> None:
    """Three ESME_RTHROTTLED answers: the session holds back, retries, and the fourth try is
    accepted; SMSC received the message once."""
    async with open_session(smsc_simulator, throttle_delay=0.05) as (session, _):
        smsc_simulator.throttle_next(3)
        message_id = await session.submit(params(1), timeout=LONG)
        [message] = smsc_simulator.received
        assert message.message_id == message_id
        assert smsc_simulator.pdu_counts["submit_sm"] == 4
        assert session.counters.throttled == 3
        assert session.counters.submits == 1


async def test_throttling_outlasting_the_timeout_raises(smsc_simulator: SmscSimulator) -> None:
    """Throttled for longer than the caller will wait: the caller gets the throttling error
    (no hang), and nothing was accepted."""
    async with open_session(smsc_simulator, throttle_delay=0.05) as (session, _):
        smsc_simulator.throttle_next(1_000_000)
        with pytest.raises(SubmitRefused) as caught:
            await session.submit(params(1), timeout=0.5)
        assert caught.value.status == consts.SMPP_ESME_RTHROTTLED
        assert smsc_simulator.received == []
        assert session.counters.throttled >= 1
        smsc_simulator.throttle_next(0)
        await assert_sends(session, smsc_simulator, 2)  # once SMSC lets up, sends go through


async def test_throttling_holds_back_the_whole_session(smsc_simulator: SmscSimulator) -> None:
    """After ESME_RTHROTTLED every caller waits out the pause, not only the throttled one.

    With a pause (30 s) longer than the callers' time (1 s), the throttled caller and a
    second one both get the throttling error at once, and the second one's submit is never
    written.
    """
    async with open_session(smsc_simulator, throttle_delay=LONG) as (session, _):
        smsc_simulator.throttle_next(1)
        with pytest.raises(SubmitRefused) as first:
            await session.submit(params(1), timeout=1.0)
        with pytest.raises(SubmitRefused) as second:
            await session.submit(params(2), timeout=1.0)
        assert first.value.status == second.value.status == consts.SMPP_ESME_RTHROTTLED
        assert smsc_simulator.pdu_counts["submit_sm"] == 1
        assert session.counters.throttled == 1  # only SMSC's answer counts


async def test_throttled_send_in_home_assistant(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """smsc.send_sms rides out two ESME_RTHROTTLED answers and reports one message sent."""
    smsc_simulator.throttle_next(2)
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+79991234567"], "message": "slow down"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    [received] = smsc_simulator.received
    assert response["results"][0]["message_ids"] == [received.message_id]
    assert smsc_simulator.pdu_counts["submit_sm"] == 3


# --------------------------------------------------------------------------------------------
# A server that stops answering


async def _setup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    session_tuning: dict[str, float],
    **tuning: float,
) -> None:
    session_tuning.update(tuning)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


async def test_silent_server_in_home_assistant(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    mock_config_entry: MockConfigEntry,
    session_tuning: dict[str, float],
) -> None:
    """No answers, no close: the enquire_link timeout notices, the connectivity sensor goes
    off; once the server answers again the session rebinds and the sensor comes back on."""
    # Short, but not so short that a loaded machine could miss a healthy answer.
    await _setup(
        hass, mock_config_entry, session_tuning, enquire_link_interval=0.2, response_timeout=1.0
    )
    try:
        states: list[str] = []

        @callback
        def on_change(event: Event) -> None:
            if event.data["entity_id"] == CONNECTIVITY:
                states.append(event.data["new_state"].state)

        hass.bus.async_listen("state_changed", on_change)
        assert hass.states.get(CONNECTIVITY).state == STATE_ON
        smsc_simulator.set_silent(True)
        await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_OFF, LONG)
        smsc_simulator.set_silent(False)
        await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_ON, LONG)
        assert states[:2] == [STATE_OFF, STATE_ON]
        hub = mock_config_entry.runtime_data
        assert hub.session.counters.disconnects >= 1
        assert len(smsc_simulator.binds) >= 2
        assert all(bind.ok for bind in smsc_simulator.binds)
        response = await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79991234567"], "message": "back again"},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert response["sent"] == 1
    finally:
        await _unload(hass, mock_config_entry)


# --------------------------------------------------------------------------------------------
# The password changed at SMSC


async def test_password_changed_stops_binding_and_reauth_recovers(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A rebind refused for the password: the session's thread ends (no bind loop), sends
    fail at once, the reauth flow runs; the new password brings the account back."""
    smsc_simulator.password = "changed-at-smsc"
    await smsc_simulator.drop_connections()
    await wait_until(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    await hass.async_block_till_done()
    hub = init_integration.runtime_data
    session: SmppSession = hub.session
    assert session.state is SessionState.AUTH_FAILED
    assert session._thread is not None
    session._thread.join(LONG)
    assert not session._thread.is_alive()  # nothing left that could bind again
    assert [bind.ok for bind in smsc_simulator.binds] == [True, False]
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    with pytest.raises(HomeAssistantError, match="SMSC refused its login"):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79991234567"], "message": "no way"},
            blocking=True,
        )
    assert smsc_simulator.pdu_counts["submit_sm"] == 0

    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"password": "changed-at-smsc"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_ON, LONG)
    assert smsc_simulator.binds[-1].ok
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+79991234567"], "message": "with the new password"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["sent"] == 1


# --------------------------------------------------------------------------------------------
# Garbage from the server, in Home Assistant


def _unknown_tlv_receipt() -> bytes:
    receipt = SmBody(
        source_addr="79991234567",
        destination_addr="",
        esm_class=0x04,
        short_message=b"id:4242 sub:001 dlvrd:001 stat:DELIVRD err:000 text:",
        tlvs=[Tlv(0x1404, b"vendor"), Tlv.cstr(Tag.RECEIPTED_MESSAGE_ID, "4242")],
    )
    return raw_deliver_sm(300, receipt)


GARBAGE: dict[str, tuple[bytes, bool]] = {
    # name: (bytes from the server, whether the link must be dropped and rebound)
    "unknown-command-id": (Pdu(0x0000ABCD, 0, 301, b"?").encode(), False),
    "unknown-response-id": (Pdu(0x8000ABCD, 0, 302).encode(), False),
    "unknown-tlvs-in-deliver-sm": (_unknown_tlv_receipt(), False),
    "malformed-deliver-sm": (raw_deliver_sm(303, SmBody().encode() + b"\x00"), False),
    "random-bytes": (bytes(range(7, 250, 7)), True),
    "oversized-command-length": (b"\x7f\xff\xff\xff" + b"\x00" * 12, True),
    "truncated-pdu": (Pdu(CommandId.SUBMIT_SM_RESP, 0, 304, b"1" * 40).encode()[:24], True),
}


@pytest.mark.parametrize("name", list(GARBAGE))
async def test_garbage_from_server_in_home_assistant(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    mock_config_entry: MockConfigEntry,
    session_tuning: dict[str, float],
    name: str,
) -> None:
    """Home Assistant keeps running; the session survives (still bound) or reconnects
    (rebinds); either way the connectivity sensor ends on and a send works."""
    garbage, reconnects = GARBAGE[name]
    await _setup(hass, mock_config_entry, session_tuning, response_timeout=1.0)
    try:
        events: list[dict[str, Any]] = []
        hass.bus.async_listen(EVENT_DELIVERY_REPORT, lambda event: events.append(event.data))
        hub = mock_config_entry.runtime_data
        assert await smsc_simulator.send_raw(garbage) == 1
        if reconnects:
            await smsc_simulator.wait_for_binds(2, LONG)
            await wait_until(lambda: hub.session.counters.connects >= 2, LONG)
        else:
            # The session has handled the garbage once it answers what follows it.
            await smsc_simulator.send_raw(Pdu(CommandId.ENQUIRE_LINK, 0, 399).encode())
            await smsc_simulator.wait_for(
                lambda: smsc_simulator.pdu_counts["enquire_link_resp"] >= 1, LONG
            )
        await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_ON, LONG)
        assert hass.state is CoreState.running
        assert mock_config_entry.state is ConfigEntryState.LOADED
        if reconnects:
            assert len(smsc_simulator.binds) >= 2
        else:
            assert len(smsc_simulator.binds) == 1
            assert hub.session.counters.disconnects == 0
        assert all(bind.ok for bind in smsc_simulator.binds)
        response = await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79991234567"], "message": f"after {name}"},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert response["sent"] == 1
        if name == "unknown-tlvs-in-deliver-sm":
            await hass.async_block_till_done()
            assert [event["message_id"] for event in events][:1] == ["4242"]
    finally:
        await _unload(hass, mock_config_entry)
