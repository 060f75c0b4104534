"""Pytest fixture for tests that need an SMSC on the wire.

Load it with ``pytest_plugins = ["simulator.pytest_plugin"]`` in the root ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import SmscSimulator


@pytest_asyncio.fixture
async def smsc_simulator(socket_enabled: None) -> AsyncIterator[SmscSimulator]:
    """A running :class:`SmscSimulator` on 127.0.0.1 and a free port, login/password demo/demo.

    Depends on ``socket_enabled`` because the test harness blocks sockets by default.
    """
    async with SmscSimulator(
        login="demo",
        password="demo",  # noqa: S106 - the fixture's documented test account
        host="127.0.0.1",
        port=0,
    ) as sim:
        yield sim
