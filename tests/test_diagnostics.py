"""Diagnostics redact the password, the login and every phone number."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.smsc.const import DOMAIN
from simulator import SmscSimulator

from .conftest import LOGIN, MUM_PHONE, PASSWORD, loaded, wait_until
from .entity_snapshots import snapshot_entry


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
) -> None:
    """State, counters and the last error are there; no secret or number is."""
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [MUM_PHONE, "+79160000001"], "message": "Hello"},
        blocking=True,
    )
    hub = init_recipient.runtime_data
    await wait_until(lambda: hub.counters.delivery_reports >= 2)
    await smsc_simulator.drop_connections()
    # The reader counts the reconnect before it reports the new state to the event loop.
    await wait_until(lambda: hub.session.counters.connects == 2)
    await wait_until(lambda: hub.connected)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_recipient)

    assert diagnostics["session"]["state"] == "bound"
    assert diagnostics["session"]["counters"]["submits"] == 2
    assert diagnostics["session"]["counters"]["disconnects"] == 1
    assert diagnostics["session"]["counters"]["last_error"]
    assert diagnostics["hub"]["counters"]["sent"] == 2
    assert diagnostics["hub"]["tracked_messages"] == 2
    entry = diagnostics["entry"]
    assert entry["data"]["password"] == "**REDACTED**"
    assert entry["data"]["username"] == "**REDACTED**"
    [subentry] = entry["subentries"]
    assert subentry["data"]["phone_number"] == "**REDACTED**"
    dumped = json.dumps(diagnostics)
    for secret in (PASSWORD, LOGIN, MUM_PHONE, "79160000001", "Mum"):
        assert secret not in dumped, secret


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    smsc_simulator: SmscSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The whole diagnostics of an account with a recipient, right after setup.

    The simulator's port changes from run to run, the entry's dates with the clock.
    """
    assert await async_setup_component(hass, "diagnostics", {})
    entry = snapshot_entry(smsc_simulator)
    async with loaded(hass, entry):
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(exclude=props("created_at", "modified_at", "port"))
