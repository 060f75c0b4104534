"""Setup, unload, migration, reloads after the flows, and the session through a real socket."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import logging

from homeassistant.components.notify import DOMAIN as NOTIFY_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import CONF_LATIN1, CONF_SENDER, DOMAIN
from custom_components.smsc.notify_names import CONF_NOTIFY_SUFFIX
from simulator import SmscSimulator

from .conftest import LOGIN, PASSWORD, account_entry, entry_data, loaded, wait_until

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
    with pytest.raises(HomeAssistantError, match=r"refused the message.*ESME_RTHROTTLED"):
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


# --- the flows on a running account: a new login binds again, options apply live ----------


async def test_reauth_of_a_running_account_binds_with_the_new_password(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """SMSC refuses the password while running; the one given in the flow is bound with."""
    smsc_simulator.password = "new-secret-password"
    await smsc_simulator.drop_connections()
    await wait_until(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: "new-secret-password"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    await wait_until(lambda: init_integration.runtime_data.connected)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON


async def test_reauth_with_the_same_password_binds_again(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """SMSC took the password back (an IP allowed again): the unchanged entry still rebinds."""
    smsc_simulator.password = "temporarily-refused"
    await smsc_simulator.drop_connections()
    await wait_until(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    smsc_simulator.password = PASSWORD
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await wait_until(lambda: init_integration.runtime_data.connected)
    assert init_integration.data[CONF_PASSWORD] == PASSWORD


async def test_reauth_after_setup_refused_sets_the_account_up(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """An account whose setup failed on the password is set up once the new one is given."""
    smsc_simulator.password = "changed"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.config_entries.flow.async_configure(flow["flow_id"], {CONF_PASSWORD: "changed"})
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data.connected
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_reconfigure_reloads_with_the_new_settings(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """After reconfiguring, the account binds with Latin-1 (system_type ISO) and sends."""
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **{k: v for k, v in init_integration.data.items() if k != CONF_NOTIFY_SUFFIX},
            CONF_SENDER: "Dacha",
            CONF_LATIN1: True,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await wait_until(lambda: init_integration.runtime_data.connected)
    # The flow's check, then the reloaded account's bind.
    assert [bind.system_type for bind in smsc_simulator.binds[-2:]] == ["ISO", "ISO"]
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": ["+79991234567"], "message": "Hi"}, blocking=True
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.source_addr == "Dacha"


async def test_options_apply_to_the_running_account_and_sends_follow_them(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """New options reach the running session without a new bind; the sends use them."""
    binds = len(smsc_simulator.binds)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
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
    assert smsc_simulator.submit_count == 1
    assert len(smsc_simulator.binds) == binds


# --- migration and the YAML notify names ----------------------------------------------------

BACKUP = "backup"


@pytest.fixture
async def backup_simulator(smsc_simulator: SmscSimulator) -> AsyncGenerator[SmscSimulator]:
    """A second SMSC account, `backup`, on a simulator of its own."""
    async with SmscSimulator(
        login=BACKUP,
        password=PASSWORD,
        host=smsc_simulator.host,
        port=0,
    ) as simulator:
        yield simulator


def version_1_1_entry(simulator: SmscSimulator, login: str = LOGIN) -> MockConfigEntry:
    """An entry as version 1.1 stored it: unique id `login@host`, no notify names."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"SMSC {login}",
        unique_id=f"{login}@{simulator.host}",
        version=1,
        minor_version=1,
        data=entry_data(simulator, username=login),
    )


def notify_services(hass: HomeAssistant) -> set[str]:
    """The YAML notify services of SMSC accounts."""
    return {
        name
        for name in hass.services.async_services_for_domain(NOTIFY_DOMAIN)
        if name.startswith(f"{DOMAIN}_")
    }


async def test_migration_from_1_1_keeps_the_notify_names(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, backup_simulator: SmscSimulator
) -> None:
    """The login becomes the unique id; each account stores the names it had in 1.1."""
    first = version_1_1_entry(smsc_simulator)
    second = version_1_1_entry(backup_simulator, BACKUP)
    async with loaded(hass, first), loaded(hass, second):
        assert (first.version, first.minor_version, first.unique_id) == (1, 2, LOGIN)
        assert (second.version, second.minor_version, second.unique_id) == (1, 2, BACKUP)
        assert first.data == {**entry_data(smsc_simulator), CONF_NOTIFY_SUFFIX: ""}
        assert second.data[CONF_NOTIFY_SUFFIX] == BACKUP
        assert notify_services(hass) == {
            "smsc_sms",
            "smsc_call",
            "smsc_viber",
            "smsc_sms_backup",
            "smsc_call_backup",
            "smsc_viber_backup",
        }


