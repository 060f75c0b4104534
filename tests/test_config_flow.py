"""Config flow: adding an account, re-authentication, reconfiguration, options, their errors.

Setting the account up is mocked (`mock_setup_entry`), so each test is about the flow; the
flows still bind to the simulator over TCP to check what the user typed. What setup and a reload
do with the stored settings is tested in test_init.py.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.smsc.const import (
    CONF_LATIN1,
    CONF_MAX_PARTS,
    CONF_MAX_RATE,
    CONF_SENDER,
    CONF_SMS_ENCODING,
    CONF_SUBMIT_WINDOW,
    CONF_USE_MESSAGE_PAYLOAD,
    CONF_USE_TLS,
    DOMAIN,
)
from custom_components.smsc.notify_names import CONF_NOTIFY_SUFFIX
from simulator import SmscSimulator

from .conftest import LOGIN, PASSWORD, account_entry, entry_data

FLOW_SESSION_START = "custom_components.smsc.config_flow.SmppSession.start"


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Setting the account up (and down) succeeds without binding: these tests are about flows."""
    with (
        patch("custom_components.smsc.async_setup_entry", return_value=True) as mock,
        patch("custom_components.smsc.async_unload_entry", return_value=True),
    ):
        yield mock


pytestmark = pytest.mark.usefixtures("mock_setup_entry")


def user_input(simulator: SmscSimulator, **overrides: Any) -> dict[str, Any]:
    """What a user types into the account form to reach the simulator."""
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


def form_defaults(result: Mapping[str, Any]) -> dict[str, Any]:
    """The form's fields that have a default, with it."""
    return {
        str(key): key.default()
        for key in result["data_schema"].schema
        if key.default is not vol.UNDEFINED
    }


