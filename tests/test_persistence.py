"""What outlives a reload, an unload or a restart: waiting callers' answers, sent messages and
SMSC's rate memory (see `persistence`)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsc.const import DOMAIN, EVENT_DELIVERY_REPORT
from custom_components.smsc.smpp.compose import MessageKind
from custom_components.smsc.tracking import MessageTracker
from simulator import SmscSimulator

from .conftest import MUM_PHONE, loaded, smsc_action, wait_until


def _store_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


async def _reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.smsc_simulator(auto_receipts=False)
async def test_waiting_caller_gets_pending_when_the_entry_unloads(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A caller waiting for delivery gets its response, `pending`, when the account unloads."""
    send = hass.async_create_task(
        smsc_action(
            hass, "send_sms", recipients=[MUM_PHONE], message="Wait for me", wait_for_delivery=30
        )
    )
    await smsc_simulator.wait_for_messages(1)
    assert await hass.config_entries.async_unload(init_recipient.entry_id)
    async with asyncio.timeout(10):
        response = await send
    [result] = response["results"]
    assert result["success"] is True
    assert result["delivery_state"] == "pending"


@pytest.mark.smsc_simulator(auto_receipts=False)
async def test_report_after_reload_names_the_recipient(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A report for a message sent before a reload is matched by its id after it."""
    response = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Before")
    [message_id] = response["results"][0]["message_ids"]
    await _reload(hass, init_recipient)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_simulator.send_delivery_receipt(message_id)
    await wait_until(lambda: bool(events))
    assert events[0].data["recipient"] == MUM_PHONE
    assert events[0].data["kind"] == "sms"
    assert events[0].data["matched_by"] == "message_id"


@pytest.mark.smsc_simulator(auto_receipts=False)
async def test_report_after_unload_and_setup_again_names_the_recipient(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The sent messages are written when the account stops, and read when it starts."""
    async with loaded(hass, recipient_entry):
        response = await smsc_action(hass, "send_call", recipients=[MUM_PHONE], message="Ring")
        [message_id] = response["results"][0]["message_ids"]
    assert _store_key(recipient_entry) in hass_storage
    assert await hass.config_entries.async_setup(recipient_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_simulator.send_delivery_receipt(message_id)
    await wait_until(lambda: bool(events))
    assert events[0].data["recipient"] == MUM_PHONE
    assert events[0].data["kind"] == "call"
    assert events[0].data["matched_by"] == "message_id"
    assert await hass.config_entries.async_unload(recipient_entry.entry_id)


async def test_unknown_id_is_matched_by_the_recipients_number(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """SMSC puts the recipient's number in a receipt's source: an unknown id still finds Mum."""
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_simulator.send_delivery_receipt(
        "424242", stat="UNDELIV", err="011", destination=MUM_PHONE, source="SMSC", text="x"
    )
    await wait_until(lambda: bool(events))
    data = events[0].data
    assert data["message_id"] == "424242"
    assert data["recipient"] == MUM_PHONE
    assert data["kind"] is None
    assert data["matched_by"] == "number"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.mum_last_delivery").state == "undelivered"


async def test_unknown_id_from_a_stranger_matches_nobody(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A report about a number that is no recipient names nobody."""
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_simulator.send_delivery_receipt(
        "434343", destination="79160000001", source="SMSC", text="x"
    )
    await wait_until(lambda: bool(events))
    assert events[0].data["recipient"] is None
    assert events[0].data["matched_by"] is None


async def test_duplicate_is_refused_after_a_reload(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """The rate memory survives a reload: the same text again within a minute is refused
    here, with the reason, and SMSC gets one copy only."""
    first = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Same text")
    assert first["results"][0]["success"] is True
    await _reload(hass, init_recipient)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Same text")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "duplicate_message"
    assert smsc_simulator.submits_by_destination[MUM_PHONE] == 1
    assert smsc_simulator.refusals == []


async def test_stored_messages_are_bounded_by_age(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Messages older than the tracker keeps are not restored, nor written back."""
    now = time.time()
    hass_storage[_store_key(recipient_entry)] = {
        "version": 1,
        "minor_version": 1,
        "key": _store_key(recipient_entry),
        "data": {
            "messages": [
                ["111", MUM_PHONE, "sms", now - 30 * 24 * 3600],
                ["222", MUM_PHONE, "sms", now - 60],
                ["bad row"],
            ],
            "guard": [["79160000001", "not a time", 1, []]],
        },
    }
    async with loaded(hass, recipient_entry):
        hub = recipient_entry.runtime_data
        assert len(hub.tracker) == 1
        assert len(hub.sender.guard) == 0
    assert [row[0] for row in hass_storage[_store_key(recipient_entry)]["data"]["messages"]] == [
        "222"
    ]


def test_restored_messages_keep_the_size_bound() -> None:
    """A restore honours the tracker's size: the newest messages are kept."""
    clock = [1_000_000.0]
    tracker = MessageTracker(max_size=3, clock=lambda: clock[0])
    tracker.restore([[str(n), MUM_PHONE, "sms", clock[0] - 10 + n] for n in range(6)])
    assert len(tracker) == 3
    assert [row[0] for row in tracker.export()] == ["3", "4", "5"]
    tracker.add("6", MUM_PHONE, MessageKind.SMS)
    assert [row[0] for row in tracker.export()] == ["4", "5", "6"]


async def test_removing_the_entry_removes_its_store(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A removed account leaves no stored messages behind."""
    async with loaded(hass, recipient_entry):
        await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Bye")
    assert _store_key(recipient_entry) in hass_storage
    assert await hass.config_entries.async_remove(recipient_entry.entry_id)
    await hass.async_block_till_done()
    assert _store_key(recipient_entry) not in hass_storage
