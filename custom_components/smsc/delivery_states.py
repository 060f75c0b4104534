"""Delivery states in Home Assistant's words: SMSC's `unknown` is `status_unknown` here.

`unknown` is Home Assistant's own state for "no value": a sensor in SMSC's state `unknown`
would look like a sensor that has none, and the frontend, history and restore would treat it so.
Every delivery state Home Assistant shows, stores or fires — the Last delivery sensor, the event
entities' event types, the `state` of the bus events, device triggers and `delivery_state` in
action responses — is spelled by `delivery_state()`. What SMSC itself wrote stays in the events'
`status` (e.g. `UNKNOWN`).
"""

from __future__ import annotations

from typing import Final

from .smpp.receipts import DeliveryState

STATUS_UNKNOWN: Final = "status_unknown"


def delivery_state(state: DeliveryState) -> str:
    """The state as Home Assistant shows it."""
    return STATUS_UNKNOWN if state is DeliveryState.UNKNOWN else state.value


DELIVERY_STATES: Final[tuple[str, ...]] = tuple(delivery_state(state) for state in DeliveryState)


def restored_delivery_state(value: str) -> str | None:
    """A state stored before a restart, in today's words; None for anything else.

    Versions before the rename stored SMSC's `unknown` as the sensor's value.
    """
    if value == DeliveryState.UNKNOWN.value:
        return STATUS_UNKNOWN
    return value if value in DELIVERY_STATES else None
