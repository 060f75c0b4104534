"""Base entities of the SMSC integration: the account's and each recipient's."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import CONF_PHONE_NUMBER, DOMAIN, MANUFACTURER
from .hub import SmscHub
from .recipients import async_link_recipient_devices, recipient_device_identifier


def account_device_info(entry: ConfigEntry) -> DeviceInfo:
    """The device that stands for the SMSC account."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        entry_type=DeviceEntryType.SERVICE,
        configuration_url="https://smsc.ru/",
    )


def recipient_device_info(entry: ConfigEntry, subentry: ConfigSubentry) -> DeviceInfo:
    """The device that stands for one recipient of the account."""
    return DeviceInfo(
        identifiers={recipient_device_identifier(entry.entry_id, subentry.subentry_id)},
        name=subentry.data.get(CONF_NAME) or subentry.title,
        manufacturer=MANUFACTURER,
        model="Recipient",
        entry_type=DeviceEntryType.SERVICE,
        # Its via device, the account's, is set on the registry once both exist
        # (`recipients.async_link_recipient_devices`).
    )


class SmscAccountEntity(Entity):
    """An entity of the account device, refreshed by the hub's listeners."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, hub: SmscHub, key: str) -> None:
        self.hub = hub
        self._attr_unique_id = f"{hub.entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = account_device_info(hub.entry)

    async def async_added_to_hass(self) -> None:
        """Follow the hub."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_listener(self.async_write_ha_state))


class SmscRecipientEntity(Entity):
    """An entity of a recipient's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, hub: SmscHub, subentry: ConfigSubentry, key: str) -> None:
        self.hub = hub
        self.subentry = subentry
        self.phone: str = subentry.data[CONF_PHONE_NUMBER]
        self._attr_unique_id = f"{subentry.subentry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = recipient_device_info(hub.entry, subentry)

    async def async_added_to_hass(self) -> None:
        """Tie a recipient's device, new or renewed, to the account's device."""
        await super().async_added_to_hass()
        async_link_recipient_devices(self.hass, self.hub.entry)


class SmscRecipientStatusEntity(SmscRecipientEntity):
    """A recipient entity that follows what SMSC reports about the recipient."""

    async def async_added_to_hass(self) -> None:
        """Follow the recipient's reports."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_recipient_listener(self.phone, self._handle_report))

    def _handle_report(self) -> None:
        self.async_write_ha_state()
