"""Config flow: user, errors, duplicates, re-authentication and reconfiguration."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import CONF_LATIN1, CONF_SENDER, CONF_USE_TLS, DOMAIN
from simulator import SmscSimulator

from .conftest import LOGIN, PASSWORD, entry_data


def user_input(simulator: SmscSimulator, **overrides: Any) -> dict[str, Any]:
    """What a user types into the form to reach the simulator."""
    return {
        CONF_HOST: simulator.host,
        CONF_PORT: simulator.port,
        CONF_USERNAME: LOGIN,
        CONF_PASSWORD: PASSWORD,
        CONF_SENDER: "HomeAlert",
        CONF_USE_TLS: False,
        CONF_LATIN1: False,
        **overrides,
    }


async def test_user_flow_creates_entry(hass: HomeAssistant, smsc_simulator: SmscSimulator) -> None:
    """A login the simulator accepts becomes an entry; the bind was really made."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"SMSC {LOGIN}"
    assert result["data"] == user_input(smsc_simulator)
    assert result["result"].unique_id == f"{LOGIN}@{smsc_simulator.host}"
    # One bind to validate the login, one by the entry it created.
    assert [bind.system_id for bind in smsc_simulator.binds] == [LOGIN, LOGIN]
    assert result["result"].runtime_data.connected


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "base", "invalid_auth"),
        ({CONF_USERNAME: "nobody"}, "base", "invalid_auth"),
        ({CONF_PORT: 1}, "base", "cannot_connect"),
        ({CONF_SENDER: "This sender is far too long"}, CONF_SENDER, "invalid_sender"),
    ],
    ids=["wrong_password", "wrong_login", "closed_port", "bad_sender"],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    overrides: dict[str, Any],
    field: str,
    error: str,
) -> None:
    """Each failure shows its error on the form, and the right input still succeeds."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **overrides)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """An error nobody planned for shows `unknown` instead of a traceback in the UI."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    with patch(
        "custom_components.smsc.config_flow.SmppSession.start", side_effect=RuntimeError("boom")
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(smsc_simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}


async def test_user_flow_aborts_on_duplicate(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The same login on the same host cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_USERNAME: LOGIN.upper()})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_flow(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A changed password is asked for, checked by binding, stored and the entry reloaded."""
    smsc_simulator.password = "new-secret-password"
    result = await init_integration.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"][CONF_USERNAME] == LOGIN

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-secret-password"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert init_integration.data[CONF_PASSWORD] == "new-secret-password"
    assert init_integration.runtime_data.connected


async def test_reconfigure_flow(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Sender and options change; the login stays; a wrong password is refused first."""
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    new = {k: v for k, v in user_input(smsc_simulator).items() if k != CONF_USERNAME}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new, CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new, CONF_SENDER: "Dacha", CONF_LATIN1: True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data == entry_data(
        smsc_simulator, **{CONF_SENDER: "Dacha", CONF_LATIN1: True}
    )
    assert smsc_simulator.binds[-1].system_type == "ISO"


async def test_reconfigure_to_host_of_other_entry_aborts(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Moving onto a host where this login already has an entry is refused."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=f"{LOGIN}@localhost", data=entry_data(smsc_simulator)
    ).add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    new = {k: v for k, v in user_input(smsc_simulator).items() if k != CONF_USERNAME}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new, CONF_HOST: "localhost"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options_flow(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Options are stored, the entry reloads, and sends follow them."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "max_parts": 2,
            "use_message_payload": True,
            "sms_encoding": "auto",
            "max_rate": 12,
            "submit_window": 3,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        "max_parts": 2,
        "use_message_payload": True,
        "sms_encoding": "auto",
        "max_rate": 12,
        "submit_window": 3,
    }
    hub = init_integration.runtime_data
    assert (hub.session.config.submit_window, hub.session.config.max_rate) == (3, 12)
    text = "Long text " * 25  # 250 GSM characters: two parts
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": ["+79991234567"], "message": text}, blocking=True
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.text, received.used_payload, received.parts) == (text, True, 1)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["+79991234567"], "message": "x" * 400},
            blocking=True,
        )
    assert err.value.translation_key == "too_many_parts"
