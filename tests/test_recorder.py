"""What the recorder keeps of our events and event entities: never IMSI or MSC, no text in states.

Read from the database itself: the states' attributes, and the events table with its event data
(where every bus event goes unless `recorder: exclude: event_types:` names it).
"""

from __future__ import annotations

from collections import defaultdict
import json
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import (
    EventData,
    Events,
    EventTypes,
    StateAttributes,
)
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.components.recorder.util import session_scope
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smsc.const import EVENT_HLR_RESULT, EVENT_MESSAGE_RECEIVED
from simulator import SmscSimulator

from .conftest import MUM_PHONE, loaded, smsc_action, wait_until

# What the simulator answers an HLR lookup of Mum with.
IMSI = "250023012345678"
MSC = "79232510066"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant does, so it comes first here."""


def recorded_event_data(hass: HomeAssistant) -> dict[str, list[dict[str, Any]]]:
    """Every recorded bus event's data, by event type (events joined with event_data)."""
    with session_scope(hass=hass, read_only=True) as session:
        rows = (
            session.query(EventTypes.event_type, EventData.shared_data)
            .select_from(Events)
            .join(EventTypes, Events.event_type_id == EventTypes.event_type_id)
            .outerjoin(EventData, Events.data_id == EventData.data_id)
            .all()
        )
    recorded: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event_type, shared_data in rows:
        recorded[event_type].append(json.loads(shared_data) if shared_data else {})
    return recorded


def recorded_attributes(hass: HomeAssistant) -> list[str]:
    """Every row of the state_attributes table, as stored."""
    with session_scope(hass=hass, read_only=True) as session:
        return [row.shared_attrs for row in session.query(StateAttributes.shared_attrs).all()]


async def test_imsi_and_msc_reach_no_table_and_text_only_the_events(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
) -> None:
    """IMSI and MSC are nowhere in the database; a text is in its event, not in any state."""
    start = dt_util.utcnow()
    hlr_results = async_capture_events(hass, EVENT_HLR_RESULT)
    messages = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)
    async with loaded(hass, recipient_entry):
        await smsc_action(hass, "hlr_lookup", recipients=[MUM_PHONE])
        await smsc_simulator.inject_incoming(MUM_PHONE, "HomeSMS", "The code is 4711")
        await wait_until(lambda: bool(hlr_results) and bool(messages))
        await hass.async_block_till_done()
        # SMSC's answer carried them: the hub has them, the entity and the bus event do not.
        hlr_answer = recipient_entry.runtime_data.recipients[MUM_PHONE].hlr
        assert (hlr_answer.imsi, hlr_answer.msc) == (IMSI, MSC)
        hlr = hass.states.get("event.smsc_demo_hlr_result")
        incoming = hass.states.get("event.smsc_demo_incoming_message")
        assert hlr.attributes["network"] == "MegaFON open Joint Stock Company"
        assert "imsi" not in hlr.attributes
        assert "msc" not in hlr.attributes
        assert incoming.attributes["text"] == "The code is 4711"
        await async_wait_recording_done(hass)

        recorded = await recorder_mock.async_add_executor_job(
            get_significant_states,
            hass,
            start,
            None,
            ["event.smsc_demo_hlr_result", "event.smsc_demo_incoming_message"],
        )
        events = await recorder_mock.async_add_executor_job(recorded_event_data, hass)
        attributes = await recorder_mock.async_add_executor_job(recorded_attributes, hass)

    [*_, last_hlr] = recorded["event.smsc_demo_hlr_result"]
    [*_, last_incoming] = recorded["event.smsc_demo_incoming_message"]
    assert last_hlr.attributes["network"] == "MegaFON open Joint Stock Company"
    assert last_incoming.attributes["sender"] == MUM_PHONE
    assert "text" not in last_incoming.attributes

    # The events are recorded (the README's `recorder: exclude:` is what keeps them out) ...
    [hlr_event] = events[EVENT_HLR_RESULT]
    assert (hlr_event["recipient"], hlr_event["network"]) == (
        MUM_PHONE,
        "MegaFON open Joint Stock Company",
    )
    assert not {"imsi", "msc"} & set(hlr_event)
    # ... with the text an automation reads, as documented ...
    [message_event] = events[EVENT_MESSAGE_RECEIVED]
    assert message_event["text"] == "The code is 4711"
    # ... as Home Assistant records every action call, ours with its numbers (README) ...
    assert {
        "domain": "smsc",
        "service": "hlr_lookup",
        "service_data": {"recipients": [MUM_PHONE]},
    } in (events["call_service"])
    # ... and neither the IMSI nor the MSC in any event, state or attribute row.
    everything = json.dumps(events) + "".join(attributes)
    assert IMSI not in everything
    assert MSC not in everything
    assert "The code is 4711" not in "".join(attributes)
