"""Notify: YAML notify services and the notify entities of recipient subentries."""

from __future__ import annotations

import logging
import time

from homeassistant.components.notify import DOMAIN as NOTIFY_DOMAIN
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE, Platform
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.smsc.const import DOMAIN
from simulator import SmscSimulator

from .conftest import MUM_PHONE, device_with_identifier, entry_data, loaded, wait_until
from .entity_snapshots import only_platform, snapshot_entities, snapshot_entry


async def test_yaml_notify_services(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """notify.smsc_sms, _call and _viber send to every target with the kind's data."""
    await hass.async_block_till_done()
    for service in ("smsc_sms", "smsc_call", "smsc_viber"):
        assert hass.services.has_service(NOTIFY_DOMAIN, service)
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "smsc_sms",
        {
            "message": "Water leak!",
            "title": "ignored",
            "target": ["+79991234567", "+79160000001"],
            "data": {"sender": "HomeAlert", "comment": "leak sensor"},
        },
        blocking=True,
    )
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "smsc_call",
        {"message": "Smoke detected", "target": "+79991234567", "data": {"voice": "w3"}},
        blocking=True,
    )
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "smsc_viber",
        {"message": "Door open", "target": ["+79991234567"]},
        blocking=True,
    )
    sms_a, sms_b, voice, viber = await smsc_simulator.wait_for_messages(4)
    assert {sms_a.destination_addr, sms_b.destination_addr} == {"79991234567", "79160000001"}
    assert (sms_a.kind, sms_a.body, sms_a.comment, sms_a.source_addr) == (
        "sms",
        "Water leak!",
        "leak sensor",
        "HomeAlert",
    )
    assert sms_a.source_addr_ton == 5
    assert (voice.kind, voice.body, voice.voice) == ("call", "Smoke detected", "w3")
    assert (viber.kind, viber.body) == ("viber", "Door open")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"message": "x"}, "no_target"),
        ({"message": "x", "target": "+79991234567", "data": {"voice": "w"}}, "invalid_notify_data"),
    ],
    ids=["missing_target", "data_of_other_kind"],
)
async def test_yaml_notify_errors(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    data: dict[str, object],
    key: str,
) -> None:
    """A missing target or data the kind does not take is a translated error."""
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(NOTIFY_DOMAIN, "smsc_sms", data, blocking=True)
    assert err.value.translation_key == key
    assert smsc_simulator.submit_count == 0


async def test_second_account_gets_suffixed_services_and_unload_removes_them(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A second account's services carry its login; unloading an account removes its own."""
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="backup@127.0.0.1",
        data=entry_data(smsc_simulator, username="backup"),
    )
    other.add_to_hass(hass)
    smsc_simulator.login = "backup"
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    assert hass.services.has_service(NOTIFY_DOMAIN, "smsc_sms_backup")
    assert await hass.config_entries.async_unload(other.entry_id)
    await hass.async_block_till_done()
    assert not hass.services.has_service(NOTIFY_DOMAIN, "smsc_sms_backup")
    assert hass.services.has_service(NOTIFY_DOMAIN, "smsc_sms")


async def test_recipient_device_and_notify_entities(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A recipient is a device with a notify entity per channel; notify.send_message works."""
    [subentry_id] = init_recipient.subentries
    device = device_with_identifier(
        hass, init_recipient, f"{init_recipient.entry_id}_{subentry_id}"
    )
    assert device is not None
    assert device.name == "Mum"
    entities = er.async_entries_for_device(entity_registry, device.id)
    notify_ids = sorted(e.entity_id for e in entities if e.domain == NOTIFY_DOMAIN)
    assert notify_ids == ["notify.mum_sms", "notify.mum_viber", "notify.mum_voice_call"]
    assert all(e.config_subentry_id == subentry_id for e in entities)

    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "send_message",
        {"entity_id": "notify.mum_voice_call", "message": "Dinner is ready"},
        blocking=True,
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.kind, received.body, received.destination_addr) == (
        "call",
        "Dinner is ready",
        MUM_PHONE,
    )


async def test_actions_accept_recipient_entities_and_devices(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """smsc.* actions resolve recipient devices and notify entities to their numbers."""
    [subentry_id] = init_recipient.subentries
    device = device_with_identifier(
        hass, init_recipient, f"{init_recipient.entry_id}_{subentry_id}"
    )
    assert device is not None
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"device_id": [device.id], "entity_id": ["notify.mum_sms"], "message": "Hi Mum"},
        blocking=True,
        return_response=True,
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.destination_addr == MUM_PHONE
    assert [result["recipient"] for result in response["results"]] == [MUM_PHONE]

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"entity_id": ["binary_sensor.smsc_demo_connection"], "message": "Hi"},
            blocking=True,
        )
    assert err.value.translation_key == "not_a_recipient"


async def test_notify_entity_failure_raises(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A notify entity whose send is refused raises, so the automation sees it."""
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "send_message",
        {"entity_id": "notify.mum_sms", "message": "Once"},
        blocking=True,
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            NOTIFY_DOMAIN,
            "send_message",
            {"entity_id": "notify.mum_sms", "message": "Once"},
            blocking=True,
        )
    assert err.value.translation_key == "duplicate_message"


