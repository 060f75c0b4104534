"""A control port of a running simulator, so that another process can make a phone write in.

``python -m simulator --control-port 2776`` listens on 127.0.0.1:2776 for JSON lines such as::

    {"incoming": {"source": "79991234567", "destination": "79001112233", "text": "Hi"}}

and answers each with one JSON line, ``{"ok": true, "parts": 1}`` or ``{"ok": false, "error":
"..."}``. The simulator then delivers the message (``deliver_sm``) to every bound receiver, as
SMSC does with a message written to a rented number. A line
``{"call_outcome": {"number": "79991234567", "outcome": "no_answer"}}`` sets how later calls to
that number end (``"outcome": null`` answers them again); the answer is ``{"ok": true}``.
From a shell or a script::

    python -m simulator.control --port 2776 79991234567 79001112233 "Turn on the heating"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import socket
import sys
from typing import Any

from .server import SmscSimulator

_LOGGER = logging.getLogger("simulator")
MAX_LINE = 64 * 1024  # bytes: a request larger than this is no sensible test message


class ControlServer:
    """Accepts control requests for one simulator, on its event loop."""

    def __init__(self, sim: SmscSimulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen; ``port`` is the bound one afterwards."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=MAX_LINE)
        self.port = self._server.sockets[0].getsockname()[1]
        _LOGGER.info("control port on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and close the connections."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    line = await reader.readline()
                except ValueError:  # longer than MAX_LINE: answered, then the connection ends
                    answer: dict[str, Any] = {"ok": False, "error": f"over {MAX_LINE} bytes"}
                    line = b""
                else:
                    if not line:
                        break
                    answer = await self._answer(line)
                writer.write(json.dumps(answer).encode() + b"\n")
                await writer.drain()
                if not line:
                    break
        except ConnectionError:  # the client went away
            pass
        finally:
            writer.close()

    async def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
            if "call_outcome" in request:
                return self._set_call_outcome(request["call_outcome"])
            incoming = request["incoming"]
            parts = await self.sim.inject_incoming(
                str(incoming["source"]), str(incoming["destination"]), str(incoming["text"])
            )
        except (ValueError, KeyError, TypeError) as err:
            return {"ok": False, "error": f"{type(err).__name__}: {err}"}
        _LOGGER.info(
            "delivered an incoming message %s -> %s in %s part(s)",
            incoming["source"],
            incoming["destination"],
            parts,
        )
        return {"ok": True, "parts": parts}

    def _set_call_outcome(self, request: dict[str, Any]) -> dict[str, Any]:
        outcome = request.get("outcome")
        self.sim.set_call_outcome(str(request["number"]), None if outcome is None else str(outcome))
        _LOGGER.info("calls to %s now end as %s", request["number"], outcome or "answered")
        return {"ok": True}


def send_incoming(
    source: str, destination: str, text: str, *, port: int, host: str = "127.0.0.1"
) -> int:
    """Make the simulator on the control port deliver a message (blocking); its part count."""
    request = {"incoming": {"source": source, "destination": destination, "text": text}}
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(json.dumps(request).encode() + b"\n")
        with conn.makefile("rb") as answers:
            line = answers.readline()
    if not line:
        raise RuntimeError("the simulator closed the control connection without an answer")
    answer = json.loads(line)
    if not answer.get("ok"):
        raise RuntimeError(f"the simulator refused: {answer.get('error')}")
    return int(answer["parts"])


def main(argv: list[str] | None = None) -> int:
    """``python -m simulator.control``: deliver one incoming message."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator.control",
        description="Make a running simulator (started with --control-port) deliver an SMS.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="the simulator's --control-port")
    parser.add_argument("source", help="the phone number writing, e.g. 79991234567")
    parser.add_argument("destination", help="the number written to, e.g. 79001112233")
    parser.add_argument("text")
    args = parser.parse_args(argv)
    try:
        parts = send_incoming(
            args.source, args.destination, args.text, port=args.port, host=args.host
        )
    except (OSError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"delivered in {parts} part(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
