"""An account's recipients: found by phone number, and the devices that stand for them."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_PHONE_NUMBER, DOMAIN, SUBENTRY_RECIPIENT
from .smpp.address import normalize_recipient
from .smpp.errors import AddressError


def recipient_device_identifier(entry_id: str, subentry_id: str) -> tuple[str, str]:
    """The device registry identifier of a recipient's device."""
    return (DOMAIN, f"{entry_id}_{subentry_id}")


def recipient_subentries(entry: ConfigEntry) -> list[ConfigSubentry]:
    """The recipients of an account, each a config subentry with its own device."""
    return [s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_RECIPIENT]


def device_owner(device: DeviceEntry) -> tuple[str, str | None] | None:
    """(entry id, subentry id or None) a device of ours stands for, read from its identifier.

    The identifiers are ours in every Home Assistant version, unlike the device registry's
    subentry fields, which changed shape in 2026.
    """
    for domain, identifier in device.identifiers:
        if domain == DOMAIN:
            entry_id, _, subentry_id = identifier.partition("_")
            return entry_id, subentry_id or None
    return None


def find_recipient(entry: ConfigEntry, number: str) -> ConfigSubentry | None:
    """The recipient of the account with this phone number, however the number is written.

    SMSC writes a sender's number in international format without ``+``, as the recipients are
    stored; anything that is no phone number (an alphanumeric sender) is no recipient.
    """
    try:
        phone = normalize_recipient(number).addr
    except AddressError:
        return None
    for subentry in recipient_subentries(entry):
        if subentry.data.get(CONF_PHONE_NUMBER) == phone:
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


@callback
def async_link_recipient_devices(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Show each recipient's device as connected through the account's device (via device).

    Set on the registry rather than in DeviceInfo: 2026.x deprecates DeviceInfo's
    `via_device` for `via_device_id`, which 2025.4 does not know; the registry's
    `via_device_id` works in both.
    """
    registry = dr.async_get(hass)
    devices = dr.async_entries_for_config_entry(registry, entry.entry_id)
    account = next((d for d in devices if (DOMAIN, entry.entry_id) in d.identifiers), None)
    if account is None:
        return
    recipients = {
        recipient_device_identifier(entry.entry_id, subentry.subentry_id)
        for subentry in recipient_subentries(entry)
    }
    for device in devices:
        if device.identifiers & recipients and device.via_device_id != account.id:
            registry.async_update_device(device.id, via_device_id=account.id)
