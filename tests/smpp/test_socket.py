"""How the session reaches SMSC: IPv6 and names with several addresses, TLS contexts, socket
options, and the bind type; against the simulator over TCP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
import socket
import ssl
from typing import Any

import pytest
import pytest_asyncio
import pytest_socket

from custom_components.smsc.smpp import connection
from custom_components.smsc.smpp.config import BindMode, SessionConfig
from custom_components.smsc.smpp.errors import CannotConnect
from custom_components.smsc.smpp.session import SessionState, SmppSession
from simulator import SmscSimulator
from simulator.__main__ import _parse_args, _simulator
from tests.test_session import (
    LOGIN,
    PASSWORD,
    assert_sends,
    certificates,  # noqa: F401 - the fixture, used by name
    free_port,
    open_session,
    tls_front,
)


def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest_asyncio.fixture
async def ipv6_simulator(socket_enabled: None) -> AsyncIterator[SmscSimulator]:
    """A simulator listening on ::1 only, reachable through the test harness's socket guard."""
    if not _has_ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback (::1)")
    # The Home Assistant test harness lets sockets connect to 127.0.0.1 only.
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"], allow_unix_socket=True)
    async with SmscSimulator(host="::1", port=0) as sim:
        yield sim


async def test_binds_over_ipv6(ipv6_simulator: SmscSimulator) -> None:
    async with open_session(ipv6_simulator) as (session, _):
        assert session._thread._client is not None
        assert session._thread._client._socket is not None
        assert session._thread._client._socket.family == socket.AF_INET6
        await assert_sends(session, ipv6_simulator, 1)


async def test_a_name_is_tried_address_by_address(
    ipv6_simulator: SmscSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host whose first address refuses (IPv4 here) is reached on the next one (IPv6).

    The machine's own names may not resolve to ::1, so `smsc.test` resolves as a dual-stack
    name would: first 127.0.0.1, where nothing listens on the simulator's port, then ::1.
    """
    real_getaddrinfo = socket.getaddrinfo
    port = ipv6_simulator.port

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "smsc.test":
            return real_getaddrinfo(host, *args, **kwargs)
        return [
            *real_getaddrinfo("127.0.0.1", *args, **kwargs),
            *real_getaddrinfo("::1", *args, **kwargs),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with socket.socket() as probe:  # the IPv4 address must refuse for the test to mean much
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    config = SessionConfig("smsc.test", port, LOGIN, PASSWORD, response_timeout=2.0)
    session = SmppSession(config, loop=asyncio.get_running_loop())
    await session.start()
    try:
        assert session.state is SessionState.BOUND
        await assert_sends(session, ipv6_simulator, 1)
    finally:
        await session.close()


async def test_no_address_answers(socket_enabled: None) -> None:
    """Every address refusing ends in CannotConnect with the reason."""

    config = SessionConfig("127.0.0.1", free_port(), LOGIN, PASSWORD, response_timeout=2.0)
    session = SmppSession(config, loop=asyncio.get_running_loop())
    with pytest.raises(CannotConnect, match="refused"):
        await session.start()


async def test_the_socket_writes_small_pdus_at_once(smsc_simulator: SmscSimulator) -> None:
    """TCP_NODELAY on the session's socket: a submit is not held back for an ACK."""
    async with open_session(smsc_simulator) as (session, _):
        client = session._thread._client
        assert client is not None
        assert client._socket is not None
        assert client._socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_a_given_tls_context_is_used_as_is(
    smsc_simulator: SmscSimulator,
    certificates: dict[str, Path],  # noqa: F811
) -> None:
    """The CA is only in the given context (not in the system's): the bind proves it is used."""
    context = ssl.create_default_context(cafile=str(certificates["ca"]))
    async with tls_front(smsc_simulator, certificates["good"]) as port:
        config = SessionConfig(
            "127.0.0.1", port, LOGIN, PASSWORD, use_tls=True, ssl_context=context
        )
        session = SmppSession(config, loop=asyncio.get_running_loop())
        await session.start()
        try:
            client = session._thread._client
            assert client is not None
            assert isinstance(client._socket, ssl.SSLSocket)
            assert client._socket.context is context
            await assert_sends(session, smsc_simulator, 1)
        finally:
            await session.close()


async def test_the_default_tls_context_is_made_once(
    smsc_simulator: SmscSimulator,
    certificates: dict[str, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a context the session makes one default context, kept across reconnects."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"]))
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def create_default_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(connection.ssl, "create_default_context", create_default_context)
    async with tls_front(smsc_simulator, certificates["good"]) as port:
        config = SessionConfig(
            "127.0.0.1", port, LOGIN, PASSWORD, use_tls=True, reconnect_min_delay=0.05
        )
        session = SmppSession(config, loop=asyncio.get_running_loop())
        await session.start()
        try:
            await smsc_simulator.drop_connections()
            await smsc_simulator.wait_for(lambda: smsc_simulator.bound_count == 1)
            await smsc_simulator.wait_for(lambda: len(smsc_simulator.binds) == 2)
            await assert_sends(session, smsc_simulator, 1)
        finally:
            await session.close()
    assert len(made) == 1


async def test_a_transmitter_bind_is_handed_nothing(smsc_simulator: SmscSimulator) -> None:
    """bind_mode=TRANSMITTER sends bind_transmitter; it submits, and receives no deliver_sm."""
    async with open_session(smsc_simulator, bind_mode=BindMode.TRANSMITTER) as (session, rec):
        message_id = await assert_sends(session, smsc_simulator, 1)
        assert await smsc_simulator.send_delivery_receipt(message_id) == 0
        assert rec.received == []
    assert [bind.command for bind in smsc_simulator.binds] == ["bind_transmitter"]


@pytest.mark.smsc_simulator(nagle=True)
async def test_the_nagle_simulator_leaves_nagle_on(smsc_simulator: SmscSimulator) -> None:
    """`nagle=True` (`--nagle`) undoes asyncio's TCP_NODELAY on the simulator's side only."""
    async with open_session(smsc_simulator) as (session, _):
        [conn] = smsc_simulator._connections.values()
        server_socket = conn.writer.get_extra_info("socket")
        assert server_socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        client = session._thread._client
        assert client is not None
        assert client._socket is not None
        assert client._socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        await assert_sends(session, smsc_simulator, 1)
    assert _simulator(_parse_args(["--nagle"])).nagle
    assert not _simulator(_parse_args([])).nagle
