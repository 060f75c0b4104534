"""The soak's short, fixed-seed version: every send ends accepted, refused or "may or may not"."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.soak import ACCEPTED, DISTURBANCES, run_soak
from simulator import SmscSimulator

from .conftest import loaded


@pytest.mark.smsc_simulator(throughput=5, response_delay=0.3)
async def test_soak_short(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, smsc_simulator: SmscSimulator
) -> None:
    """80 sends over 8 s through drops, reloads, a new recipient and a stop and start."""
    async with loaded(hass, mock_config_entry):
        result = await run_soak(
            hass, mock_config_entry, smsc_simulator, sends=80, duration=8.0, seed=18
        )
    print(result.table())  # shown with -s
    assert result.violations == []
    assert sum(result.outcomes.values()) == 80
    assert set(result.disturbances) == set(DISTURBANCES)
    assert sum(count for (outcome, _), count in result.outcomes.items() if outcome == ACCEPTED)
