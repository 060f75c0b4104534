"""Event entities of the account: delivery reports, HLR results and incoming messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_DELIVERY_REPORT, EVENT_HLR_RESULT, EVENT_MESSAGE_RECEIVED
from .delivery_states import DELIVERY_STATES
from .entity import SmscAccountEntity
from .hub import SmscConfigEntry, SmscHub

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmscEventDescription(EventEntityDescription):
    """One kind of bus event mirrored by an event entity."""

    bus_event: str
    type_field: str | None


EVENTS: tuple[SmscEventDescription, ...] = (
    SmscEventDescription(
        key="delivery_report",
        translation_key="delivery_report",
        bus_event=EVENT_DELIVERY_REPORT,
        type_field="state",
        event_types=list(DELIVERY_STATES),
    ),
    SmscEventDescription(
        key="hlr_result",
        translation_key="hlr_result",
        bus_event=EVENT_HLR_RESULT,
        type_field="state",
        event_types=list(DELIVERY_STATES),
    ),
    SmscEventDescription(
        key="message_received",
        translation_key="message_received",
        bus_event=EVENT_MESSAGE_RECEIVED,
        type_field=None,
        event_types=["received"],
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmscConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's event entities."""
    async_add_entities(SmscEventEntity(entry.runtime_data, description) for description in EVENTS)


class SmscEventEntity(SmscAccountEntity, EventEntity):
    """Fires with each report of its kind; the attributes are the bus event's data."""

    # The recorder keeps state attributes for as long as it keeps history, and backups keep
    # them longer. An incoming text may hold a login code or anything private: it stays in the
    # live state and in the bus event, for automations, but out of the states' attributes.
    # (An HLR result's IMSI and MSC never reach the bus event, so they are not here at all.)
    _unrecorded_attributes = frozenset({"text"})

    entity_description: SmscEventDescription

    def __init__(self, hub: SmscHub, description: SmscEventDescription) -> None:
        super().__init__(hub, description.key)
        self.entity_description = description

    async def async_added_to_hass(self) -> None:
        """Restore the last event, then follow the hub's events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_event_listener(self._handle_event))

    @callback
    def _handle_event(self, bus_event: str, data: dict[str, Any]) -> None:
        description = self.entity_description
        if bus_event != description.bus_event:
            return
        event_type = str(data[description.type_field]) if description.type_field else "received"
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
