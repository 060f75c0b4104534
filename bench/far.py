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

``--nagle`` measures instead what Nagle's algorithm at the server costs (issue 18 #11): the
simulator leaves Nagle on (``--nagle``), as many servers do, and the session sends 1 and 20
recipients (``--sizes``, default here 1,20) on a bound session, unpaced, after 20 single
exchanges of warm-up, ``--rounds`` times (default here 7). ``--before PATH`` also runs an
older checkout of the integration in a child process against the same simulator, interleaved
with this one, so that both columns come from the same runs (a tree holding
``custom_components``: ``git archive 6a18cd6 custom_components | tar -x -C /tmp/before``).
Targets: 20 in at most 1 RTT + 25 ms, 1 in 1 RTT + 10 ms.

    python bench/far.py --nagle --before /tmp/before
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# `--nagle-child` runs an older checkout's integration (see `--before`).
if os.environ.get("BENCH_TREE"):
    sys.path.insert(0, os.environ["BENCH_TREE"])

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
_WARM_UP = 20


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


async def _accept_times(port: int, sizes: list[int], first: int) -> dict[int, float]:
    """On one bound session: seconds until SMSC accepted each burst, after warm-up submits.

    The warm-up is a few request-answer exchanges, one at a time, as a session that has been
    up for a while has had: Linux acknowledges a new connection's first segments at once and
    only then starts delaying its ACKs, which is where Nagle at the server starts to cost.
    """
    # Unpaced: the warm-up and the bursts together exceed 30 in a second, and the pacer's
    # wait is not what this measures. The window is the default 30.
    config = SessionConfig("127.0.0.1", port, LOGIN, PASSWORD, max_rate=UNLIMITED)
    session = SmppSession(config, loop=asyncio.get_running_loop())
    await session.start()
    times: dict[int, float] = {}
    try:
        for _ in range(_WARM_UP):
            await session.submit(params(first))
            first += 1
        for size in sizes:
            await asyncio.sleep(0.1)  # past any ACK still due, within the RTO (see above)
            start = time.perf_counter()
            await asyncio.gather(*(session.submit(params(first + i)) for i in range(size)))
            times[size] = time.perf_counter() - start
            first += size
    finally:
        await session.close()
    return times


def _nagle_child(port: int, sizes: list[int], first: int) -> None:
    """`--nagle-child`: one round in a child process (the `--before` tree); JSON on stdout."""
    times = asyncio.run(_accept_times(port, sizes, first))
    print(json.dumps({str(size): seconds for size, seconds in times.items()}))


def _nagle(args: argparse.Namespace, sizes: list[int]) -> None:
    trees = {"this tree": None}
    if args.before:
        trees = {"before": Path(args.before).resolve(), **trees}
    results: dict[str, dict[int, list[float]]] = {
        name: {size: [] for size in sizes} for name in trees
    }
    with SimulatorThread(**BENCH_SIMULATOR, nagle=True, response_delay=args.delay_ms / 1000) as sim:
        first = 0
        for _ in range(args.rounds):
            for name, tree in trees.items():
                if tree is None:
                    times = asyncio.run(_accept_times(sim.port, sizes, first))
                else:
                    output = subprocess.run(  # noqa: S603 - our own script, our own arguments
                        [
                            sys.executable,
                            __file__,
                            "--nagle-child",
                            f"--port={sim.port}",
                            f"--first={first}",
                            f"--sizes={','.join(map(str, sizes))}",
                        ],
                        env={**os.environ, "BENCH_TREE": str(tree)},
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                    times = {int(size): t for size, t in json.loads(output).items()}
                first += _WARM_UP + sum(sizes)
                for size, seconds in times.items():
                    results[name][size].append(seconds)
    rtt = args.delay_ms / 1000
    print(
        f"Nagle at the server: response delay {args.delay_ms:.0f} ms, simulator --nagle; "
        f"median (min-max) of {args.rounds} interleaved runs, seconds until all accepted"
    )
    print(f"{'recipients':>10}  " + "  ".join(f"{name:>24}" for name in trees) + "  target")
    for size in sizes:
        cells = []
        for name in trees:
            mine = results[name][size]
            cells.append(f"{statistics.median(mine):.3f} ({min(mine):.3f}-{max(mine):.3f})")
        target = rtt + (0.010 if size == 1 else 0.025)
        print(f"{size:>10}  " + "  ".join(f"{cell:>24}" for cell in cells) + f"  {target:.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="recipients per send (default 20,90; --nagle: 1,20)")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="simulator's response delay")
    parser.add_argument("--rate", type=int, default=30, help="simulator's and session's rate")
    parser.add_argument("--rounds", type=int, help="runs of each, interleaved (3; --nagle: 7)")
    parser.add_argument("--nagle", action="store_true", help="what Nagle at the server costs")
    parser.add_argument("--before", help="with --nagle: an older tree to compare with")
    parser.add_argument("--nagle-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    nagle = args.nagle or args.nagle_child
    sizes = [int(size) for size in (args.sizes or ("1,20" if nagle else "20,90")).split(",")]
    if args.nagle_child:
        _nagle_child(args.port, sizes, args.first)
        return
    if args.nagle:
        args.rounds = args.rounds or 7
        _nagle(args, sizes)
        return
    args.rounds = args.rounds or 3

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
