"""Bring config entries of older versions up to date: 1.1 to 1.2 (the login as unique id).

Version 1.2 identifies an account by its login alone and stores its YAML notify names. An
account added twice in 1.1 (same login, two server names) keeps its old unique id and version
until the other entry is gone: the unique id must stay unique, so a repair issue asks the user
to delete one, and the next start of this entry finishes the migration.
"""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .config_flow import account_unique_id
from .const import DOMAIN
from .notify_names import CONF_NOTIFY_SUFFIX, entry_notify_suffix, free_notify_suffix

_LOGGER = logging.getLogger(__name__)

# Raised for an account that version 1.1 let the user add twice (through two server names).
ISSUE_DUPLICATE_ACCOUNT = "duplicate_account"


async def async_migrate(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Migrate an entry to 1.2; False for one written by a newer version."""
    if entry.version > 1:
        # Written by a newer version of the integration: this one cannot read it.
        return False
    if entry.minor_version >= 2:
        return True
    data = {**entry.data}
    if CONF_NOTIFY_SUFFIX not in data:
        # The names the account has had so far, unless that would collide with another's.
        data[CONF_NOTIFY_SUFFIX] = free_notify_suffix(
            hass,
            entry.data[CONF_USERNAME],
            wanted=entry_notify_suffix(hass, entry),
            entry_id=entry.entry_id,
        )
    unique_id = account_unique_id(entry.data[CONF_USERNAME])
    holder = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
    issue_id = f"{ISSUE_DUPLICATE_ACCOUNT}_{entry.entry_id}"
    if holder is not None and holder.entry_id != entry.entry_id:
        hass.config_entries.async_update_entry(entry, data=data)
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_DUPLICATE_ACCOUNT,
            translation_placeholders={
                "login": entry.data[CONF_USERNAME],
                "title": entry.title,
                "other_title": holder.title,
            },
        )
        _LOGGER.warning(
            "SMSC account %s is set up twice (%s and %s); delete one of the two entries",
            entry.data[CONF_USERNAME],
            entry.title,
            holder.title,
        )
        return True
    hass.config_entries.async_update_entry(entry, data=data, unique_id=unique_id, minor_version=2)
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    _LOGGER.debug("Migrated SMSC entry %s to version 1.2", entry.title)
    return True


async def async_forget(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """An entry was removed: drop its repair issue; a duplicate of it may finish migrating."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_DUPLICATE_ACCOUNT}_{entry.entry_id}")
    login = account_unique_id(entry.data[CONF_USERNAME])
    if entry.unique_id != login:
        return
    for other in hass.config_entries.async_entries(DOMAIN):
        if other.unique_id != login and account_unique_id(other.data[CONF_USERNAME]) == login:
            hass.config_entries.async_schedule_reload(other.entry_id)
