"""Device triggers of recipients and of the account."""

from __future__ import annotations

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.smsc.const import DOMAIN
from simulator import SmscSimulator

from .conftest import MUM_PHONE, device_with_identifier, wait_until


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
