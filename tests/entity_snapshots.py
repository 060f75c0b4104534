"""Snapshot an account's entities of one platform: registry entries and states, on every version.

`snapshot_platform` from the test harness, made to hold one snapshot file for both ends of the
supported range (Home Assistant 2025.4 and 2026.x), which differ in two ways that say nothing
about this integration:

- the entity registry grew fields (`object_id_base`, `suggested_object_id`) and writes `aliases`
  differently: those three are left out of the snapshot;
- 2026.x keys state attributes and capabilities with StrEnum members, which syrupy writes as
  `<EntityStateAttribute.FRIENDLY_NAME: 'friendly_name'>` rather than `'friendly_name'`: the
  keys are compared as the strings they are, which is what the state machine and the frontend
  see.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
import contextlib
from typing import Any, Final
from unittest.mock import patch

import attr
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.smsc.const import CONF_CHANNELS, CONF_PHONE_NUMBER, SUBENTRY_RECIPIENT
from simulator import SmscSimulator

from .conftest import MUM_PHONE, account_entry

# Registry fields whose presence or form depends on the Home Assistant version.
VERSION_DEPENDENT: Final = props("aliases", "object_id_base", "suggested_object_id")
# Fixed ids: unique ids and diagnostics contain them.
ACCOUNT_ID: Final = "01JSMSCACCOUNT0000000000000"
MUM_ID: Final = "01JSMSCRECIPIENTMUM00000000"


def snapshot_entry(simulator: SmscSimulator) -> MockConfigEntry:
    """The account with Mum (SMS, call, Viber), under ids that stay the same from run to run."""
    return account_entry(
        simulator,
        entry_id=ACCOUNT_ID,
        subentries_data=[
            ConfigSubentryDataWithId(
                data={
                    CONF_NAME: "Mum",
                    CONF_PHONE_NUMBER: MUM_PHONE,
                    CONF_CHANNELS: ["sms", "call", "viber"],
                },
                subentry_id=MUM_ID,
                subentry_type=SUBENTRY_RECIPIENT,
                title="Mum",
                unique_id=MUM_PHONE,
            )
        ],
    )


@contextlib.contextmanager
def only_platform(platform: Platform) -> Generator[None]:
    """Set up one platform of the integration, as `snapshot_entities` needs."""
    with patch("custom_components.smsc.PLATFORMS", [platform]):
        yield


async def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    config_entry_id: str,
) -> None:
    """Every entity of the entry: its registry entry and its state, one platform at a time."""
    entries = er.async_entries_for_config_entry(entity_registry, config_entry_id)
    assert entries
    assert len({entry.domain for entry in entries}) == 1, "set up one platform only"
    for entry in sorted(entries, key=lambda entry: entry.entity_id):
        assert entry.disabled_by is None, f"{entry.entity_id} is disabled"
        plain_entry = attr.evolve(entry, capabilities=_plain_keys(entry.capabilities))
        assert plain_entry == snapshot(name=f"{entry.entity_id}-entry", exclude=VERSION_DEPENDENT)
        state = hass.states.get(entry.entity_id)
        assert state is not None, f"{entry.entity_id} has no state"
        plain_state = State(
            state.entity_id, state.state, _plain_keys(state.attributes), context=state.context
        )
        assert plain_state == snapshot(name=f"{entry.entity_id}-state")


def _plain_keys(mapping: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if mapping is None else {str(key): value for key, value in mapping.items()}
