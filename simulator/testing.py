"""Test helpers: a raw SMPP client on asyncio streams and a fake clock.

The client uses only :mod:`simulator.pdu`, so tests see exactly the bytes the server sends;
the integration's own tests should talk to the simulator through the real client instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .pdu import BIND_COMMANDS, RESPONSE_BIT, BindBody, CommandId, MessageIdBody, Pdu, SmBody

READ_TIMEOUT = 3.0


class FakeClock:
    """Injectable clock for the rate rules: time moves only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RawClient:
    """Minimal SMPP client on asyncio streams; PDUs are built with simulator.pdu.

    Deliberately dumb: it answers nothing on its own, so tests see exactly what the
    server sends and decide themselves whether to acknowledge it.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.sequence = 0
        # PDUs read while waiting for a specific response, kept in arrival order.
        self.inbox: list[Pdu] = []

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send(self, command_id: int, body: bytes = b"", *, status: int = 0) -> int:
        sequence = self.next_sequence()
        await self.write(Pdu(command_id, status, sequence, body).encode())
        return sequence

    async def read(self, timeout: float = READ_TIMEOUT) -> Pdu:
        if self.inbox:
            return self.inbox.pop(0)
        return await self._read_wire(timeout)

    async def _read_wire(self, timeout: float) -> Pdu:
        async with asyncio.timeout(timeout):
            head = await self.reader.readexactly(4)
            rest = await self.reader.readexactly(int.from_bytes(head, "big") - 4)
        return Pdu.decode(head + rest)

    async def response_to(self, sequence: int, timeout: float = READ_TIMEOUT) -> Pdu:
        for index, pdu in enumerate(self.inbox):
            if pdu.is_response and pdu.sequence_number == sequence:
                return self.inbox.pop(index)
        while True:
            pdu = await self._read_wire(timeout)
            if pdu.is_response and pdu.sequence_number == sequence:
                return pdu
            self.inbox.append(pdu)

    async def request(self, command_id: int, body: bytes = b"") -> Pdu:
        return await self.response_to(await self.send(command_id, body))

    async def bind(
        self,
        system_id: str = "demo",
        password: str = "demo",  # noqa: S107 - the simulator's demo account
        system_type: str = "",
        command_id: int = CommandId.BIND_TRANSCEIVER,
    ) -> Pdu:
        if command_id not in BIND_COMMANDS:
            raise ValueError(f"not a bind command: {command_id:#x}")
        body = BindBody(system_id, password, system_type).encode()
        return await self.request(command_id, body)

    async def submit(self, **fields: Any) -> Pdu:
        fields.setdefault("source_addr", "Sender")
        fields.setdefault("source_addr_ton", 5)
        fields.setdefault("destination_addr", "79991234567")
        fields.setdefault("dest_addr_ton", 1)
        fields.setdefault("dest_addr_npi", 1)
        return await self.request(CommandId.SUBMIT_SM, SmBody(**fields).encode())

    async def submit_text(self, text: str, **fields: Any) -> Pdu:
        """Submit ``text`` as UCS-2 (works for every character)."""
        fields.setdefault("data_coding", 8)
        return await self.submit(short_message=text.encode("utf-16-be"), **fields)

    async def next_deliver_sm(self, timeout: float = READ_TIMEOUT) -> tuple[Pdu, SmBody]:
        while True:
            pdu = await self.read(timeout)
            if pdu.command_id == CommandId.DELIVER_SM:
                return pdu, SmBody.decode(pdu.body)

    async def ack(self, pdu: Pdu, status: int = 0) -> None:
        body = MessageIdBody().encode() if status == 0 else b""
        await self.write(
            Pdu(pdu.command_id | RESPONSE_BIT, status, pdu.sequence_number, body).encode()
        )

    async def is_closed_by_peer(self, timeout: float = READ_TIMEOUT) -> bool:
        """True if the server closes the socket within ``timeout`` (data read is discarded)."""
        try:
            async with asyncio.timeout(timeout):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def message_id_of(pdu: Pdu) -> str:
    return MessageIdBody.decode(pdu.body).value
