"""``python -m simulator``: run a fake SMSC for a local Home Assistant to talk to."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .control import ControlServer
from .server import CALL_OUTCOMES, SmscSimulator


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def _call_outcome(text: str) -> tuple[str, str]:
    number, sep, outcome = text.partition("=")
    if not sep or outcome not in CALL_OUTCOMES:
        raise argparse.ArgumentTypeError(
            f"expected NUMBER=OUTCOME, OUTCOME one of {', '.join(CALL_OUTCOMES)}: {text!r}"
        )
    return number.removeprefix("+"), outcome


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Fake SMSC SMPP gateway for development."
    )
    # Loopback by default: the simulator accepts any client and must not be reachable
    # from the network unless someone asks for it explicitly.
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2775)
    parser.add_argument("--login", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument(
        "--receipt-delay", type=float, default=1.0, help="seconds before a delivery receipt"
    )
    parser.add_argument("--no-receipts", action="store_true", help="never send receipts")
    parser.add_argument("--receipt-id-format", choices=("decimal", "hex"), default="decimal")
    parser.add_argument(
        "--no-rules", action="store_true", help="disable the duplicate and flood rules"
    )
    parser.add_argument(
        "--throughput",
        type=_non_negative_int,
        metavar="N",
        help="accept at most N submit_sm in any second; more get ESME_RTHROTTLED (0x58)",
    )
    parser.add_argument(
        "--response-delay",
        type=_non_negative_float,
        default=0.0,
        metavar="MS",
        help="milliseconds between reading a request and writing its response (a far link)",
    )
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="leave Nagle's algorithm on for client sockets (asyncio turns it off), as many "
        "servers do: a client that delays its ACKs waits for each answer after the first",
    )
    parser.add_argument(
        "--control-port",
        type=_non_negative_int,
        metavar="PORT",
        help="also listen on this port (on --host) for JSON lines that make a phone write in "
        "(see simulator/control.py and python -m simulator.control)",
    )
    parser.add_argument(
        "--call-outcome",
        type=_call_outcome,
        action="append",
        default=[],
        metavar="NUMBER=OUTCOME",
        help="how calls to NUMBER end (repeatable): " + ", ".join(CALL_OUTCOMES),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every PDU")
    return parser.parse_args(argv)


def _simulator(args: argparse.Namespace) -> SmscSimulator:
    return SmscSimulator(
        args.login,
        args.password,
        args.host,
        args.port,
        auto_receipts=not args.no_receipts,
        receipt_delay=args.receipt_delay,
        receipt_id_format=args.receipt_id_format,
        enforce_rules=not args.no_rules,
        # A long-running dev server must not keep every message forever.
        history_limit=10_000,
        throughput=args.throughput,
        # Milliseconds on the command line (link latencies are quoted so); seconds inside.
        response_delay=args.response_delay / 1000,
        nagle=args.nagle,
        call_outcomes=dict(args.call_outcome),
    )


async def _run(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        # Not available on every platform (Windows); Ctrl-C then ends asyncio.run instead.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with _simulator(args) as sim:
            control = None
            if args.control_port is not None:
                control = ControlServer(sim, args.host, args.control_port)
                await control.start()
            try:
                await stop.wait()
            finally:
                if control is not None:
                    await control.stop()
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    logging.getLogger("simulator").info("stopped")


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args))


if __name__ == "__main__":
    main()
