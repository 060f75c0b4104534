"""Sensors (snapshots): the counters, each recipient's last delivery, network, country."""

from __future__ import annotations

from collections.abc import Generator

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from syrupy.assertion import SnapshotAssertion

from simulator import SmscSimulator

from .conftest import loaded
from .entity_snapshots import only_platform, snapshot_entities, snapshot_entry


@pytest.fixture(autouse=True)
def platform_only() -> Generator[None]:
    """Only this platform, so its snapshot holds nothing else."""
    with only_platform(Platform.SENSOR):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # HLR-only ones too
async def test_entities(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entries, names, device classes, translation keys and states."""
    entry = snapshot_entry(smsc_simulator)
    async with loaded(hass, entry):
        await snapshot_entities(hass, entity_registry, snapshot, entry.entry_id)
