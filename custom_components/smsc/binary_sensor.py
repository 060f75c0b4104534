"""Connectivity of the SMPP session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmscAccountEntity

if TYPE_CHECKING:
    from . import SmscConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmscConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of the account."""
    async_add_entities([SmscConnectivitySensor(entry.runtime_data, "connection")])


class SmscConnectivitySensor(SmscAccountEntity, BinarySensorEntity):
    """On while the session is bound to SMSC."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def is_on(self) -> bool:
        """Bound right now."""
        return self.hub.connected
