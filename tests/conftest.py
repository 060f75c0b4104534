"""Fixtures shared by the whole suite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
import contextlib
import dataclasses
import sys
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    __version__ as ha_version,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.smsc  # noqa: F401  # before Home Assistant's test config shadows it
from custom_components.smsc import config_flow as smsc_config_flow, hub as smsc_hub
from custom_components.smsc.const import (
    CONF_CHANNELS,
    CONF_LATIN1,
    CONF_PHONE_NUMBER,
    CONF_SENDER,
    CONF_USE_TLS,
    DOMAIN,
    SUBENTRY_RECIPIENT,
)
from custom_components.smsc.notify_names import CONF_NOTIFY_SUFFIX
from custom_components.smsc.smpp.config import SessionConfig
from simulator import SmscSimulator

pytest_plugins = [
    "simulator.pytest_plugin",
    "tests.deprecation_guard",
    "tests.translation_guard",
]


def pytest_report_header() -> str:
    """Say which Home Assistant the suite runs on: CI runs it on the minimum and the newest."""
    return f"Home Assistant {ha_version}, Python {sys.version.split()[0]}"


LOGIN = "demo"
PASSWORD = "demo"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/smsc in every test."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Set entities up enabled, the HLR-only ones the integration disables by default too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def session_tuning() -> dict[str, float]:
    """Session timings for this test; a test may change them before it sets up an entry."""
    return {
        "reconnect_min_delay": 0.05,
        "reconnect_max_delay": 0.2,
        "response_timeout": 2.0,
        "submit_timeout": 5.0,
        "throttle_delay": 0.05,
    }


@pytest.fixture(autouse=True)
def fast_session(session_tuning: dict[str, float]) -> Generator[None]:
    """Reconnect and keepalive in fractions of a second instead of seconds."""
    real = smsc_hub.session_config

    def tuned(data: Mapping[str, Any], options: Mapping[str, Any]) -> SessionConfig:
        return dataclasses.replace(real(data, options), **session_tuning)

    with (
        patch.object(smsc_hub, "session_config", tuned),
        patch.object(smsc_config_flow, "session_config", tuned),
    ):
        yield


def entry_data(simulator: SmscSimulator, **overrides: Any) -> dict[str, Any]:
    """Config entry data pointing at the simulator."""
    return {
        CONF_HOST: simulator.host,
        CONF_PORT: simulator.port,
        CONF_USERNAME: LOGIN,
        CONF_PASSWORD: PASSWORD,
        CONF_SENDER: "",
        CONF_USE_TLS: False,
        CONF_LATIN1: False,
        **overrides,
    }


def account_entry(
    simulator: SmscSimulator, *, data: Mapping[str, Any] | None = None, **kwargs: Any
) -> MockConfigEntry:
    """A current (1.2) entry of the account on the simulator, holding the plain notify names.

    `data` changes some of the entry's data; other keyword arguments go to MockConfigEntry.
    """
    settings: dict[str, Any] = {
        "domain": DOMAIN,
        "title": f"SMSC {LOGIN}",
        "unique_id": LOGIN,
        "version": 1,
        "minor_version": 2,
        **kwargs,
    }
    return MockConfigEntry(
        data=entry_data(simulator, **{CONF_NOTIFY_SUFFIX: "", **(data or {})}), **settings
    )


@pytest.fixture
def mock_config_entry(smsc_simulator: SmscSimulator) -> MockConfigEntry:
    """An SMSC account on the simulator."""
    return account_entry(smsc_simulator)


@contextlib.asynccontextmanager
async def loaded(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncGenerator[None]:
    """Set the entry up for the block; unload it after (its session thread must end)."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The account set up and bound to the simulator."""
    async with loaded(hass, mock_config_entry):
        yield mock_config_entry


def capture(hass: HomeAssistant, event_type: str) -> list[dict[str, Any]]:
    """The data of every event of this type from now on."""
    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, record)
    return seen


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition on Home Assistant's side (the session reports from its own thread)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the condition has no event to wait on
            await asyncio.sleep(0.01)


MUM_PHONE = "79991234567"


@pytest.fixture
def recipient_entry(smsc_simulator: SmscSimulator) -> MockConfigEntry:
    """An account with one recipient, Mum, reachable by SMS, call and Viber."""
    return account_entry(
        smsc_simulator,
        subentries_data=[
            ConfigSubentryData(
                data={
                    CONF_NAME: "Mum",
                    CONF_PHONE_NUMBER: MUM_PHONE,
                    CONF_CHANNELS: ["sms", "call", "viber"],
                },
                subentry_type=SUBENTRY_RECIPIENT,
                title="Mum",
                unique_id=MUM_PHONE,
            )
        ],
    )


@pytest.fixture
async def init_recipient(
    hass: HomeAssistant, recipient_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The account with Mum set up and bound to the simulator."""
    async with loaded(hass, recipient_entry):
        yield recipient_entry


def device_with_identifier(
    hass: HomeAssistant, entry: MockConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (lookup by identifier alone is deprecated)."""
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if (DOMAIN, identifier) in device.identifiers:
            return device
    return None


async def smsc_action(
    hass: HomeAssistant, action: str, data: dict[str, Any] | None = None, **fields: Any
) -> Any:
    """Run one of our actions, blocking, and return its response data."""
    return await hass.services.async_call(
        DOMAIN, action, {**(data or {}), **fields}, blocking=True, return_response=True
    )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's extension (registry entries, states; `snapshots/` folder).

    Core's own conftest does this; the test harness's fixture of the same name loses to
    syrupy's, which registers after it.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
