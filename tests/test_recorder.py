"""What the recorder keeps of the event entities: no IMSI, MSC or message text."""

from __future__ import annotations

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
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


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant does, so it comes first here."""


async def test_imsi_msc_and_text_stay_out_of_the_recorder(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
) -> None:
    """The event entities show IMSI, MSC and texts; the database keeps none of them."""
    start = dt_util.utcnow()
    hlr_results = async_capture_events(hass, EVENT_HLR_RESULT)
    messages = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)
    async with loaded(hass, recipient_entry):
        await smsc_action(hass, "hlr_lookup", recipients=[MUM_PHONE])
        await smsc_simulator.inject_incoming(MUM_PHONE, "HomeSMS", "The code is 4711")
        await wait_until(lambda: bool(hlr_results) and bool(messages))
        await hass.async_block_till_done()
        hlr = hass.states.get("event.smsc_demo_hlr_result")
        incoming = hass.states.get("event.smsc_demo_incoming_message")
        assert (hlr.attributes["imsi"], hlr.attributes["msc"]) == ("250023012345678", "79232510066")
        assert incoming.attributes["text"] == "The code is 4711"
        await async_wait_recording_done(hass)

        recorded = await hass.async_add_executor_job(
            get_significant_states,
            hass,
            start,
            None,
            ["event.smsc_demo_hlr_result", "event.smsc_demo_incoming_message"],
        )
    [*_, last_hlr] = recorded["event.smsc_demo_hlr_result"]
    [*_, last_incoming] = recorded["event.smsc_demo_incoming_message"]
    assert last_hlr.attributes["network"] == "MegaFON open Joint Stock Company"
    assert "imsi" not in last_hlr.attributes
    assert "msc" not in last_hlr.attributes
    assert last_incoming.attributes["sender"] == MUM_PHONE
    assert "text" not in last_incoming.attributes
