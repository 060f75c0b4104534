"""The SMSC integration: send and receive messages through SMSC over one SMPP session."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, discovery
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .assist import async_remove_store as async_remove_assist_store
from .const import DOMAIN
from .escalation import async_setup_escalations
from .escalation_services import async_setup_escalation_services
from .hub import SmscConfigEntry, SmscHub, connection_settings, recipients_signal
from .migration import async_forget, async_migrate
from .notify_names import LEGACY_NOTIFY_KINDS, entry_notify_suffix, legacy_service_name
from .persistence import async_remove_store
from .recipients import async_link_recipient_devices
from .services import async_setup_services
from .smpp.errors import AuthenticationFailed, CannotConnect

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
DATA_HASS_CONFIG: HassKey[ConfigType] = HassKey(f"{DOMAIN}_hass_config")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever the number of accounts."""
    hass.data[DATA_HASS_CONFIG] = config
    async_setup_services(hass)
    async_setup_escalation_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry of an older version up to date (see `migration`)."""
    return await async_migrate(hass, entry)


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
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    try:
        await async_setup_escalations(hass, entry, hub.escalations)
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except BaseException:
        # A failed setup is not unloaded: its session thread must not outlive it.
        await hub.async_stop()
        raise
    async_link_recipient_devices(hass, entry)
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


async def _async_entry_updated(hass: HomeAssistant, entry: SmscConfigEntry) -> None:
    """Apply a change of the entry to the running hub; only a new login binds again.

    A reload unbinds, and drops the sent messages awaiting their reports: options, the
    default sender and recipients (subentries) apply without one.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return  # updated while unloading: the next setup reads the entry as it is
    hub = entry.runtime_data
    if connection_settings(entry.data) != hub.connection_settings:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    hub.async_apply_options()
    # A removed recipient's device and entities are removed by Home Assistant itself.
    if changes := hub.async_recipient_changes():
        # A new or changed PIN is cut from the wire logs before its first message.
        hub.assist.refresh_pins()
        async_dispatcher_send(hass, recipients_signal(entry.entry_id), changes)


async def async_unload_entry(hass: HomeAssistant, entry: SmscConfigEntry) -> bool:
    """Unload the platforms and the YAML notify services, then unbind."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        hub = entry.runtime_data
        for service in hub.legacy_notify_services:
            await service.async_unregister_services()
        # Where the escalations are is stored before the session closes.
        await hub.escalations.async_stop()
        await hub.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Drop what the removed entry left behind (see `migration`), Assist's and the hub's stores."""
    await async_forget(hass, entry)
    await async_remove_assist_store(hass, entry.entry_id)
    await async_remove_store(hass, entry.entry_id)
