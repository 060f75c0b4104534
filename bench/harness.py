"""One SMSC account in a benchmark's Home Assistant test instance, against a simulator."""

from __future__ import annotations

from typing import Final

from homeassistant import loader
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import DOMAIN

LOGIN: Final = "demo"
PASSWORD: Final = "demo"  # noqa: S105 - the simulator's demo account


async def async_setup_account(
    hass: HomeAssistant, host: str, port: int, *, title: str
) -> MockConfigEntry:
    """Set up an account of the simulator's demo login; the entry is loaded on return."""
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # what enable_custom_integrations does
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data={
            "host": host,
            "port": port,
            "username": LOGIN,
            "password": PASSWORD,
            "sender": "",
            "use_tls": False,
            "latin1": False,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
