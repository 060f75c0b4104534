"""Device triggers of recipients and of the account."""

from __future__ import annotations

from unittest.mock import AsyncMock

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.smsc import device_trigger
from custom_components.smsc.const import CONF_PHONE_NUMBER, DOMAIN
from simulator import SmscSimulator

from .conftest import MUM_PHONE, device_with_identifier, wait_until

NEW_PHONE = "79990000077"


def devices(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[str, str]:
    """Device ids of the account and of its recipient."""
    [subentry_id] = entry.subentries
    account = device_with_identifier(hass, entry, entry.entry_id)
    mum = device_with_identifier(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert account is not None
    assert mum is not None
    return account.id, mum.id


async def test_listed_triggers(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A recipient offers delivery and HLR triggers; the account offers incoming messages."""
    account, mum = devices(hass, init_recipient)
    recipient_triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, mum)
    assert sorted(t["type"] for t in recipient_triggers if t["domain"] == DOMAIN) == [
        "delivered",
        "delivery_failed",
        "hlr_result",
    ]
    account_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, account
    )
    assert [t["type"] for t in account_triggers if t["domain"] == DOMAIN] == ["message_received"]


async def test_triggers_fire(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Delivery failed, HLR result and message received run their automations."""
    account, mum = devices(hass, init_recipient)
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "triggers": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device,
                        "type": kind,
                    },
                    "actions": {"action": "test.automation", "data": {"kind": kind}},
                }
                for device, kind in (
                    (mum, "delivery_failed"),
                    (mum, "delivered"),
                    (mum, "hlr_result"),
                    (account, "message_received"),
                )
            ]
        },
    )
    smsc_simulator.auto_receipts = False
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [MUM_PHONE], "message": "Ping"},
        blocking=True,
        return_response=True,
    )
    [message_id] = response["results"][0]["message_ids"]
    await smsc_simulator.send_delivery_receipt(message_id, stat="EXPIRED")
    await wait_until(lambda: len(calls) == 1)
    assert calls[0].data == {"kind": "delivery_failed"}

    response = await hass.services.async_call(
        DOMAIN, "hlr_lookup", {"recipients": [MUM_PHONE]}, blocking=True, return_response=True
    )
    await smsc_simulator.send_hlr_result(response["results"][0]["message_ids"][0])
    await wait_until(lambda: len(calls) == 2)
    assert calls[1].data == {"kind": "hlr_result"}

    await smsc_simulator.inject_incoming("79160000009", "HomeSMS", "Hi")
    await wait_until(lambda: len(calls) == 3)
    assert calls[2].data == {"kind": "message_received"}


async def test_trigger_follows_the_device_when_the_number_changes(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A recipient's trigger matches its device, not its number: a new number keeps it."""
    _account, mum = devices(hass, init_recipient)
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": mum,
                    "type": "delivered",
                },
                "actions": {
                    "action": "test.automation",
                    "data": {"device_id": "{{ trigger.event.data.device_id }}"},
                },
            }
        },
    )
    [subentry] = init_recipient.subentries.values()
    assert hass.config_entries.async_update_subentry(
        init_recipient, subentry, data={**subentry.data, CONF_PHONE_NUMBER: NEW_PHONE}
    )
    await hass.async_block_till_done()  # the recipient's entities follow the new number
    assert devices(hass, init_recipient)[1] == mum

    await hass.services.async_call(
        DOMAIN, "send_sms", {"entity_id": "notify.mum_sms", "message": "New SIM?"}, blocking=True
    )

    [received] = await smsc_simulator.wait_for_messages(1)
    assert received.destination_addr == NEW_PHONE
    await wait_until(lambda: len(calls) == 1)
    assert calls[0].data == {"device_id": mum}


@pytest.mark.parametrize(
    ("device", "kind", "key"),
    [("gone", "delivered", "unknown_device"), ("account", "delivered", "trigger_not_for_device")],
)
async def test_invalid_trigger_config_is_translated(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    device: str,
    kind: str,
    key: str,
) -> None:
    """A removed device, or a recipient's trigger on the account, is refused in words."""
    account, _mum = devices(hass, init_recipient)
    device_id = account if device == "account" else "no-such-device"
    with pytest.raises(InvalidDeviceAutomationConfig) as err:
        await device_trigger.async_attach_trigger(
            hass,
            {"platform": "device", "domain": DOMAIN, "device_id": device_id, "type": kind},
            AsyncMock(),
            {"domain": "automation", "name": "test"},  # type: ignore[typeddict-item]
        )
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, key)
    assert err.value.translation_placeholders["device_id"] == device_id


@pytest.mark.parametrize(
    "identifier",
    ["no-such-entry", "{entry_id}_no-such-recipient", None],
    ids=["removed_account", "removed_recipient", "other_integration"],
)
async def test_devices_that_are_no_longer_ours_offer_nothing(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    identifier: str | None,
) -> None:
    """A device left behind by a removed account or recipient, or another's, offers no trigger."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    identifiers = (
        {(DOMAIN, identifier.format(entry_id=init_recipient.entry_id))}
        if identifier
        else {("other", "thing")}
    )
    device = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers=identifiers
    )
    assert await device_trigger.async_get_triggers(hass, device.id) == []


async def test_turning_the_automation_off_detaches_every_listener(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Delivery failed listens for four states; off means none of them fires any more."""
    _account, mum = devices(hass, init_recipient)
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "failed",
                "alias": "Failed",
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": mum,
                    "type": "delivery_failed",
                },
                "actions": {"action": "test.automation"},
            }
        },
    )
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "automation.failed"}, blocking=True
    )
    smsc_simulator.auto_receipts = False
    reports = async_capture_events(hass, "smsc_delivery_report")
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [MUM_PHONE], "message": "Anyone?"},
        blocking=True,
        return_response=True,
    )
    await smsc_simulator.send_delivery_receipt(
        response["results"][0]["message_ids"][0], stat="UNDELIV"
    )
    await wait_until(lambda: bool(reports))
    await hass.async_block_till_done()
    assert calls == []
