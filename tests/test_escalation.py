"""smsc.escalate over TCP: down the list until someone answers, acknowledgement, cancel, resume."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import time
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsc.const import (
    CONF_ASSIST,
    CONF_CHANNELS,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_ASSIST_HANDLED,
    EVENT_ESCALATION_ENDED,
    EVENT_ESCALATION_STEP,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_RECIPIENT,
)
from custom_components.smsc.escalation import EscalationManager
from custom_components.smsc.recipients import find_recipient, recipient_device_id
from custom_components.smsc.smpp.outcomes import ERROR_SLUGS
from simulator import SmscSimulator
from simulator.server import ReceivedMessage

from .conftest import MUM_PHONE, account_entry, loaded, smsc_action, wait_until

DAD_PHONE = "79997654321"
VIRTUAL_NUMBER = "79001112233"
ENTRY_ID = "alarm_account"
ACTIVE = "sensor.smsc_demo_active_escalations"
STORE_KEY = f"{DOMAIN}.escalations.{ENTRY_ID}"


def _recipient(name: str, phone: str, **extra: Any) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={CONF_NAME: name, CONF_PHONE_NUMBER: phone, CONF_CHANNELS: ["sms", "call"], **extra},
        subentry_type=SUBENTRY_RECIPIENT,
        title=name,
        unique_id=phone,
    )


@pytest.fixture
def family_entry(smsc_simulator: SmscSimulator) -> MockConfigEntry:
    """Mum, who does not answer, and Dad, who does (and may talk to Assist)."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "no_answer")
    return account_entry(
        smsc_simulator,
        entry_id=ENTRY_ID,
        subentries_data=[
            _recipient("Mum", MUM_PHONE),
            _recipient("Dad", DAD_PHONE, **{CONF_ASSIST: True}),
        ],
    )


