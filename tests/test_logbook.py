"""The logbook, through core's logbook and recorder: the integration's events in plain words."""

from __future__ import annotations

from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsc.const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_ESCALATION_ENDED,
    EVENT_MESSAGE_RECEIVED,
)
from simulator import SmscSimulator

from .conftest import MUM_PHONE, smsc_action, wait_until
from .test_escalation import DAD_PHONE, VIRTUAL_NUMBER, family, family_entry  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant does, so it comes first here."""


async def test_logbook_tells_what_happened(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,  # noqa: F811
) -> None:
    """Calls, an undelivered SMS, an incoming SMS and an alarm, as the logbook page lists them."""
    start = dt_util.utcnow()
    # The logbook needs the frontend only to add its panel; the frontend's files (a package
    # of its own, tens of megabytes) are not needed to read the logbook over its REST API.
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    reports = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    incoming = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)

    await smsc_action(hass, "escalate", recipients=[MUM_PHONE, DAD_PHONE], message="Leak")
    await wait_until(lambda: bool(ended))
    smsc_simulator.auto_receipts = False
    await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Are you there?")
    [*_, sms] = await smsc_simulator.wait_for_messages(3)
    await smsc_simulator.send_delivery_receipt(sms.message_id, stat="UNDELIV", err="006")
    await smsc_simulator.inject_incoming(MUM_PHONE, VIRTUAL_NUMBER, "Sorry, phone was off")
    await wait_until(lambda: len(reports) == 3 and bool(incoming))
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    client = await hass_client()
    response = await client.get(f"/api/logbook/{start.isoformat()}")
    assert response.status == 200
    lines = [
        f"{entry['name']} {entry['message']}"
        for entry in await response.json()
        if entry.get("domain") == DOMAIN
    ]
    assert lines == [
        "Mum did not answer the call",
        "Mum did not answer the alarm call: no answer",
        "Dad answered the call",
        "Dad answered the alarm call",
        "Alarm ended: Dad answered",
        "SMS to Mum undelivered: subscriber offline",
        "Incoming SMS from Mum",
    ]
