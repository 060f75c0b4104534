"""Device triggers: a recipient's delivery reports and HLR results, the account's incoming texts."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import (
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_HLR_RESULT,
    EVENT_MESSAGE_RECEIVED,
)
from .entity import device_owner
from .smpp.receipts import DeliveryState

DELIVERED: Final = "delivered"
DELIVERY_FAILED: Final = "delivery_failed"
HLR_RESULT: Final = "hlr_result"
MESSAGE_RECEIVED: Final = "message_received"

RECIPIENT_TRIGGERS: Final = (DELIVERED, DELIVERY_FAILED, HLR_RESULT)
ACCOUNT_TRIGGERS: Final = (MESSAGE_RECEIVED,)
FAILED_STATES: Final = (
    DeliveryState.UNDELIVERED,
    DeliveryState.EXPIRED,
    DeliveryState.REJECTED,
    DeliveryState.DELETED,
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In((*RECIPIENT_TRIGGERS, *ACCOUNT_TRIGGERS))}
)


@callback
def _device_target(hass: HomeAssistant, device_id: str) -> tuple[str, str | None] | None:
    """(entry id, phone number) of a recipient device, (entry id, None) of an account."""
    device = dr.async_get(hass).async_get(device_id)
    owner = device_owner(device) if device is not None else None
    if owner is None:
        return None
    entry_id, subentry_id = owner
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        return None
    if subentry_id is None:
        return entry_id, None
    subentry = entry.subentries.get(subentry_id)
    if subentry is None or CONF_PHONE_NUMBER not in subentry.data:
        return None
    return entry_id, subentry.data[CONF_PHONE_NUMBER]


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The triggers a recipient or an account device offers."""
    target = _device_target(hass, device_id)
    if target is None:
        return []
    types = ACCOUNT_TRIGGERS if target[1] is None else RECIPIENT_TRIGGERS
    return [
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: device_id, CONF_TYPE: kind}
        for kind in types
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the bus events behind the trigger."""
    target = _device_target(hass, config[CONF_DEVICE_ID])
    if target is None:
        raise InvalidDeviceAutomationConfig(f"Unknown SMSC device {config[CONF_DEVICE_ID]}")
    entry_id, phone = target
    kind = config[CONF_TYPE]
    matches: list[tuple[str, dict[str, str | None]]]
    if kind == MESSAGE_RECEIVED:
        matches = [(EVENT_MESSAGE_RECEIVED, {"entry_id": entry_id})]
    elif kind == HLR_RESULT:
        matches = [(EVENT_HLR_RESULT, {"entry_id": entry_id, "recipient": phone})]
    elif kind == DELIVERED:
        matches = [
            (EVENT_DELIVERY_REPORT, {"entry_id": entry_id, "recipient": phone, "state": DELIVERED})
        ]
    else:
        matches = [
            (EVENT_DELIVERY_REPORT, {"entry_id": entry_id, "recipient": phone, "state": state})
            for state in FAILED_STATES
        ]
    detach = [
        await event_trigger.async_attach_trigger(
            hass,
            event_trigger.TRIGGER_SCHEMA(
                {
                    CONF_PLATFORM: "event",
                    event_trigger.CONF_EVENT_TYPE: event_type,
                    CONF_EVENT_DATA: event_data,
                }
            ),
            action,
            trigger_info,
            platform_type="device",
        )
        for event_type, event_data in matches
    ]

    @callback
    def detach_all() -> None:
        for remove in detach:
            remove()

    return detach_all
