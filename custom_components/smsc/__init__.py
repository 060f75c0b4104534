"""The SMSC integration: send and receive messages through SMSC over one SMPP session."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_USERNAME, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, discovery
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import slugify
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .hub import SmscHub
from .services import async_setup_services
from .smpp.errors import AuthenticationFailed, CannotConnect

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]
# The kinds that get a YAML notify service (`notify.smsc_sms` ...).
LEGACY_NOTIFY_KINDS = ("sms", "call", "viber")

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
DATA_HASS_CONFIG: HassKey[ConfigType] = HassKey(f"{DOMAIN}_hass_config")

type SmscConfigEntry = ConfigEntry[SmscHub]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever the number of accounts."""
    hass.data[DATA_HASS_CONFIG] = config
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmscConfigEntry) -> bool:
    """Bind to SMSC and set up the platforms."""
    hub = SmscHub(hass, entry)
    try:
        await hub.async_start()
    except AuthenticationFailed as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except CannotConnect as err:
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
    suffix = legacy_notify_suffix(hass, entry)
    for kind in LEGACY_NOTIFY_KINDS:
        hass.async_create_task(
            discovery.async_load_platform(
                hass,
                Platform.NOTIFY,
                DOMAIN,
                {"name": f"{DOMAIN}_{kind}{suffix}", "entry_id": entry.entry_id, "kind": kind},
                hass.data.get(DATA_HASS_CONFIG, {}),
            ),
            eager_start=True,
        )
    return True


def legacy_notify_suffix(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """`notify.smsc_sms` for the first account; `notify.smsc_sms_<login>` for the others."""
    entries = hass.config_entries.async_entries(DOMAIN)
    if not entries or entries[0].entry_id == entry.entry_id:
        return ""
    return f"_{slugify(entry.data[CONF_USERNAME])}"


async def _async_reload(hass: HomeAssistant, entry: SmscConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SmscConfigEntry) -> bool:
    """Unload the platforms and the YAML notify services, then unbind."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        hub = entry.runtime_data
        for service in hub.legacy_notify_services:
            await service.async_unregister_services()
        await hub.async_stop()
    return unloaded
