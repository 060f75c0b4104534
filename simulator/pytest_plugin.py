"""Pytest fixture for tests that need an SMSC on the wire.

Load it with ``pytest_plugins = ["simulator.pytest_plugin"]`` in the root ``conftest.py``.
Options for one test, class or module come from the ``smsc_simulator`` marker::

    @pytest.mark.smsc_simulator(throughput=30, response_delay_ms=50, nagle=True)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import pytest
import pytest_asyncio

from .server import SmscSimulator

MARKER: Final = "smsc_simulator"
_MARKER_HELP: Final = (
    f"{MARKER}(**options): keyword arguments for the smsc_simulator fixture's SmscSimulator "
    "(throughput=30, response_delay=0.05, nagle=True, receipt_delay=..., ...); "
    "response_delay_ms=50 may "
    "stand for response_delay in milliseconds"
)


def pytest_configure(config: pytest.Config) -> None:
    # Idempotent: a conftest that re-exports this hook makes pytest call it twice.
    if _MARKER_HELP not in config.getini("markers"):
        config.addinivalue_line("markers", _MARKER_HELP)


def simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``smsc_simulator`` marker nearest to the test, as SmscSimulator keyword arguments."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only: {marker.args!r}")
    options = dict(marker.kwargs)
    if "response_delay_ms" in options:
        if "response_delay" in options:
            raise TypeError(f"@pytest.mark.{MARKER}: give response_delay or response_delay_ms")
        # Milliseconds, as on the command line; the simulator itself counts seconds.
        options["response_delay"] = options.pop("response_delay_ms") / 1000
    return options


@pytest_asyncio.fixture
async def smsc_simulator(
    socket_enabled: None, request: pytest.FixtureRequest
) -> AsyncIterator[SmscSimulator]:
    """A running :class:`SmscSimulator` on 127.0.0.1 and a free port, login/password demo/demo.

    ``@pytest.mark.smsc_simulator(...)`` passes keyword arguments to the simulator (see the
    module docstring). Depends on ``socket_enabled`` because the test harness blocks sockets
    by default.
    """
    options: dict[str, Any] = {
        "login": "demo",
        "password": "demo",  # the fixture's documented test account
        "host": "127.0.0.1",
        "port": 0,
    }
    options.update(simulator_options(request))
    async with SmscSimulator(**options) as sim:
        yield sim