async def _user_form(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return dict(result)


# --- adding an account --------------------------------------------------------------------


async def test_user_flow_creates_entry(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A login the simulator accepts becomes an entry with the plain notify names."""
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_USERNAME: f" {LOGIN} "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"SMSC {LOGIN}"
    assert result["data"] == {**user_input(smsc_simulator), CONF_NOTIFY_SUFFIX: ""}
    assert result["result"].unique_id == LOGIN
    assert result["result"].minor_version == 2
    # The login was checked by binding to the simulator.
    assert [bind.system_id for bind in smsc_simulator.binds] == [LOGIN]
    assert mock_setup_entry.call_count == 1


async def test_second_account_gets_its_own_notify_names(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """The plain names are taken, so the next account's services carry its login."""
    account_entry(smsc_simulator).add_to_hass(hass)
    smsc_simulator.login = "Backup.1"
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_USERNAME: "Backup.1"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "backup.1"
    assert result["data"][CONF_NOTIFY_SUFFIX] == "backup_1"

    # Another login with the same slug gets its own names too.
    smsc_simulator.login = "Backup-1"
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_USERNAME: "Backup-1"})
    )
    assert result["data"][CONF_NOTIFY_SUFFIX] == "backup_1_2"


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
    """Each failure shows its error on the form, keeps what was typed, and then succeeds."""
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **overrides)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert CONF_PASSWORD not in suggested
    assert suggested[CONF_USERNAME] == overrides.get(CONF_USERNAME, LOGIN)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unexpected_error_then_recovers(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """An error nobody planned for shows `unknown` instead of a traceback in the UI."""
    result = await _user_form(hass)
    with patch(FLOW_SESSION_START, side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(smsc_simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["same_server", "other_name"])
async def test_same_login_aborts_whatever_the_server(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, host: str
) -> None:
    """One SMSC account is one entry: the login decides, in any case, through any server name."""
    account_entry(smsc_simulator).add_to_hass(hass)
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(smsc_simulator, **{CONF_HOST: host, CONF_USERNAME: LOGIN.upper()}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert smsc_simulator.binds == []


# --- re-authentication ----------------------------------------------------------------------


async def test_reauth_flow(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_setup_entry: AsyncMock
) -> None:
    """The new password is checked by binding, stored, and the account set up again."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    smsc_simulator.password = "new-secret-password"
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"][CONF_USERNAME] == LOGIN

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-secret-password"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == {
        **entry_data(smsc_simulator, password="new-secret-password"),
        CONF_NOTIFY_SUFFIX: "",
    }
    assert entry.unique_id == LOGIN
    assert mock_setup_entry.call_count == 1


async def _fail_reauth_with(
    hass: HomeAssistant, simulator: SmscSimulator, flow_id: str, error: str
) -> dict[str, Any]:
    """Submit the reauth form so that binding fails with `error`, over the wire if it can."""
    if error == "invalid_auth":
        return dict(
            await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: "wrong"})
        )
    if error == "cannot_connect":
        await simulator.stop()
        try:
            return dict(
                await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: PASSWORD})
            )
        finally:
            await simulator.start()
    with patch(FLOW_SESSION_START, side_effect=RuntimeError("boom")):
        return dict(
            await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: PASSWORD})
        )


@pytest.mark.parametrize("error", ["invalid_auth", "cannot_connect", "unknown"])
async def test_reauth_errors_then_recovers(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, error: str
) -> None:
    """A refused password, an unreachable server or a surprise shows on the form, then it works."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await _fail_reauth_with(hass, smsc_simulator, result["flow_id"], error)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


# --- reconfiguration ------------------------------------------------------------------------


async def test_reconfigure_flow(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_setup_entry: AsyncMock
) -> None:
    """Server, sender and encodings change; the unique id and the notify names stay."""
    # Set up (mocked) on SMSC's backup server; the simulator stands in for the main one.
    entry = account_entry(smsc_simulator, data={CONF_HOST: "smpp2.smscentre.com"})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"][CONF_USERNAME] == LOGIN
    defaults = form_defaults(result)
    assert defaults[CONF_USERNAME] == LOGIN
    assert defaults[CONF_HOST] == "smpp2.smscentre.com"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(smsc_simulator, **{CONF_SENDER: "Dacha", CONF_LATIN1: True}),
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        **entry_data(smsc_simulator, sender="Dacha", latin1=True),
        CONF_NOTIFY_SUFFIX: "",
    }
    assert entry.unique_id == LOGIN
    # Checked with the new settings: Latin-1 binds with system_type ISO.
    assert smsc_simulator.binds[-1].system_type == "ISO"
    assert mock_setup_entry.call_count == 1


async def test_reconfigure_refuses_another_login(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """Another login is another account: add it as a new entry instead. Nothing is bound."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_USERNAME: "other"})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert result["description_placeholders"] == {CONF_USERNAME: LOGIN}
    assert entry.data[CONF_USERNAME] == LOGIN
    assert smsc_simulator.binds == []


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "base", "invalid_auth"),
        ({CONF_PORT: 1}, "base", "cannot_connect"),
        ({CONF_SENDER: "This sender is far too long"}, CONF_SENDER, "invalid_sender"),
        (None, "base", "unknown"),
    ],
    ids=["wrong_password", "closed_port", "bad_sender", "unexpected"],
)
async def test_reconfigure_errors_then_recovers(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    overrides: dict[str, Any] | None,
    field: str,
    error: str,
) -> None:
    """Each failure shows its error and leaves the entry as it was; then the change succeeds."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    before = dict(entry.data)
    result = await entry.start_reconfigure_flow(hass)
    if overrides is None:
        with patch(FLOW_SESSION_START, side_effect=RuntimeError("boom")):
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], user_input(smsc_simulator)
            )
    else:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(smsc_simulator, **overrides)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert dict(entry.data) == before

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_while_reauth_is_pending(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """A pending re-authentication of the same account does not block reconfiguring it."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    await entry.start_reauth_flow(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator, **{CONF_SENDER: "Dacha"})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SENDER] == "Dacha"


async def test_reconfigure_of_a_duplicate_account_aborts(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """An account added twice before 1.2 must lose one entry first (its repair issue says so)."""
    account_entry(smsc_simulator).add_to_hass(hass)
    duplicate = MockConfigEntry(
        domain=DOMAIN,
        title=f"SMSC {LOGIN} (backup)",
        unique_id=f"{LOGIN}@localhost",
        data=entry_data(smsc_simulator, host="localhost"),
    )
    duplicate.add_to_hass(hass)
    result = await duplicate.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "duplicate_account"
    assert result["description_placeholders"] == {CONF_USERNAME: LOGIN}


# --- options ----------------------------------------------------------------------------------

OPTIONS = {
    CONF_MAX_PARTS: 2,
    CONF_USE_MESSAGE_PAYLOAD: True,
    CONF_SMS_ENCODING: "ucs2",
    CONF_MAX_RATE: 12,
    CONF_SUBMIT_WINDOW: 3,
}


async def test_options_flow(hass: HomeAssistant, smsc_simulator: SmscSimulator) -> None:
    """The form shows the defaults; what is submitted is stored as numbers."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    defaults = form_defaults(result)
    assert {key: defaults[key] for key in OPTIONS} == {
        CONF_MAX_PARTS: 6,
        CONF_USE_MESSAGE_PAYLOAD: False,
        CONF_SMS_ENCODING: "auto",
        CONF_MAX_RATE: 30,
        CONF_SUBMIT_WINDOW: 30,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**OPTIONS, CONF_MAX_PARTS: 2.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in OPTIONS} == OPTIONS
    assert isinstance(entry.options[CONF_MAX_PARTS], int)

    # The next form starts from what is stored.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = form_defaults(result)
    assert {key: defaults[key] for key in OPTIONS} == OPTIONS


@pytest.mark.parametrize(
    "invalid",
    [
        {CONF_MAX_PARTS: 0},
        {CONF_MAX_PARTS: 11},
        {CONF_MAX_RATE: 101},
        {CONF_SUBMIT_WINDOW: 0},
        {CONF_SUBMIT_WINDOW: 301},
        {CONF_SMS_ENCODING: "latin1"},
    ],
    ids=["no_parts", "too_many_parts", "rate_above_limit", "no_window", "window_above_300", "enc"],
)
async def test_options_flow_refuses_values_out_of_range(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, invalid: dict[str, Any]
) -> None:
    """Limits SMSC sets (300 submits in flight) and ours (10 parts) are enforced by the form."""
    entry = account_entry(smsc_simulator)
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.options.async_configure(result["flow_id"], {**OPTIONS, **invalid})
    assert set(err.value.schema_errors) == set(invalid)
    assert entry.options == {}


# --- the check bind ---------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["user", "reauth", "reconfigure"])
async def test_every_login_check_binds_as_a_transmitter(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, flow: str
) -> None:
    """Setup, reauth and reconfigure check the login with bind_transmitter.

    SMSC hands a transmitter no queued report or incoming SMS, so the check cannot take
    (and lose) what waits for the account's real session.
    """
    if flow == "user":
        result = await _user_form(hass)
        answer: dict[str, Any] = user_input(smsc_simulator)
    else:
        entry = account_entry(smsc_simulator)
        entry.add_to_hass(hass)
        if flow == "reauth":
            result = dict(await entry.start_reauth_flow(hass))
            answer = {CONF_PASSWORD: PASSWORD}
        else:
            result = dict(await entry.start_reconfigure_flow(hass))
            answer = user_input(smsc_simulator)
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], answer))
    assert result["type"] in (FlowResultType.CREATE_ENTRY, FlowResultType.ABORT)
    assert result.get("reason") in (None, "reauth_successful", "reconfigure_successful")
    assert [bind.command for bind in smsc_simulator.binds] == ["bind_transmitter"]
    assert smsc_simulator.pdu_counts["deliver_sm_resp"] == 0


@pytest.mark.parametrize("status", [0x0D, 0x0E, 0x0F])
async def test_every_login_refusal_shows_invalid_auth(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, status: int
) -> None:
    """ESME_RBINDFAIL, ESME_RINVPASWD and ESME_RINVSYSID at setup all mean a wrong login."""
    smsc_simulator.refuse_binds(status)
    result = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(smsc_simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