async def test_adding_and_removing_recipient_without_restart(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A recipient added in the UI gets its device at once; removing it removes the device."""
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "recipient"), context={"source": "user"}
    )
    assert result["type"] == "form"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Dad", "phone_number": "8 (916) 000-00-02", "channels": ["sms"]},
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    [subentry] = init_integration.subentries.values()
    assert subentry.data == {
        CONF_NAME: "Dad",
        "phone_number": "79160000002",
        "channels": ["sms"],
    }
    assert hass.states.get("notify.dad_sms") is not None
    identifier = f"{init_integration.entry_id}_{subentry.subentry_id}"
    assert device_with_identifier(hass, init_integration, identifier) is not None

    assert hass.config_entries.async_remove_subentry(init_integration, subentry.subentry_id)
    await hass.async_block_till_done()
    assert device_with_identifier(hass, init_integration, identifier) is None
    assert hass.states.get("notify.dad_sms") is None
    assert init_integration.runtime_data.connected


async def test_recipient_flow_errors_and_reconfigure(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Invalid numbers and empty channels are refused; a duplicate number aborts; edit works."""
    result = await hass.config_entries.subentries.async_init(
        (init_recipient.entry_id, "recipient"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "X", "phone_number": "12ab", "channels": []}
    )
    assert result["errors"] == {"phone_number": "invalid_phone_number"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "X", "phone_number": "+79160000003", "channels": []}
    )
    assert result["errors"] == {"channels": "no_channels"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "X", "phone_number": "+7 999 123 45 67", "channels": ["sms"]}
    )
    assert (result["type"], result["reason"]) == ("abort", "already_configured")

    [subentry_id] = init_recipient.subentries
    result = await hass.config_entries.subentries.async_init(
        (init_recipient.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry_id},
    )
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Mother", "phone_number": "+79991234567", "channels": ["call"]},
    )
    assert (result["type"], result["reason"]) == ("abort", "reconfigure_successful")
    await hass.async_block_till_done()
    subentry = init_recipient.subentries[subentry_id]
    assert (subentry.title, subentry.data["channels"]) == ("Mother", ["call"])
    assert hass.states.get("notify.mum_sms") is None


def test_subentry_data_shape() -> None:
    """The fixture's subentry matches what the flow stores (guards the test data)."""
    data = ConfigSubentryData(
        data={"name": "Mum", "phone_number": MUM_PHONE, "channels": ["sms"]},
        subentry_type="recipient",
        title="Mum",
        unique_id=MUM_PHONE,
    )
    assert set(data["data"]) == {"name", "phone_number", "channels"}


# --- availability: unavailable only when a send cannot succeed without the user ----------------


def availability_changes(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Every state the entity takes from now on."""
    states: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            states.append(new.state)

    async_track_state_change_event(hass, entity_id, record)
    return states


async def test_a_reconnect_keeps_notify_entities_available_and_sends(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A send during a reconnect waits for it: the entity stays available, the SMS goes out.

    Home Assistant skips unavailable entities in notify.send_message without a word, so an
    alarm sent while the link is being restored would otherwise be lost. The outage is logged
    once when it begins and once when it ends, however many reconnects fail in between.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.smsc")
    hub = init_recipient.runtime_data
    states = availability_changes(hass, "notify.mum_sms")
    await smsc_simulator.stop()
    await wait_until(lambda: not hub.connected)

    send = hass.async_create_task(
        hass.services.async_call(
            NOTIFY_DOMAIN,
            "send_message",
            {"entity_id": "notify.mum_sms", "message": "Smoke in the kitchen"},
            blocking=True,
        )
    )
    await wait_until(lambda: caplog.text.count("Reconnecting to SMSC failed") >= 2)
    assert hass.states.get("notify.mum_sms").state != STATE_UNAVAILABLE
    await smsc_simulator.start()
    await send

    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.destination_addr, received.body) == (MUM_PHONE, "Smoke in the kitchen")
    assert STATE_UNAVAILABLE not in states
    outage_logs = [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name == "custom_components.smsc.hub" and record.levelno >= logging.INFO
    ]
    assert [level for level, _ in outage_logs] == [logging.INFO, logging.INFO]
    assert "Connection to SMSC lost for SMSC demo" in outage_logs[0][1]
    assert outage_logs[1][1] == "Connection to SMSC restored for SMSC demo"


async def test_an_outage_longer_than_a_send_waits_makes_them_unavailable(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
    session_tuning: dict[str, float],
) -> None:
    """Down for longer than the submit timeout: a send could not get through; back: available."""
    session_tuning["submit_timeout"] = 0.5
    async with loaded(hass, recipient_entry):
        hub = recipient_entry.runtime_data
        await smsc_simulator.stop()
        await wait_until(lambda: not hub.connected)
        assert hass.states.get("notify.mum_sms").state != STATE_UNAVAILABLE
        started = time.monotonic()

        await wait_until(lambda: hass.states.get("notify.mum_sms").state == STATE_UNAVAILABLE)

        assert time.monotonic() - started >= 0.3
        assert hass.states.get("notify.mum_voice_call").state == STATE_UNAVAILABLE
        # What SMSC last reported stays readable; only sending depends on the link.
        assert hass.states.get("sensor.mum_last_delivery").state != STATE_UNAVAILABLE
        await smsc_simulator.start()
        await wait_until(lambda: hass.states.get("notify.mum_sms").state != STATE_UNAVAILABLE)


async def test_a_refused_login_makes_them_unavailable_at_once(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """SMSC refusing the login needs the user (re-authentication): unavailable right away."""
    smsc_simulator.password = "changed-at-smsc"
    await smsc_simulator.drop_connections()
    await wait_until(lambda: hass.states.get("notify.mum_sms").state == STATE_UNAVAILABLE)
    assert init_recipient.runtime_data.session.counters.connects == 1
    assert any(init_recipient.async_get_active_flows(hass, {"reauth"}))


async def test_notify_entities_snapshot(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entries, names, translation keys and states of a recipient's notify entities."""
    entry = snapshot_entry(smsc_simulator)
    with only_platform(Platform.NOTIFY):
        async with loaded(hass, entry):
            await snapshot_entities(hass, entity_registry, snapshot, entry.entry_id)
