"""Recipient, option and sender changes apply to the running account without binding again.

Each test counts the binds at the simulator: only a change of what the session binds with
(here the password) may bind again; everything else reaches the running hub in place.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import CONF_SENDER, DOMAIN
from custom_components.smsc.migration import CONF_NOTIFY_SUFFIX
from simulator import SmscSimulator

from .conftest import device_with_identifier, wait_until

DAD_PHONE = "79160000002"


async def _add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> str:
    """Add a recipient through the subentry flow, as the UI does; its subentry id."""
    before = set(entry.subentries)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    [subentry_id] = set(entry.subentries) - before
    return subentry_id


async def test_a_recipient_added_later_gets_the_report_of_an_earlier_send(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Adding a recipient binds no more, adds its device and entities, and keeps the tracker:
    the report of a message sent to the number before it was a recipient reaches its sensor."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": [f"+{DAD_PHONE}"], "message": "Hi"}, blocking=True
    )
    [sent] = await smsc_simulator.wait_for_messages(1)

    subentry_id = await _add_recipient(
        hass,
        init_integration,
        {CONF_NAME: "Dad", "phone_number": f"+{DAD_PHONE}", "channels": ["sms", "call"]},
    )

    assert init_integration.runtime_data is hub
    assert hub.connected
    assert len(smsc_simulator.binds) == binds
    for entity_id in (
        "notify.dad_sms",
        "notify.dad_voice_call",
        "sensor.dad_last_delivery",
        "sensor.dad_last_call",
    ):
        assert hass.states.get(entity_id) is not None, entity_id
    for entity_id in ("binary_sensor.dad_reachable", "binary_sensor.dad_roaming"):
        # HLR-only: registered, disabled by default, as for a recipient there from the start.
        registered = er.async_get(hass).async_get(entity_id)
        assert registered is not None, entity_id
        assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    identifier = f"{init_integration.entry_id}_{subentry_id}"
    dad = device_with_identifier(hass, init_integration, identifier)
    account = device_with_identifier(hass, init_integration, init_integration.entry_id)
    assert dad is not None
    assert account is not None
    assert dad.via_device_id == account.id

    await smsc_simulator.send_delivery_receipt(sent.message_id)
    await wait_until(lambda: hass.states.get("sensor.dad_last_delivery").state == "delivered")
    assert len(smsc_simulator.binds) == binds


async def test_an_edited_recipient_changes_in_place(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A new name, number and channels: the device is renamed, the entities of dropped channels
    go, the kept ones send to the new number under their entity ids; nothing binds again."""
    hub = init_recipient.runtime_data
    binds = len(smsc_simulator.binds)
    dropped = ("notify.mum_voice_call", "notify.mum_viber", "sensor.mum_last_call")
    for entity_id in dropped:
        assert hass.states.get(entity_id) is not None, entity_id
    [subentry_id] = init_recipient.subentries
    result = await hass.config_entries.subentries.async_init(
        (init_recipient.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Mother", "phone_number": "+79160000003", "channels": ["sms"]},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert init_recipient.runtime_data is hub
    assert len(smsc_simulator.binds) == binds
    device = device_with_identifier(
        hass, init_recipient, f"{init_recipient.entry_id}_{subentry_id}"
    )
    assert device is not None
    assert device.name == "Mother"
    for gone in dropped:
        assert entity_registry.async_get(gone) is None, gone
        assert hass.states.get(gone) is None, gone
    assert hass.states.get("sensor.mum_last_delivery") is not None
    await hass.services.async_call(
        "notify", "send_message", {"entity_id": "notify.mum_sms", "message": "Hi"}, blocking=True
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.destination_addr == "79160000003"

    await smsc_simulator.send_delivery_receipt(received.message_id)
    await wait_until(lambda: hass.states.get("sensor.mum_last_delivery").state == "delivered")
    assert len(smsc_simulator.binds) == binds


async def test_a_removed_recipient_goes_without_a_bind(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Removing a recipient removes its device and entities; the session stays bound."""
    hub = init_recipient.runtime_data
    binds = len(smsc_simulator.binds)
    [subentry_id] = init_recipient.subentries
    assert hass.config_entries.async_remove_subentry(init_recipient, subentry_id)
    await hass.async_block_till_done()

    assert init_recipient.runtime_data is hub
    assert hub.connected
    assert len(smsc_simulator.binds) == binds
    identifier = f"{init_recipient.entry_id}_{subentry_id}"
    assert device_with_identifier(hass, init_recipient, identifier) is None
    for entity_id in ("notify.mum_sms", "sensor.mum_last_delivery"):
        assert hass.states.get(entity_id) is None, entity_id
    assert er.async_get(hass).async_get("binary_sensor.mum_reachable") is None

    # Added again: its entities come back, still without a bind.
    await _add_recipient(
        hass,
        init_recipient,
        {CONF_NAME: "Mum", "phone_number": "+79991234567", "channels": ["sms"]},
    )
    assert hass.states.get("notify.mum_sms") is not None
    assert len(smsc_simulator.binds) == binds


async def test_options_reach_the_running_session_and_assist(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """The options flow's rate, window and Assist cap apply to the running hub, unbound never."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "max_parts": 6,
            "use_message_payload": False,
            "sms_encoding": "ucs2",
            "max_rate": 12,
            "submit_window": 3,
            "assist": {"assist_agent": "conversation.home_assistant", "assist_answers_per_hour": 5},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    assert init_integration.runtime_data is hub
    assert (hub.session.config.max_rate, hub.session.config.submit_window) == (12, 3)
    assert hub.assist.limit.per_hour == 5
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": ["+79991234567"], "message": "Hi"}, blocking=True
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.data_coding == 8  # UCS-2, as the new option says
    assert len(smsc_simulator.binds) == binds


async def test_a_new_sender_applies_without_a_new_session(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Reconfiguring only the sender: the flow's check binds once, the running session stays."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **{k: v for k, v in init_integration.data.items() if k != CONF_NOTIFY_SUFFIX},
            CONF_SENDER: "Dacha",
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert init_integration.runtime_data is hub
    assert len(smsc_simulator.binds) == binds + 1  # the flow's check of the login
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": ["+79991234567"], "message": "Hi"}, blocking=True
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.source_addr == "Dacha"


async def test_a_new_password_binds_again(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A changed password is a new login: the account reloads and binds with it."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    smsc_simulator.password = "new-secret-password"
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **{k: v for k, v in init_integration.data.items() if k != CONF_NOTIFY_SUFFIX},
            CONF_PASSWORD: "new-secret-password",
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is not hub
    await wait_until(lambda: init_integration.runtime_data.connected)
    # The flow's check, then the reloaded account's bind.
    assert [bind.ok for bind in smsc_simulator.binds[binds:]] == [True, True]


async def test_a_channel_given_to_a_recipient_adds_its_entities(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """An SMS-only recipient given the voice call: its call entities appear, nothing binds."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    subentry_id = await _add_recipient(
        hass, init_integration, {CONF_NAME: "Dad", "phone_number": DAD_PHONE, "channels": ["sms"]}
    )
    assert hass.states.get("notify.dad_voice_call") is None
    assert hass.states.get("sensor.dad_last_call") is None
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Dad", "phone_number": DAD_PHONE, "channels": ["sms", "call"]},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert hass.states.get("notify.dad_sms") is not None
    assert hass.states.get("notify.dad_voice_call") is not None
    assert hass.states.get("sensor.dad_last_call") is not None
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.dad_voice_call", "message": "Call me"},
        blocking=True,
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.kind, received.destination_addr) == ("call", DAD_PHONE)
    assert init_integration.runtime_data is hub
    assert len(smsc_simulator.binds) == binds


async def test_a_waiting_caller_gets_its_answer_across_an_option_change(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A send waiting for its report gets it, though the options changed while it waited."""
    hub = init_integration.runtime_data
    binds = len(smsc_simulator.binds)
    smsc_simulator.auto_receipts = False
    send = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": [DAD_PHONE], "message": "Waiting", "wait_for_delivery": 10},
            blocking=True,
            return_response=True,
        )
    )
    [message] = await smsc_simulator.wait_for_messages(1)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "max_parts": 6,
            "use_message_payload": False,
            "sms_encoding": "auto",
            "max_rate": 5,
            "submit_window": 30,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Not hass.async_block_till_done(): it would wait for the send too, until its timeout.
    await wait_until(lambda: hub.session.config.max_rate == 5)
    assert not send.done()

    await smsc_simulator.send_delivery_receipt(message.message_id)
    response = await asyncio.wait_for(send, 10)
    assert response is not None
    assert response["results"][0]["delivery_state"] == "delivered"
    assert init_integration.runtime_data is hub
    assert len(smsc_simulator.binds) == binds
