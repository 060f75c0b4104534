"""Report each failed recipient of a send that partly went out: a warning and an event.

A send that failed for every recipient raises to its caller; one that reached some recipients
returns normally, so an alarm automation goes on to its next step. What failed must still be
seen: in the log, and on the bus for automations (`smsc_send_failed`).
"""

from __future__ import annotations

from collections.abc import Sequence
import logging
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from .const import EVENT_SEND_FAILED
from .models import RecipientResult
from .recipients import find_recipient, recipient_device_id

_LOGGER = logging.getLogger(__name__)

# Digits of a number left visible on each side: enough to tell numbers apart in a log that a
# user may paste into a bug report, not enough to call them.
_SHOWN_HEAD: Final = 4
_SHOWN_TAIL: Final = 4


def mask_number(number: str) -> str:
    """A phone number with its middle hidden, e.g. ``7999***4567``; short ones entirely."""
    if len(number) <= _SHOWN_HEAD + _SHOWN_TAIL:
        return "***"
    return f"{number[:_SHOWN_HEAD]}***{number[-_SHOWN_TAIL:]}"


@callback
def async_report_partial_failure(
    hass: HomeAssistant,
    entry: ConfigEntry,
    results: Sequence[RecipientResult],
    *,
    sent_elsewhere: bool = False,
) -> None:
    """Log and fire an event for each failed recipient, if at least one other was sent.

    `sent_elsewhere`: another account of the same call sent to someone, so even an account
    whose recipients all failed has a partial failure to report. When none was sent anywhere
    the caller raises instead, which says it already.
    """
    failed = [result for result in results if result.error is not None]
    if not failed or (len(failed) == len(results) and not sent_elsewhere):
        return
    for result in failed:
        recipient = find_recipient(entry, result.recipient)
        name = recipient.title if recipient is not None else mask_number(result.recipient)
        _LOGGER.warning(
            "SMSC %s: the message was not sent to %s (%s); the other recipients got it",
            entry.title,
            name,
            result.error_code,
        )
        hass.bus.async_fire(
            EVENT_SEND_FAILED,
            {
                "entry_id": entry.entry_id,
                "recipient": result.recipient,
                "device_id": (
                    recipient_device_id(hass, entry, recipient) if recipient is not None else None
                ),
                "error_code": result.error_code,
                "error": result.error,
            },
        )
