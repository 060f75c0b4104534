"""The SMSC integration: send and receive messages through SMSC over one SMPP session."""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_USERNAME, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    discovery,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .config_flow import account_unique_id
from .const import DOMAIN
from .hub import SmscHub
from .notify_names import (
    CONF_NOTIFY_SUFFIX,
    LEGACY_NOTIFY_KINDS,
    entry_notify_suffix,
    free_notify_suffix,
    legacy_service_name,
)
from .services import async_setup_services
from .smpp.errors import AuthenticationFailed, CannotConnect

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
DATA_HASS_CONFIG: HassKey[ConfigType] = HassKey(f"{DOMAIN}_hass_config")
# Raised for an account that version 1.1 let the user add twice (through two server names).
ISSUE_DUPLICATE_ACCOUNT = "duplicate_account"

type SmscConfigEntry = ConfigEntry[SmscHub]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever the number of accounts."""
    hass.data[DATA_HASS_CONFIG] = config
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Version 1.2: the login alone is the unique id, and the YAML notify names are stored.

    An account added twice in 1.1 (same login, two server names) keeps its old unique id and
    version until the other entry is gone: the unique id must stay unique, so a repair issue
    asks the user to delete one, and the next start of this entry finishes the migration.
    """
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


async def async_setup_entry(hass: HomeAssistant, entry: SmscConfigEntry) -> bool:
    """Bind to SMSC and set up the platforms."""
    hub = SmscHub(hass, entry)
    try:
        await hub.async_start()
    except AuthenticationFailed as err:
        await hub.async_stop()
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except CannotConnect as err:
        # Nothing of this attempt may outlive it: the retry makes a hub of its own.
        await hub.async_stop()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": entry.data["host"]},
        ) from err
    entry.runtime_data = hub
    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, hub.async_stop))
    # Recipients are subentries: adding or removing one reloads the entry to add its device.
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    suffix = entry_notify_suffix(hass, entry)
    for kind in LEGACY_NOTIFY_KINDS:
        entry.async_create_task(
            hass,
            discovery.async_load_platform(
                hass,
                Platform.NOTIFY,
                DOMAIN,
                {
                    "name": legacy_service_name(kind, suffix),
                    "entry_id": entry.entry_id,
                    "kind": kind,
                },
                hass.data.get(DATA_HASS_CONFIG, {}),
            ),
            f"YAML notify service {kind}",
        )
    return True


async def _async_reload(hass: HomeAssistant, entry: SmscConfigEntry) -> None:
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SmscConfigEntry) -> bool:
    """Unload the platforms and the YAML notify services, then unbind."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        hub = entry.runtime_data
        for service in hub.legacy_notify_services:
            await service.async_unregister_services()
        await hub.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Drop the entry's repair issue; a duplicate of this account may now finish migrating."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_DUPLICATE_ACCOUNT}_{entry.entry_id}")
    login = account_unique_id(entry.data[CONF_USERNAME])
    if entry.unique_id != login:
        return
    for other in hass.config_entries.async_entries(DOMAIN):
        if other.unique_id != login and account_unique_id(other.data[CONF_USERNAME]) == login:
            hass.config_entries.async_schedule_reload(other.entry_id)
