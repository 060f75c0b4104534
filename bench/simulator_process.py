"""The simulator in a child process of its own, driven through a pipe, as SMSC is another machine.

In a thread of the bench's own process the simulator would share the GIL with Home Assistant's
event loop and the session's I/O thread: its Python work (reading every answer we write) would
show up as the loop's lag. In a process of its own, at a lower priority, it costs the loop next
to nothing, as SMSC does.

``with SimulatorProcess(**kwargs) as sim:`` starts it (the kwargs of ``SmscSimulator``);
``sim.host`` and ``sim.port`` are where it listens, and ``sim.send_raw(data)`` writes bytes as-is
to every bound client and returns how many got them.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
import os
from typing import Any, Self

from simulator import SimulatorThread

START_TIMEOUT = 30.0
COMMAND_TIMEOUT = 120.0
_NICENESS = 10


def _serve(conn: Connection, kwargs: dict[str, Any]) -> None:
    """The child: run the simulator and its commands until the parent sends None."""
    # On a machine of few cores it would still take CPU time from the process measured, which
    # SMSC's own machine does not: it runs when the measured process leaves a core idle.
    os.nice(_NICENESS)
    with SimulatorThread(**kwargs) as sim:
        conn.send((sim.host, sim.port))
        while (command := conn.recv()) is not None:
            name, argument = command
            conn.send(sim.run(getattr(sim.sim, name)(argument), COMMAND_TIMEOUT))


class SimulatorProcess:
    """An `SmscSimulator` in a spawned child process."""

    def __init__(self, **kwargs: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_conn, kwargs), name="smsc-simulator", daemon=True
        )
        self.host = ""
        self.port = 0

    def __enter__(self) -> Self:
        self._process.start()
        if not self._conn.poll(START_TIMEOUT):
            self._process.kill()
            raise RuntimeError("the simulator process did not start")
        self.host, self.port = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send(None)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    def send_raw(self, data: bytes) -> int:
        """Write `data` to every bound client (blocking: call it from an executor)."""
        self._conn.send(("send_raw", data))
        if not self._conn.poll(COMMAND_TIMEOUT):
            raise TimeoutError("the simulator process did not answer")
        sent: int = self._conn.recv()
        return sent
