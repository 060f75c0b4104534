"""Submit throughput: the integration's SmppSession against a bare synchronous smpplib loop.

Both talk to the same simulator (its own thread and event loop, rules and receipts off) over
127.0.0.1. Each run binds once, sends N submit_sm and waits for every submit_sm_resp.

* ``smpplib sync``: ``send_message`` then ``read_once`` until that message's response is in,
  one message at a time (what a naive smpplib user does).
* ``SmppSession, submit_window=N``: ``SmppSession.submit`` from N concurrent asyncio tasks, so
  the session keeps N submits in flight, the way the hub sends to many recipients at once.
  Pacing is off here (an unlimited rate): this measures what the session costs per message.
  An account paces at its *Messages per second* (30 by default); ``far.py`` measures that.

Each configuration runs ``--rounds`` times, interleaved, and the median is reported: the
machine's other load moves single runs by +-30 %.

Usage: python bench/throughput.py [-n 2000] [--windows 30,10,1,50] [--rounds 3]
                                  [--simulator thread|process]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
from pathlib import Path
import statistics
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import smpplib.client
import smpplib.consts

from custom_components.smsc.smpp.session import SessionConfig, SmppSession
from simulator import SimulatorThread, SmscSimulator

SYNC_NAME = "smpplib, synchronous loop"
LOGIN = "demo"
PASSWORD = "demo"  # noqa: S105 - the simulator's demo account
UNPACED_RATE = 1_000_000  # submits a second: pacing never holds a submit back
# The simulator as the benchmarks want it: only submits measured, no rules, no receipts.
BENCH_SIMULATOR: dict[str, Any] = {
    "login": LOGIN,
    "password": PASSWORD,
    "enforce_rules": False,
    "auto_receipts": False,
    "history_limit": 1000,
}


def params(i: int) -> dict[str, Any]:
    return {
        "source_addr_ton": 5,
        "source_addr_npi": 0,
        "source_addr": "Bench",
        "dest_addr_ton": 1,
        "dest_addr_npi": 1,
        "destination_addr": f"7999{i % 10_000_000:07d}",
        "short_message": f"bench message {i}".encode(),
        "data_coding": 0,
        "esm_class": 0,
        "registered_delivery": 1,
    }


@dataclass
class Result:
    name: str
    messages: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def run_smpplib_sync(port: int, n: int, first: int = 0) -> Result:
    client = smpplib.client.Client("127.0.0.1", port, timeout=10, allow_unknown_opt_params=True)
    done = 0

    def on_sent(pdu: Any, **_: Any) -> None:
        nonlocal done
        done += 1

    def on_error(pdu: Any) -> None:
        raise RuntimeError(f"submit refused: 0x{pdu.status:08X}")

    client.set_message_sent_handler(on_sent)
    client.set_error_pdu_handler(on_error)
    client.connect()
    try:
        client.bind_transceiver(system_id=LOGIN, password=PASSWORD)
        start = time.perf_counter()
        for i in range(n):
            client.send_message(**params(first + i))
            while done <= i:
                client.read_once()
        elapsed = time.perf_counter() - start
        client.unbind()
    finally:
        client.state = smpplib.consts.SMPP_CLIENT_STATE_OPEN
        client.disconnect()
    return Result(SYNC_NAME, n, elapsed)


async def _run_session(port: int, n: int, window: int) -> Result:
    loop = asyncio.get_running_loop()
    session = SmppSession(
        SessionConfig(
            "127.0.0.1", port, LOGIN, PASSWORD, submit_window=window, max_rate=UNPACED_RATE
        ),
        loop=loop,
    )
    await session.start()
    try:
        # As many concurrent callers as the window takes, each sending its share in turn:
        # the window, not the caller count, is what limits the submits in flight.
        next_index = iter(range(n))

        async def worker() -> None:
            for i in next_index:
                await session.submit(params(n + i))

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(window)))
        elapsed = time.perf_counter() - start
    finally:
        await session.close()
    if session.counters.submits != n:
        raise RuntimeError(f"expected {n} submits, counted {session.counters.submits}")
    return Result(f"SmppSession, submit_window={window}", n, elapsed)


def run_session(port: int, n: int, window: int) -> Result:
    return asyncio.run(_run_session(port, n, window))


def _serve_simulator() -> None:
    """Child-process mode: run the simulator, print its port, stop when stdin closes."""

    async def serve() -> None:
        async with SmscSimulator(host="127.0.0.1", port=0, **BENCH_SIMULATOR) as sim:
            print(sim.port, flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(serve())


@contextlib.contextmanager
def simulator(where: str) -> Iterator[int]:
    """A simulator (rules and receipts off) in a thread of this process, or in its own."""
    if where == "thread":
        with SimulatorThread(**BENCH_SIMULATOR) as sim:
            yield sim.port
        return
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--serve-simulator"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield int(child.stdout.readline())
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="messages per run")
    parser.add_argument("--windows", default="30,10,1,50", help="submit windows to measure")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, interleaved")
    parser.add_argument(
        "--simulator",
        choices=("thread", "process"),
        default="thread",
        help="where the simulator runs: a thread of this process (shares the GIL) or its own",
    )
    parser.add_argument("--serve-simulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_simulator:
        _serve_simulator()
        return
    windows = [int(w) for w in args.windows.split(",")]

    runs: dict[str, list[Result]] = {}
    with simulator(args.simulator) as port:
        run_smpplib_sync(port, 100)  # warm-up: imports, first connection
        run_session(port, 100, windows[0])
        for _ in range(args.rounds):
            result = run_smpplib_sync(port, args.n)
            runs.setdefault(result.name, []).append(result)
            for window in windows:
                result = run_session(port, args.n, window)
                runs.setdefault(result.name, []).append(result)

    def median_rate(results: list[Result]) -> float:
        return statistics.median(result.rate for result in results)

    baseline = median_rate(runs[SYNC_NAME])
    print(
        f"Submit throughput: {args.n} submit_sm per run, median of {args.rounds} interleaved "
        f"runs; simulator in a {args.simulator}"
        + (" of this process" if args.simulator == "thread" else "")
    )
    print(f"{'client':<32} {'msgs/s':>8} {'min':>7} {'max':>7} {'vs sync':>8}")
    for name, results in runs.items():
        rates = [result.rate for result in results]
        print(
            f"{name:<32} {median_rate(results):>8.0f} {min(rates):>7.0f} {max(rates):>7.0f} "
            f"{median_rate(results) / baseline:>7.2f}x"
        )


if __name__ == "__main__":
    main()
