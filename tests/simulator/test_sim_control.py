"""The simulator's control port: another process makes a phone write in."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
import re
import signal
import sys

import pytest

from simulator import SmscSimulator
from simulator.control import ControlServer, main, send_incoming
from simulator.testing import RawClient

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_control_port_delivers_an_incoming_message(
    smsc_simulator: SmscSimulator,
    connect: Callable[[SmscSimulator], Awaitable[RawClient]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A JSON line on the control port becomes a deliver_sm to the bound receiver; the command
    line client says how many parts it took, and bad requests get an error, not a crash."""
    client = await connect(smsc_simulator)
    await client.bind()
    control = ControlServer(smsc_simulator)
    await control.start()
    try:
        parts = await asyncio.to_thread(
            send_incoming, "79991234567", "79001112233", "Turn on the heating", port=control.port
        )
        assert parts == 1
        _pdu, sm = await client.next_deliver_sm()
        assert (sm.source_addr, sm.destination_addr, sm.short_message) == (
            "79991234567",
            "79001112233",
            b"Turn on the heating",
        )
        await client.ack(_pdu)

        code = await asyncio.to_thread(
            main, ["--port", str(control.port), "79991234567", "79001112233", "Включи свет"]
        )
        assert code == 0
        assert "delivered in 1 part(s)" in capsys.readouterr().out
        _pdu, sm = await client.next_deliver_sm()
        assert sm.short_message.decode("utf-16-be") == "Включи свет"

        reader, writer = await asyncio.open_connection("127.0.0.1", control.port)
        for bad in (b"not json\n", json.dumps({"incoming": {"source": "1"}}).encode() + b"\n"):
            writer.write(bad)
            answer = json.loads(await reader.readline())
            assert answer["ok"] is False
            assert answer["error"]
        writer.close()
        with pytest.raises(RuntimeError, match="refused"):
            await asyncio.to_thread(send_incoming, "1", "2", "x" * 100_000, port=control.port)
    finally:
        await control.stop()
    await control.stop()  # twice is harmless
    assert await asyncio.to_thread(main, ["--port", str(control.port), "1", "2", "x"]) == 1
    assert "error:" in capsys.readouterr().err


async def test_cli_starts_the_control_port(socket_enabled: None) -> None:
    """python -m simulator --control-port listens for control lines beside SMPP."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--control-port",
        "0",
        cwd=REPO_ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(20):
            port = None
            while port is None:
                line = (await proc.stderr.readline()).decode()
                if match := re.search(r"control port on 127\.0\.0\.1:(\d+)", line):
                    port = int(match.group(1))
            parts = await asyncio.to_thread(send_incoming, "79991234567", "7575", "Hi", port=port)
            assert parts == 1
            proc.send_signal(signal.SIGTERM)
            rest = (await proc.stderr.read()).decode()
            assert await proc.wait() == 0
            assert "delivered an incoming message 79991234567 -> 7575" in rest
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
