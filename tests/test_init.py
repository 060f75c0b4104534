"""Setup, unload, failures at start, and the session through a real socket."""

from __future__ import annotations

import logging

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import DOMAIN
from simulator import SmscSimulator

from .conftest import PASSWORD, entry_data, wait_until

CONNECTIVITY = "binary_sensor.smsc_demo_connection"


async def test_setup_and_unload(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Setup binds as a transceiver; unload unbinds and stops the thread."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    bind = smsc_simulator.binds[0]
    assert (bind.system_id, bind.system_type, bind.command) == ("demo", "", "bind_transceiver")

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    await smsc_simulator.wait_for(lambda: smsc_simulator.bound_count == 0)
    assert smsc_simulator.connection_count == 0


async def test_latin1_binds_with_system_type_iso(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """Latin-1 is only SMSC's when the bind says system_type ISO."""
    mock_config_entry = MockConfigEntry(domain=DOMAIN, data=entry_data(smsc_simulator, latin1=True))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert smsc_simulator.binds[0].system_type == "ISO"
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_setup_not_ready_when_unreachable(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A server that cannot be reached leaves the entry to be retried."""
    mock_config_entry.add_to_hass(hass)
    await smsc_simulator.stop()
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_auth_failed_starts_reauth(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A refused password fails setup and asks the user for a new one."""
    smsc_simulator.password = "changed"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_password_changed_while_running_starts_reauth(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A rebind refused for credentials stops reconnecting and starts re-authentication."""
    smsc_simulator.password = "changed"
    await smsc_simulator.drop_connections()
    await wait_until(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    # Nothing spins: the session's thread has ended instead of rebinding in a loop.
    thread = init_integration.runtime_data.session._thread
    assert thread is None or not thread.is_alive()
    assert len(smsc_simulator.binds) == 2


async def test_send_sms_round_trip(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """smsc.send_sms reaches the simulator over TCP and answers with its message id."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+7 (999) 123-45-67"], "message": "Door opened"},
        blocking=True,
        return_response=True,
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.kind, received.text, received.destination_addr) == (
        "sms",
        "Door opened",
        "79991234567",
    )
    assert received.data_coding == 0
    assert response == {
        "results": [
            {
                "recipient": "79991234567",
                "success": True,
                "message_ids": list(received.message_ids),
                "parts": 1,
            }
        ],
        "sent": 1,
        "failed": 0,
    }


async def test_session_survives_error_response(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """An error status fails that one send; the session stays bound and sends the next."""
    smsc_simulator.throttle_next(100)
    hub = init_integration.runtime_data
    with pytest.raises(HomeAssistantError, match=r"not sent.*Throttling"):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79991234567"], "message": "first"},
            blocking=True,
        )
    smsc_simulator.throttle_next(0)
    assert hub.connected
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+79991234567"], "message": "second"},
        blocking=True,
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.text == "second"
    assert len(smsc_simulator.binds) == 1


async def test_reconnects_after_drop(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """The link drops, the sensor goes off, the session rebinds by itself and it goes on."""
    states: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            states.append(event.data["new_state"].state)
            if event.data["entity_id"] == CONNECTIVITY
            else None
        ),
    )
    await smsc_simulator.drop_connections()
    await smsc_simulator.wait_for(lambda: len(smsc_simulator.binds) == 2)
    await hass.async_block_till_done()
    await wait_until(lambda: hass.states.get(CONNECTIVITY).state == STATE_ON)
    assert states[:1] == [STATE_OFF]
    assert states[-1] == STATE_ON
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+79991234567"], "message": "after the drop"},
        blocking=True,
        return_response=True,
    )
    assert response["sent"] == 1


async def test_password_never_logged(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Even with smpplib at DEBUG, the bind's password is not in any log record."""
    secret = "s3cr3t-Passw0rd"
    smsc_simulator.password = secret
    mock_config_entry = MockConfigEntry(
        domain=DOMAIN, data=entry_data(smsc_simulator, password=secret)
    )
    caplog.set_level(logging.DEBUG)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+79991234567"], "message": "hello"},
        blocking=True,
    )
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    wire = [r for r in caplog.records if r.name.startswith("smpplib")]
    assert any(">>" in r.getMessage() for r in wire), "smpplib's hex dumps were not captured"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged
    assert secret.encode().hex() not in logged
    assert secret != PASSWORD
