"""Sensors: the account's message counters, each recipient's delivery state and network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_CHANNELS
from .delivery_states import DELIVERY_STATES, delivery_state, restored_delivery_state
from .entity import SmscAccountEntity, SmscRecipientStatusEntity
from .escalation import EscalationManager
from .hub import SmscConfigEntry, SmscHub
from .models import HubCounters, RecipientStatus
from .recipient_entities import async_setup_recipient_entities
from .smpp.outcomes import CALL_RESULTS, error_slug

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CounterDescription(SensorEntityDescription):
    """A counter of the account."""

    value: Callable[[HubCounters], int]


COUNTERS: tuple[CounterDescription, ...] = (
    CounterDescription(
        key="messages_sent",
        translation_key="messages_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value=lambda counters: counters.sent,
    ),
    CounterDescription(
        key="messages_failed",
        translation_key="messages_failed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value=lambda counters: counters.failed,
    ),
)


@dataclass(frozen=True, kw_only=True)
class RecipientDescription(SensorEntityDescription):
    """A value of what SMSC last reported about a recipient."""

    value: Callable[[RecipientStatus], str | None]
    # The value stored before a restart as it is shown today (None: not to be shown).
    restore: Callable[[str], str | None] = str


RECIPIENT_SENSORS: tuple[RecipientDescription, ...] = (
    RecipientDescription(
        key="delivery_state",
        translation_key="delivery_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(DELIVERY_STATES),
        value=lambda status: (
            delivery_state(status.delivery_state) if status.delivery_state else None
        ),
        restore=restored_delivery_state,
    ),
    RecipientDescription(
        key="network",
        translation_key="network",
        # Fed only by an HLR lookup, which most users never make.
        entity_registry_enabled_default=False,
        value=lambda status: status.hlr.network if status.hlr else None,
    ),
    RecipientDescription(
        key="country",
        translation_key="country",
        entity_registry_enabled_default=False,
        value=lambda status: status.hlr.country if status.hlr else None,
    ),
)


CHANNEL_CALL = "call"
ATTR_ERROR = "error"
ATTR_ERROR_CODE = "error_code"

LAST_CALL = RecipientDescription(
    key="last_call",
    translation_key="last_call",
    device_class=SensorDeviceClass.ENUM,
    options=list(CALL_RESULTS),
    value=lambda status: status.call_result,
    restore=lambda value: value if value in CALL_RESULTS else None,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmscConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's counters and each recipient's sensors."""
    hub = entry.runtime_data
    async_add_entities(SmscCounterSensor(hub, description) for description in COUNTERS)
    async_add_entities([SmscActiveEscalationsSensor(hub, hub.escalations)])

    def build(subentry: ConfigSubentry) -> list[SmscRecipientSensor]:
        sensors = [
            SmscRecipientSensor(hub, subentry, description) for description in RECIPIENT_SENSORS
        ]
        if CHANNEL_CALL in subentry.data.get(CONF_CHANNELS, ()):
            sensors.append(SmscLastCallSensor(hub, subentry, LAST_CALL))
        return sensors

    async_setup_recipient_entities(hass, entry, SENSOR_DOMAIN, async_add_entities, build)


class SmscCounterSensor(SmscAccountEntity, RestoreSensor):
    """Messages the account sent or failed to send, kept across restarts."""

    entity_description: CounterDescription

    def __init__(self, hub: SmscHub, description: CounterDescription) -> None:
        super().__init__(hub, description.key)
        self.entity_description = description
        self._restored = 0

    async def async_added_to_hass(self) -> None:
        """Continue counting from the last value."""
        await super().async_added_to_hass()
        try:
            self._restored = int(await _last_value(self) or 0)
        except ValueError:
            self._restored = 0

    @property
    def native_value(self) -> int:
        """Count since the first start."""
        return self._restored + self.entity_description.value(self.hub.counters)


class SmscRecipientSensor(SmscRecipientStatusEntity, RestoreSensor):
    """Last delivery state, network or country of a recipient, kept across restarts."""

    entity_description: RecipientDescription

    def __init__(
        self, hub: SmscHub, subentry: ConfigSubentry, description: RecipientDescription
    ) -> None:
        super().__init__(hub, subentry, description.key)
        self.entity_description = description
        self._restored: str | None = None

    async def async_added_to_hass(self) -> None:
        """Show the last known value until SMSC reports again."""
        await super().async_added_to_hass()
        if (last := await _last_value(self)) is not None:
            self._restored = self.entity_description.restore(last)

    @property
    def native_value(self) -> str | None:
        """The reported value, else the one from before the restart."""
        status = self.hub.recipients.get(self.phone)
        value = self.entity_description.value(status) if status else None
        return value if value is not None else self._restored


class SmscLastCallSensor(SmscRecipientSensor):
    """How the last voice call to a recipient ended, and SMSC's reason when nobody answered."""

    def __init__(
        self, hub: SmscHub, subentry: ConfigSubentry, description: RecipientDescription
    ) -> None:
        super().__init__(hub, subentry, description)
        self._restored_error_code: int | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the reason of the last call with its result."""
        await super().async_added_to_hass()
        if self._restored is not None and (state := await self.async_get_last_state()):
            code = state.attributes.get(ATTR_ERROR_CODE)
            self._restored_error_code = code if isinstance(code, int) else None

    @property
    def extra_state_attributes(self) -> dict[str, str | int | None]:
        """SMSC's err of the last call as a translated slug, and the raw number."""
        status = self.hub.recipients.get(self.phone)
        if status is not None and status.call_result is not None:
            code = status.call_error_code
        else:
            code = self._restored_error_code
        return {ATTR_ERROR: error_slug(code), ATTR_ERROR_CODE: code}


class SmscActiveEscalationsSensor(SmscAccountEntity, SensorEntity):
    """How many escalations the account runs, with their ids and whom each is calling."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, hub: SmscHub, escalations: EscalationManager) -> None:
        super().__init__(hub, "active_escalations")
        self._escalations = escalations

    async def async_added_to_hass(self) -> None:
        """Follow the escalations."""
        await super().async_added_to_hass()
        self.async_on_remove(self._escalations.async_add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> int:
        """Escalations running now."""
        return len(self._escalations.running)

    @property
    def extra_state_attributes(self) -> dict[str, list[dict[str, str | list[str] | None]]]:
        """Each running escalation: its id, its recipients in order, and whom it calls."""
        return {
            "escalations": [
                {
                    "escalation_id": escalation.escalation_id,
                    "recipients": list(escalation.plan.recipients),
                    "calling": escalation.calling,
                }
                for escalation in self._escalations.running.values()
            ]
        }


async def _last_value(sensor: RestoreSensor) -> str | None:
    """The value from before the restart: the sensor's own data, else its last state."""
    if (data := await sensor.async_get_last_sensor_data()) is not None and (
        data.native_value is not None
    ):
        return str(data.native_value)
    if (state := await sensor.async_get_last_state()) is not None and state.state not in (
        STATE_UNKNOWN,
        STATE_UNAVAILABLE,
    ):
        return state.state
    return None
