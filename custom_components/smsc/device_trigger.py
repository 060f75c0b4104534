"""Device triggers: a recipient's delivery reports and HLR results, the account's incoming texts.

A recipient's triggers match the `device_id` the bus events carry, not the phone number: they
keep working after the recipient's number is changed.
"""

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
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_HLR_RESULT,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_RECIPIENT,
)
from .delivery_states import delivery_state
from .recipients import device_owner
from .smpp.receipts import DeliveryState

DELIVERED: Final = "delivered"
DELIVERY_FAILED: Final = "delivery_failed"
HLR_RESULT: Final = "hlr_result"
MESSAGE_RECEIVED: Final = "message_received"

RECIPIENT_TRIGGERS: Final = (DELIVERED, DELIVERY_FAILED, HLR_RESULT)
ACCOUNT_TRIGGERS: Final = (MESSAGE_RECEIVED,)
FAILED_STATES: Final = tuple(
    delivery_state(state)
    for state in (
        DeliveryState.UNDELIVERED,
        DeliveryState.EXPIRED,
        DeliveryState.REJECTED,
        DeliveryState.DELETED,
    )
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In((*RECIPIENT_TRIGGERS, *ACCOUNT_TRIGGERS))}
)


@callback
def _device_target(hass: HomeAssistant, device_id: str) -> tuple[str, bool] | None:
    """(entry id, whether it is a recipient) of one of our devices; None for any other."""
    device = dr.async_get(hass).async_get(device_id)
    owner = device_owner(device) if device is not None else None
    if owner is None:
        return None
    entry_id, subentry_id = owner
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        return None
    if subentry_id is None:
        return entry_id, False
    subentry = entry.subentries.get(subentry_id)
    if subentry is None or subentry.subentry_type != SUBENTRY_RECIPIENT:
        return None
    return entry_id, True


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The triggers a recipient or an account device offers."""
    target = _device_target(hass, device_id)
    if target is None:
        return []
    types = RECIPIENT_TRIGGERS if target[1] else ACCOUNT_TRIGGERS
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
    device_id: str = config[CONF_DEVICE_ID]
    kind: str = config[CONF_TYPE]
    target = _device_target(hass, device_id)
    if target is None:
        raise InvalidDeviceAutomationConfig(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )
    entry_id, is_recipient = target
    if kind not in (RECIPIENT_TRIGGERS if is_recipient else ACCOUNT_TRIGGERS):
        raise InvalidDeviceAutomationConfig(
            translation_domain=DOMAIN,
            translation_key="trigger_not_for_device",
            translation_placeholders={"type": kind, "device_id": device_id},
        )
    matches: list[tuple[str, dict[str, str]]]
    if kind == MESSAGE_RECEIVED:
        matches = [(EVENT_MESSAGE_RECEIVED, {"entry_id": entry_id})]
    elif kind == HLR_RESULT:
        matches = [(EVENT_HLR_RESULT, {"device_id": device_id})]
    elif kind == DELIVERED:
        delivered = delivery_state(DeliveryState.DELIVERED)
        matches = [(EVENT_DELIVERY_REPORT, {"device_id": device_id, "state": delivered})]
    else:
        matches = [
            (EVENT_DELIVERY_REPORT, {"device_id": device_id, "state": state})
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