@pytest.fixture
async def family(
    hass: HomeAssistant, family_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The family's account, set up."""
    async with loaded(hass, family_entry):
        yield family_entry


def _calls(simulator: SmscSimulator, number: str | None = None) -> list[ReceivedMessage]:
    return [
        message
        for message in simulator.received
        if message.kind == "call" and number in (None, message.destination_addr)
    ]


def _manager(hass: HomeAssistant) -> EscalationManager:
    """The loaded account's escalations."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    manager: EscalationManager = entry.runtime_data.escalations
    return manager


def _device(hass: HomeAssistant, entry: MockConfigEntry, phone: str) -> str | None:
    subentry = find_recipient(entry, phone)
    assert subentry is not None
    return recipient_device_id(hass, entry, subentry)


async def _ended(events: list[Event], count: int = 1) -> dict[str, Any]:
    await wait_until(lambda: len(events) >= count)
    return dict(events[count - 1].data)


async def test_skips_who_does_not_answer_and_ends_at_who_does(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """Mum's call rings out, so Dad is called at once; his answer ends the escalation."""
    steps = async_capture_events(hass, EVENT_ESCALATION_STEP)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    mum, dad = _device(hass, family, MUM_PHONE), _device(hass, family, DAD_PHONE)
    response = await smsc_action(
        hass, "escalate", device_id=[mum, dad], message="Water leak in the cellar"
    )
    escalation_id = response["escalation_id"]
    end = await _ended(ended)
    assert end == {
        "entry_id": ENTRY_ID,
        "escalation_id": escalation_id,
        "reason": "answered",
        "recipient": DAD_PHONE,
        "device_id": dad,
    }
    assert [(s.data["recipient"], s.data["kind"], s.data["result"]) for s in steps] == [
        (MUM_PHONE, "call", "no_answer"),
        (DAD_PHONE, "call", "answered"),
    ]
    assert steps[0].data["device_id"] == mum
    assert steps[0].data["attempt"] == 1
    assert [call.destination_addr for call in _calls(smsc_simulator)] == [MUM_PHONE, DAD_PHONE]
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get("sensor.dad_last_call").state == "answered"
    assert hass.states.get("sensor.mum_last_call").attributes["error"] == ERROR_SLUGS[237]


async def test_repeated_attempts_say_their_number_and_the_list_is_exhausted(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """Two calls each, the second worded apart (SMSC refuses a repeat within a minute)."""
    smsc_simulator.set_call_outcome(DAD_PHONE, "busy")
    steps = async_capture_events(hass, EVENT_ESCALATION_STEP)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    await smsc_action(
        hass,
        "escalate",
        recipients=[MUM_PHONE, f"+{DAD_PHONE}"],
        message="Smoke",
        attempts=2,
        interval=0,
    )
    assert (await _ended(ended))["reason"] == "exhausted"
    assert [call.body for call in _calls(smsc_simulator, MUM_PHONE)] == [
        "Smoke",
        "Smoke (call 2 of 2)",
    ]
    assert [(s.data["attempt"], s.data["result"]) for s in steps[2:]] == [
        (1, "busy"),
        (2, "busy"),
    ]
    assert not smsc_simulator.refusals


async def test_a_reply_with_the_code_acknowledges_and_skips_assist(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """The SMS tells the code; Dad's reply with it ends the calls and does not reach Assist."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    steps = async_capture_events(hass, EVENT_ESCALATION_STEP)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    received = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)
    handled = async_capture_events(hass, EVENT_ASSIST_HANDLED)
    response = await smsc_action(
        hass,
        "escalate",
        recipients=[MUM_PHONE, DAD_PHONE],
        message="Freezer is warm",
        sms=True,
        acknowledge="4827",
        call_timeout=600,
    )
    await smsc_simulator.wait_for(lambda: len(_calls(smsc_simulator)) == 1)
    texts = {m.destination_addr: m.body for m in smsc_simulator.received if m.kind == "sms"}
    assert texts == {
        MUM_PHONE: "Freezer is warm\nReply 4827 to stop the alarm.",
        DAD_PHONE: "Freezer is warm\nReply 4827 to stop the alarm.",
    }
    await wait_until(lambda: len([s for s in steps if s.data["kind"] == "sms"]) == 2)
    assert {s.data["result"] for s in steps} == {"delivered"}

    await smsc_simulator.inject_incoming(DAD_PHONE, VIRTUAL_NUMBER, "ok, 4827!")
    end = await _ended(ended)
    assert end["escalation_id"] == response["escalation_id"]
    assert end["reason"] == "acknowledged"
    assert end["recipient"] == DAD_PHONE
    # Another reply goes the usual way, to Assist: the acknowledgement before it did not.
    await smsc_simulator.inject_incoming(DAD_PHONE, VIRTUAL_NUMBER, "what is the temperature")
    await wait_until(lambda: len(handled) == 1)
    assert [event.data["text"] for event in received] == [
        "ok, 4827!",
        "what is the temperature",
    ]
    assert handled[0].data["text"] == "what is the temperature"
    assert len(_calls(smsc_simulator)) == 1
    assert _manager(hass).running == {}


async def test_cancel_stops_the_calls(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """Cancel ends it at once, the sensor shows none running; an unknown id is refused."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    response = await smsc_action(
        hass, "escalate", recipients=[MUM_PHONE, DAD_PHONE], message="Door open"
    )
    await smsc_simulator.wait_for(lambda: len(_calls(smsc_simulator)) == 1)
    state = hass.states.get(ACTIVE)
    assert state.state == "1"
    assert state.attributes["escalations"] == [
        {
            "escalation_id": response["escalation_id"],
            "recipients": [MUM_PHONE, DAD_PHONE],
            "calling": MUM_PHONE,
        }
    ]
    await hass.services.async_call(
        DOMAIN, "cancel_escalation", {"escalation_id": response["escalation_id"]}, blocking=True
    )
    assert (await _ended(ended))["reason"] == "cancelled"
    await hass.async_block_till_done()
    manager = _manager(hass)
    assert not manager.running
    assert hass.states.get(ACTIVE).state == "0"
    # The written call's late report does not start the next one.
    await smsc_simulator.send_delivery_receipt(
        _calls(smsc_simulator)[0].message_id, stat="UNDELIV", err="237"
    )
    await hass.async_block_till_done()
    assert len(_calls(smsc_simulator)) == 1
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "cancel_escalation", {"escalation_id": "nope"}, blocking=True
        )
    assert err.value.translation_key == "escalation_not_found"


async def test_the_same_alarm_twice_is_one_escalation(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """An automation that fires twice gets the running escalation's id, and no new calls."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    first = await smsc_action(hass, "escalate", recipients=[MUM_PHONE], message="Leak")
    second = await smsc_action(hass, "escalate", recipients=[MUM_PHONE], message="Leak")
    other = await smsc_action(hass, "escalate", recipients=[MUM_PHONE], message="Smoke")
    assert first == second
    assert other != first
    await smsc_simulator.wait_for(lambda: len(_calls(smsc_simulator)) == 2)
    assert sorted(call.body for call in _calls(smsc_simulator)) == ["Leak", "Smoke"]
    assert hass.states.get(ACTIVE).state == "2"


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"recipients": [f"7999000{i:04d}" for i in range(11)]}, "too_many_recipients"),
        ({"recipients": [MUM_PHONE], "attempts": 6}, "too_many_attempts"),
        ({"recipients": [MUM_PHONE], "acknowledge": "two words"}, "invalid_acknowledge_code"),
        ({}, "no_target"),
    ],
)
async def test_cost_limits_are_refused(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,
    fields: dict[str, Any],
    key: str,
) -> None:
    """More than 10 recipients or 5 attempts is refused, translated, before any call."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "escalate", message="Leak", **fields)
    assert err.value.translation_key == key
    assert not smsc_simulator.received


async def test_resumes_after_a_reload_without_repeating_a_written_call(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """A reload mid-call: the call is not repeated; its report, after the reload, moves on."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    steps = async_capture_events(hass, EVENT_ESCALATION_STEP)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    response = await smsc_action(
        hass, "escalate", recipients=[MUM_PHONE, DAD_PHONE], message="Leak", call_timeout=600
    )
    manager = _manager(hass)
    escalation = manager.running[response["escalation_id"]]
    await wait_until(
        lambda: escalation.pending_call is not None and bool(escalation.pending_call.message_ids)
    )
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"
    [mum_call] = _calls(smsc_simulator)
    await smsc_simulator.send_delivery_receipt(mum_call.message_id, stat="UNDELIV", err="237")
    end = await _ended(ended)
    assert end["reason"] == "answered"
    assert end["recipient"] == DAD_PHONE
    assert [s.data["result"] for s in steps] == ["no_answer", "answered"]
    assert [call.destination_addr for call in _calls(smsc_simulator)] == [MUM_PHONE, DAD_PHONE]


def _stored(started_at: float, **progress: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "minor_version": 1,
        "key": STORE_KEY,
        "data": {
            "escalations": [
                {
                    "escalation_id": "stored1",
                    "plan": {
                        "recipients": [MUM_PHONE, DAD_PHONE],
                        "message": "Leak",
                        "voice": None,
                        "sms": False,
                        "attempts": 1,
                        "interval": 60.0,
                        "call_timeout": 10.0,
                        "code": None,
                        "stop_on_answer": True,
                    },
                    "started_at": started_at,
                    "position": 0,
                    "attempt": 1,
                    "sms_done": False,
                    "next_call_at": None,
                    "pending_call": None,
                    **progress,
                }
            ]
        },
    }


async def test_a_stored_call_without_report_counts_as_not_answered(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a restart, Mum's call written before it is not repeated: Dad is called next."""
    now = time.time()
    hass_storage[STORE_KEY] = _stored(
        now - 10, pending_call={"written_at": now - 9.8, "message_ids": ["999"]}
    )
    steps = async_capture_events(hass, EVENT_ESCALATION_STEP)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    async with loaded(hass, family_entry):
        end = await _ended(ended)
        assert end["escalation_id"] == "stored1"
        assert end["reason"] == "answered"
        assert [s.data["result"] for s in steps] == ["no_answer", "answered"]
        assert [call.destination_addr for call in _calls(smsc_simulator)] == [DAD_PHONE]


async def test_past_its_deadline_a_stored_escalation_is_interrupted(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A restart long after it began ends it as interrupted, without a call."""
    hass_storage[STORE_KEY] = _stored(1_000_000.0)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    async with loaded(hass, family_entry):
        end = await _ended(ended)
        assert end["reason"] == "interrupted"
        assert end["recipient"] is None
        assert hass.states.get(ACTIVE).state == "0"
    assert not _calls(smsc_simulator)
    assert hass_storage[STORE_KEY]["data"] == {"escalations": []}
