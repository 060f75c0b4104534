"""A home far from SMSC: one send to 20 and to 90 recipients at a 50 ms round trip, 30/s cap.

The simulator (in a thread of this process) answers every request 50 ms after it read it and,
like SMSC, answers `ESME_RTHROTTLED` to a submit above 30 in any one second. For each burst
size, three clients send the same burst, one after the other, with a quiet second between
them so that each starts with an empty window:

* ``smpplib, synchronous loop``: the baseline, one submit at a time, each waiting for its
  answer (a naive smpplib user: never throttled, but one round trip per message);
* ``SmppSession, paced (default)``: the integration's session as an account has it by default:
  at most 30 submits written in any second (a sliding window), 30 in flight;
* ``SmppSession, unpaced``: the same session without pacing and with the old default window
  of 10, as before pacing existed, to show what pacing saves.

Printed per client: the time until SMSC accepted all (throttled submits are retried by the
session within the caller's time), accepted per second, and the throttled answers the
simulator gave. The physical limit for 90 at 30/s is 2 s plus one round trip; for 20 (below
the rate) one round trip.

Usage: python bench/far.py [--sizes 20,90] [--delay-ms 50] [--rate 30] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throughput import (
    BENCH_SIMULATOR,
    LOGIN,
    PASSWORD,
    SYNC_NAME as SYNC,
    params,
    run_smpplib_sync,
)

from custom_components.smsc.smpp.session import SessionConfig, SmppSession
from simulator import SimulatorThread

PACED = "SmppSession, paced (default)"
UNPACED = "SmppSession, unpaced, window 10"
UNLIMITED = 1_000_000


@dataclass
class Run:
    client: str
    size: int
    seconds: float
    throttled: int


async def _run_session(port: int, size: int, first: int, *, paced: bool, rate: int) -> float:
    config = SessionConfig(
        "127.0.0.1",
        port,
        LOGIN,
        PASSWORD,
        max_rate=rate if paced else UNLIMITED,
        submit_window=rate if paced else 10,
    )
    session = SmppSession(config, loop=asyncio.get_running_loop())
    await session.start()
    try:
        start = time.perf_counter()
        await asyncio.gather(*(session.submit(params(first + i)) for i in range(size)))
        return time.perf_counter() - start
    finally:
        await session.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,90", help="recipients per send")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="simulator's response delay")
    parser.add_argument("--rate", type=int, default=30, help="simulator's and session's rate")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, interleaved")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]

    runs: list[Run] = []
    with SimulatorThread(
        **BENCH_SIMULATOR,
        throughput=args.rate,
        response_delay=args.delay_ms / 1000,
    ) as sim:
        first = 0
        for _ in range(args.rounds):
            for size in sizes:
                for client in (SYNC, PACED, UNPACED):
                    time.sleep(1.2)  # an empty throttling window for each run
                    throttled_before = sim.sim.throttled_count
                    if client == SYNC:
                        seconds = run_smpplib_sync(sim.port, size, first).seconds
                    else:
                        seconds = asyncio.run(
                            _run_session(
                                sim.port, size, first, paced=client == PACED, rate=args.rate
                            )
                        )
                    first += size
                    throttled = sim.sim.throttled_count - throttled_before
                    runs.append(Run(client, size, seconds, throttled))

    rtt = args.delay_ms / 1000
    print(
        f"A far home: response delay {args.delay_ms:.0f} ms, SMSC cap {args.rate}/s; "
        f"medians of {args.rounds} interleaved runs"
    )
    print(
        f"{'recipients':>10}  {'client':<32} {'all accepted':>12} {'accepted/s':>10} "
        f"{'throttled':>9} {'vs limit':>8}"
    )
    for size in sizes:
        limit = max(0, (size - 1) // args.rate) + rtt
        for client in (SYNC, PACED, UNPACED):
            mine = [run for run in runs if run.client == client and run.size == size]
            seconds = statistics.median(run.seconds for run in mine)
            throttled = statistics.median(run.throttled for run in mine)
            print(
                f"{size:>10}  {client:<32} {seconds:>10.2f} s {size / seconds:>10.1f} "
                f"{throttled:>9.0f} {seconds / limit:>7.2f}x"
            )
    print(f"limit: (recipients - 1) // {args.rate} seconds of pacing plus one round trip")


if __name__ == "__main__":
    main()
