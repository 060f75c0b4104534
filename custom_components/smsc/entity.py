"""Base entity of the SMSC integration."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN, MANUFACTURER
from .hub import SmscHub


def account_device_info(entry: ConfigEntry) -> DeviceInfo:
    """The device that stands for the SMSC account."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        entry_type=DeviceEntryType.SERVICE,
        configuration_url="https://smsc.ru/",
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
