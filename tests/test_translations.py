"""What the running integration names has its strings: entities, device triggers, refusals.

Forms, flow errors and aborts, repair issues and action errors are checked in every test by
tests/translation_guard.py; these are the strings that no single call shows.
"""

from __future__ import annotations

from functools import cache
import json
from pathlib import Path
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc import device_trigger
from custom_components.smsc.const import DOMAIN
from custom_components.smsc.smpp import errors

TRANSLATIONS = (
    Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN / "translations"
)
LANGUAGES = ("en", "ru")


@cache
def translation(language: str) -> dict[str, Any]:
    """translations/<language>.json, as Home Assistant loads it."""
    return json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))


def missing(paths: list[str]) -> list[str]:
    """The paths some language lacks."""
    problems = []
    for language in LANGUAGES:
        for path in paths:
            node: Any = translation(language)
            for key in path.split("."):
                node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                problems.append(f"{language}.json lacks {path}")
    return problems


async def test_entities_are_translated(
    hass: HomeAssistant, init_recipient: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Every entity of an account with a recipient: its name, event types and enum states."""
    paths = []
    for entry in er.async_entries_for_config_entry(entity_registry, init_recipient.entry_id):
        assert entry.translation_key, f"{entry.entity_id} has no translation key"
        base = f"entity.{entry.domain}.{entry.translation_key}"
        paths.append(f"{base}.name")
        state = hass.states.get(entry.entity_id)
        attributes = state.attributes if state else {}
        paths += [
            f"{base}.state_attributes.event_type.state.{event_type}"
            for event_type in attributes.get("event_types", [])
        ]
        if entry.domain == Platform.SENSOR:
            paths += [f"{base}.state.{option}" for option in attributes.get("options", [])]
    assert paths
    assert missing(paths) == []


async def test_device_triggers_are_translated(
    hass: HomeAssistant, init_recipient: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Every trigger the account's and the recipient's devices offer."""
    paths = []
    for device in dr.async_entries_for_config_entry(device_registry, init_recipient.entry_id):
        for trigger in await device_trigger.async_get_triggers(hass, device.id):
            paths.append(f"device_automation.trigger_type.{trigger['type']}")
            if "subtype" in trigger:
                paths.append(f"device_automation.trigger_subtype.{trigger['subtype']}")
    assert paths
    assert missing(paths) == []


@pytest.mark.parametrize("key", sorted(errors.MESSAGES))
def test_library_refusals_are_the_english_messages(key: str) -> None:
    """The pure library's English text of a refusal is, word for word, the translated one."""
    assert translation("en")["exceptions"][key]["message"] == errors.MESSAGES[key]
    assert missing([f"exceptions.{key}.message"]) == []
