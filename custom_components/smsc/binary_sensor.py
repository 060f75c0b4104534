"""Binary sensors: the session's connectivity, and each recipient's reachability and roaming."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    DOMAIN as BINARY_SENSOR_DOMAIN,
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .entity import SmscAccountEntity, SmscRecipientStatusEntity
from .hub import SmscConfigEntry, SmscHub
from .recipient_entities import async_setup_recipient_entities
from .smpp.receipts import DeliveryState, HlrResult

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HlrDescription(BinarySensorEntityDescription):
    """A yes/no answer of the last HLR lookup of a recipient."""

    value: Callable[[HlrResult], bool]


HLR_SENSORS: tuple[HlrDescription, ...] = (
    HlrDescription(
        key="reachable",
        translation_key="reachable",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        value=lambda hlr: hlr.state is DeliveryState.DELIVERED,
        # Fed only by an HLR lookup, which most users never make.
        entity_registry_enabled_default=False,
    ),
    HlrDescription(
        key="roaming",
        translation_key="roaming",
        value=lambda hlr: hlr.roaming,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmscConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of the account and the HLR sensors of each recipient."""
    hub = entry.runtime_data
    async_add_entities([SmscConnectivitySensor(hub, "connection")])

    def build(subentry: ConfigSubentry) -> list[SmscHlrSensor]:
        return [SmscHlrSensor(hub, subentry, description) for description in HLR_SENSORS]

    async_setup_recipient_entities(hass, entry, BINARY_SENSOR_DOMAIN, async_add_entities, build)


class SmscConnectivitySensor(SmscAccountEntity, BinarySensorEntity):
    """On while the session is bound to SMSC."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def is_on(self) -> bool:
        """Bound right now."""
        return self.hub.connected


class SmscHlrSensor(SmscRecipientStatusEntity, BinarySensorEntity, RestoreEntity):
    """What the last HLR lookup said of a recipient, kept across restarts."""

    entity_description: HlrDescription

    def __init__(self, hub: SmscHub, subentry: ConfigSubentry, description: HlrDescription) -> None:
        super().__init__(hub, subentry, description.key)
        self.entity_description = description
        self._restored: bool | None = None

    async def async_added_to_hass(self) -> None:
        """Show the last known answer until the next lookup."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in (
            STATE_ON,
            "off",
        ):
            self._restored = last.state == STATE_ON

    @property
    def is_on(self) -> bool | None:
        """The last lookup's answer; unknown before any."""
        status = self.hub.recipients.get(self.phone)
        if status is not None and status.hlr is not None:
            return self.entity_description.value(status.hlr)
        return self._restored
