"""Notify: an entity per recipient and channel, and the YAML `notify.smsc_*` services."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import ATTR_DATA, ATTR_TARGET, DOMAIN as NOTIFY_DOMAIN
from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
import voluptuous as vol

from .const import CONF_CHANNELS, DOMAIN
from .entity import SmscRecipientEntity
from .hub import SmscConfigEntry, SmscHub
from .recipient_entities import async_setup_recipient_entities
from .services import (
    ATTR_COMMENT,
    ATTR_ENCODING,
    ATTR_PARAM,
    ATTR_SENDER,
    ATTR_VOICE,
    async_send,
)
from .smpp.compose import VOICES, Encoding, MessageKind, MessageRequest

PARALLEL_UPDATES = 0

CHANNEL_KINDS: Final = {
    "sms": MessageKind.SMS,
    "call": MessageKind.CALL,
    "viber": MessageKind.VIBER,
}

# What `data:` may hold in a YAML notify call, per kind.
_COMMON_DATA: Final = {vol.Optional(ATTR_SENDER): cv.string, vol.Optional(ATTR_COMMENT): cv.string}
NOTIFY_DATA_SCHEMAS: Final = {
    MessageKind.SMS: vol.Schema(
        {**_COMMON_DATA, vol.Optional(ATTR_ENCODING): vol.In([e.value for e in Encoding])}
    ),
    MessageKind.CALL: vol.Schema(
        {
            **_COMMON_DATA,
            vol.Optional(ATTR_VOICE): vol.In(VOICES),
            vol.Optional(ATTR_PARAM): cv.string,
        }
    ),
    MessageKind.VIBER: vol.Schema(_COMMON_DATA),
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmscConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity for each channel of each recipient."""
    hub = entry.runtime_data

    def build(subentry: ConfigSubentry) -> list[SmscNotifyEntity]:
        return [
            SmscNotifyEntity(hub, subentry, channel)
            for channel in subentry.data.get(CONF_CHANNELS, ())
            if channel in CHANNEL_KINDS
        ]

    async_setup_recipient_entities(hass, entry, NOTIFY_DOMAIN, async_add_entities, build)


class SmscNotifyEntity(SmscRecipientEntity, NotifyEntity):
    """Send to one recipient by one channel; the title is not used (SMSC has none)."""

    def __init__(self, hub: SmscHub, subentry: ConfigSubentry, channel: str) -> None:
        super().__init__(hub, subentry, channel)
        self.kind = CHANNEL_KINDS[channel]

    async def async_added_to_hass(self) -> None:
        """Follow the account's session, which decides whether a send can get through."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_listener(self.async_write_ha_state))

    @property
    def available(self) -> bool:
        """Unavailable only when a send cannot succeed without the user.

        `notify.send_message` skips unavailable entities without a word, so a reconnect in
        progress must not make one unavailable: the send waits for the session instead.
        """
        return self.hub.can_send

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message; a refusal raises with its reason."""
        await async_send(self.hub, MessageRequest(kind=self.kind, message=message), [self.phone])


async def async_get_service(
    hass: HomeAssistant,
    config: ConfigType,
    discovery_info: DiscoveryInfoType | None = None,
) -> SmscNotificationService | None:
    """The YAML notify service of one account and kind, created when the entry loads."""
    if discovery_info is None:
        return None
    entry: SmscConfigEntry | None = hass.config_entries.async_get_entry(discovery_info["entry_id"])
    if entry is None or not hasattr(entry, "runtime_data"):
        return None
    service = SmscNotificationService(entry.runtime_data, MessageKind(discovery_info["kind"]))
    entry.runtime_data.legacy_notify_services.append(service)
    return service


class SmscNotificationService(BaseNotificationService):
    """`notify.smsc_sms` and friends: `message`, `target` numbers, `data` per kind."""

    def __init__(self, hub: SmscHub, kind: MessageKind) -> None:
        self.hub = hub
        self.kind = kind

    async def async_send_message(self, message: str = "", **kwargs: Any) -> None:
        """Send to every target; `title` is ignored."""
        targets = kwargs.get(ATTR_TARGET)
        if not targets:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
        try:
            data = NOTIFY_DATA_SCHEMAS[self.kind](kwargs.get(ATTR_DATA) or {})
        except vol.Invalid as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_notify_data",
                translation_placeholders={"error": str(err)},
            ) from err
        request = MessageRequest(
            kind=self.kind,
            message=message,
            voice=data.get(ATTR_VOICE),
            param=data.get(ATTR_PARAM),
            comment=data.get(ATTR_COMMENT),
        )
        await async_send(
            self.hub,
            request,
            list(targets),
            sender=data.get(ATTR_SENDER),
            encoding=Encoding(data.get(ATTR_ENCODING, Encoding.AUTO)),
        )
