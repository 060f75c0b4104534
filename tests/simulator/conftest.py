"""Fixtures for the simulator's own tests: raw SMPP clients over real TCP, a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from simulator import SmscSimulator
from simulator.pytest_plugin import smsc_simulator
from simulator.testing import FakeClock, RawClient

# Re-exported so these tests work whether or not the root conftest loads the plugin
# (pytest_plugins is only allowed in the root conftest).
__all__ = ["smsc_simulator"]


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def make_sim(
    socket_enabled: None,
) -> AsyncIterator[Callable[..., Awaitable[SmscSimulator]]]:
    """Factory for started simulators with custom options; all are stopped at teardown."""
    started: list[SmscSimulator] = []

    async def factory(**kwargs: Any) -> SmscSimulator:
        sim = SmscSimulator(**kwargs)
        await sim.start()
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        await sim.stop()


@pytest_asyncio.fixture
async def connect(
    socket_enabled: None,
) -> AsyncIterator[Callable[[SmscSimulator], Awaitable[RawClient]]]:
    """Factory for raw clients connected to a simulator; all are closed at teardown."""
    clients: list[RawClient] = []

    async def factory(sim: SmscSimulator) -> RawClient:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        client = RawClient(reader, writer)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()


@pytest_asyncio.fixture
async def bound(
    smsc_simulator: SmscSimulator,
    connect: Callable[[SmscSimulator], Awaitable[RawClient]],
) -> RawClient:
    """A transceiver bound to the default simulator."""
    client = await connect(smsc_simulator)
    resp = await client.bind()
    assert resp.command_status == 0
    return client
