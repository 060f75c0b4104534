"""Run a simulator on its own event loop in a background thread (for benchmarks and sync code)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import threading
from types import TracebackType
from typing import Any, Self

from .server import SmscSimulator


class SimulatorThread:
    """``with SimulatorThread(**kwargs) as st:`` starts an :class:`SmscSimulator` in a thread.

    ``st.port`` is the bound port. Hooks must run on the simulator's loop: use
    ``st.run(st.sim.send_delivery_receipt(...))`` for coroutines and ``st.call(st.sim.set_silent,
    True)`` for plain methods. Plain attributes (``st.sim.received``) may be read directly.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.sim = SmscSimulator(**kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="smsc-simulator", daemon=True)

    @property
    def host(self) -> str:
        return self.sim.host

    @property
    def port(self) -> int:
        return self.sim.port

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # handed over to the thread waiting in __enter__
            self._error = err
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.sim:
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise TimeoutError("simulator thread did not start")
        if self._error is not None:
            raise RuntimeError("simulator thread failed to start") from self._error
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def run[T](self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the simulator's loop and return its result."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("simulator thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def call[T](self, func: Callable[..., T], *args: Any, timeout: float = 10.0) -> T:
        """Call a plain function on the simulator's loop and return its result."""

        async def invoke() -> T:
            return func(*args)

        return self.run(invoke(), timeout)
