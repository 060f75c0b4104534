"""Names of the YAML notify services: chosen once per account, when it is added, then kept.

An account's services are `notify.smsc_<kind>` plus its suffix: nothing for the account that
holds the plain names (`notify.smsc_sms`), `_<login>` for the others (`notify.smsc_sms_backup`).
The suffix is stored in the entry, so removing or reordering accounts never hands one account's
names to another, which would silently move automations to another account.
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.util import slugify

from .const import DOMAIN

CONF_NOTIFY_SUFFIX: Final = "notify_suffix"
# The kinds that get a YAML notify service.
LEGACY_NOTIFY_KINDS: Final = ("sms", "call", "viber")
PLAIN: Final = ""


def legacy_service_name(kind: str, suffix: str) -> str:
    """`smsc_sms` for the plain names, `smsc_sms_backup` with the suffix `backup`."""
    return f"{DOMAIN}_{kind}_{suffix}" if suffix else f"{DOMAIN}_{kind}"


def entry_notify_suffix(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """The suffix of this account's services: stored, or what it had before it was stored."""
    stored = entry.data.get(CONF_NOTIFY_SUFFIX)
    if isinstance(stored, str):
        return stored
    return _suffix_by_load_order(hass, entry)


def _suffix_by_load_order(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Entries of version 1.1 gave the plain names to the first account in Home Assistant's list."""
    entries = hass.config_entries.async_entries(DOMAIN)
    if entries and entries[0].entry_id == entry.entry_id:
        return PLAIN
    return slugify(entry.data[CONF_USERNAME])


def free_notify_suffix(
    hass: HomeAssistant, login: str, *, wanted: str = PLAIN, entry_id: str | None = None
) -> str:
    """`wanted` when no other account uses it, else the login, numbered if that is taken too."""
    taken = {
        entry_notify_suffix(hass, other)
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry_id
    }
    if wanted not in taken:
        return wanted
    base = slugify(login) or DOMAIN
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate
