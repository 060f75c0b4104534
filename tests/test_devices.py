"""Recipient devices hang off the account's device; HLR-only entities start disabled."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import DOMAIN

from .conftest import device_with_identifier

HLR_ONLY = ("network", "country", "reachable", "roaming")


async def test_recipient_device_is_connected_through_the_account(
    hass: HomeAssistant, init_recipient: MockConfigEntry
) -> None:
    """Mum's device names the account's device as its via device, as ntfy's do."""
    entry = init_recipient
    account = device_with_identifier(hass, entry, entry.entry_id)
    [subentry_id] = entry.subentries
    mum = device_with_identifier(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert account is not None
    assert mum is not None
    assert mum.via_device_id == account.id
    assert account.via_device_id is None
    assert dr.async_get(hass).async_get(mum.id) == mum


async def test_hlr_only_entities_start_disabled(
    hass: HomeAssistant, init_recipient: MockConfigEntry
) -> None:
    """Network, Country, Reachable and Roaming are disabled by the integration; the rest not."""
    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, init_recipient.entry_id)
    by_key = {entity.translation_key: entity for entity in entities if entity.platform == DOMAIN}
    for key in HLR_ONLY:
        assert by_key[key].disabled_by is er.RegistryEntryDisabler.INTEGRATION, key
        assert hass.states.get(by_key[key].entity_id) is None
    assert by_key["delivery_state"].disabled_by is None
    assert hass.states.get(by_key["delivery_state"].entity_id) is not None
