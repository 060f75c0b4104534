"""Find an account's recipient by phone number, and the device that stands for the recipient."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import CONF_PHONE_NUMBER, DOMAIN, SUBENTRY_RECIPIENT
from .smpp.address import normalize_recipient
from .smpp.errors import AddressError


def recipient_device_identifier(entry_id: str, subentry_id: str) -> tuple[str, str]:
    """The device registry identifier of a recipient's device."""
    return (DOMAIN, f"{entry_id}_{subentry_id}")


def find_recipient(entry: ConfigEntry, number: str) -> ConfigSubentry | None:
    """The recipient of the account with this phone number, however the number is written.

    SMSC writes a sender's number in international format without ``+``, as the recipients are
    stored; anything that is no phone number (an alphanumeric sender) is no recipient.
    """
    try:
        phone = normalize_recipient(number).addr
    except AddressError:
        return None
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_RECIPIENT
            and subentry.data.get(CONF_PHONE_NUMBER) == phone
        ):
            return subentry
    return None


@callback
def recipient_device_id(
    hass: HomeAssistant, entry: ConfigEntry, subentry: ConfigSubentry
) -> str | None:
    """The id of the device that stands for a recipient; None before its entities are set up.

    Searched among the account's devices: a lookup by identifier alone is deprecated since
    identifiers are no longer unique across config entries.
    """
    identifier = recipient_device_identifier(entry.entry_id, subentry.subentry_id)
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if identifier in device.identifiers:
            return device.id
    return None