async def test_notify_names_stay_when_the_first_account_is_removed(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, backup_simulator: SmscSimulator
) -> None:
    """Automations keep their account: the second one never takes over `notify.smsc_sms`."""
    first = account_entry(smsc_simulator)
    second = account_entry(
        backup_simulator,
        title=f"SMSC {BACKUP}",
        unique_id=BACKUP,
        data={CONF_USERNAME: BACKUP, CONF_NOTIFY_SUFFIX: BACKUP},
    )
    async with loaded(hass, first), loaded(hass, second):
        assert "smsc_sms" in notify_services(hass)
        assert await hass.config_entries.async_remove(first.entry_id)
        assert await hass.config_entries.async_reload(second.entry_id)
        await hass.async_block_till_done()
        assert notify_services(hass) == {"smsc_sms_backup", "smsc_call_backup", "smsc_viber_backup"}
        await hass.services.async_call(
            NOTIFY_DOMAIN,
            "smsc_sms_backup",
            {"message": "Still mine", "target": "+79991234567"},
            blocking=True,
        )
        [received] = await backup_simulator.wait_for_messages(1)
        assert received.text == "Still mine"
        assert smsc_simulator.submit_count == 0


async def test_an_account_added_twice_in_1_1_waits_for_one_to_go(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, issue_registry: ir.IssueRegistry
) -> None:
    """Two 1.1 entries of one login: the second keeps its unique id and gets a repair issue;
    once the first is deleted, it finishes the migration."""
    first = version_1_1_entry(smsc_simulator)
    second = MockConfigEntry(
        domain=DOMAIN,
        title=f"SMSC {LOGIN} (backup server)",
        unique_id=f"{LOGIN}@localhost",
        data=entry_data(smsc_simulator),
    )
    async with loaded(hass, first), loaded(hass, second):
        assert first.unique_id == LOGIN
        assert (second.unique_id, second.minor_version) == (f"{LOGIN}@localhost", 1)
        assert second.state is ConfigEntryState.LOADED
        issue = issue_registry.async_get_issue(DOMAIN, f"duplicate_account_{second.entry_id}")
        assert issue is not None
        assert issue.translation_placeholders == {
            "login": LOGIN,
            "title": second.title,
            "other_title": first.title,
        }
        # Each keeps distinct notify names meanwhile.
        assert second.data[CONF_NOTIFY_SUFFIX] == LOGIN

        assert await hass.config_entries.async_remove(first.entry_id)
        await hass.async_block_till_done()
        assert (second.unique_id, second.minor_version) == (LOGIN, 2)
        assert second.state is ConfigEntryState.LOADED
        assert (
            issue_registry.async_get_issue(DOMAIN, f"duplicate_account_{second.entry_id}") is None
        )


async def test_removing_a_duplicate_drops_its_issue(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, issue_registry: ir.IssueRegistry
) -> None:
    """Deleting the entry that waits for migration deletes its repair issue with it."""
    first = account_entry(smsc_simulator)
    second = version_1_1_entry(smsc_simulator)
    async with loaded(hass, first), loaded(hass, second):
        issue_id = f"duplicate_account_{second.entry_id}"
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
        assert await hass.config_entries.async_remove(second.entry_id)
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert first.state is ConfigEntryState.LOADED


async def test_an_entry_of_a_newer_version_is_not_set_up(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """A downgrade leaves an entry this version cannot read: it fails instead of guessing."""
    entry = account_entry(smsc_simulator, version=2)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert smsc_simulator.binds == []


async def test_an_entry_of_a_newer_minor_version_is_set_up_as_it_is(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> None:
    """A newer minor version only adds to what this one reads: nothing is migrated back."""
    entry = account_entry(smsc_simulator, minor_version=3)
    async with loaded(hass, entry):
        assert entry.state is ConfigEntryState.LOADED
        assert (entry.minor_version, entry.unique_id) == (3, LOGIN)
