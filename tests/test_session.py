"""The SMPP session on its own (no Home Assistant), against the simulator over TCP.

Every test builds ``SmppSession(SessionConfig(...), loop=asyncio.get_running_loop())`` with
short keepalive and reconnect settings, and waits on events (the simulator's ``wait_for``, the
session's state callbacks), never on a clock. The helpers here are shared with
``test_reliability.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
import datetime
import ipaddress
import logging
from pathlib import Path
import re
import socket
import ssl
import sys
from types import SimpleNamespace
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest
from smpplib import consts

from custom_components.smsc.smpp import logs, session as session_module
from custom_components.smsc.smpp.config import Received, SessionConfig
from custom_components.smsc.smpp.errors import (
    AuthenticationFailed,
    CannotConnect,
    ConnectionLost,
    NotConnected,
    SessionClosed,
    SubmitRefused,
    SubmitTimeout,
)
from custom_components.smsc.smpp.receipts import DeliveryReceipt, DeliveryState
from custom_components.smsc.smpp.session import SessionState, SmppSession
from simulator import CommandId, Pdu, SmscSimulator, Status, Tag
from simulator.pdu import SmBody, Tlv

# --------------------------------------------------------------------------------------------
# Helpers (also used by test_reliability.py)

LOGIN = "demo"
PASSWORD = "demo"
# Generous: only reached when something is broken, never waited for when things work.
LONG = 30.0
# For tests that close a session on a silent server: the unbind is not answered, and
# closing waits min(response_timeout, 2 s) for it.
QUICK_UNBIND: dict[str, Any] = {"response_timeout": 0.5}


def make_config(sim: SmscSimulator, **overrides: Any) -> SessionConfig:
    """Settings for the simulator, with reconnects in milliseconds."""
    settings: dict[str, Any] = {
        "reconnect_min_delay": 0.05,
        "reconnect_max_delay": 0.2,
        "response_timeout": 2.0,
        "submit_timeout": LONG,
        "throttle_delay": 0.05,
        # Pacing has tests of its own; bursts in the others are not about it.
        "max_rate": 10_000,
        **overrides,
    }
    return SessionConfig(sim.host, sim.port, LOGIN, PASSWORD, **settings)


def params(index: int, text: str | None = None) -> dict[str, Any]:
    """submit_sm fields for message `index`: its own recipient and its own text."""
    return {
        "source_addr_ton": 5,
        "source_addr_npi": 0,
        "source_addr": "Test",
        "dest_addr_ton": 1,
        "dest_addr_npi": 1,
        "destination_addr": destination(index),
        "short_message": (text or f"message number {index}").encode(),
        "data_coding": 0,
        "esm_class": 0,
        "registered_delivery": 1,
    }


def destination(index: int) -> str:
    return f"7900{index:07d}"


@dataclass
class Recorder:
    """What a session reported to its callbacks, with event-driven waiting."""

    states: list[SessionState] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_state(self, state: SessionState) -> None:
        self.states.append(state)
        self._changed.set()

    def on_deliver(self, received: Received) -> None:
        self.received.append(received)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = LONG) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def wait_for_state(self, state: SessionState, after: int = 0) -> None:
        """Until `state` is reported, counting only reports from index `after` on."""
        await self.wait_for(lambda: state in self.states[after:])


@contextlib.asynccontextmanager
async def open_session(
    sim: SmscSimulator, close_grace: float = 5.0, **overrides: Any
) -> AsyncIterator[tuple[SmppSession, Recorder]]:
    """A started session on the simulator, closed at the end whatever happened.

    `close_grace` is how long closing waits for answers to written submits: 0 where the
    server is silent on purpose.
    """
    recorder = Recorder()
    session = SmppSession(
        make_config(sim, **overrides),
        loop=asyncio.get_running_loop(),
        on_state=recorder.on_state,
        on_deliver=recorder.on_deliver,
    )
    await session.start()
    try:
        yield session, recorder
    finally:
        await session.close(grace=close_grace)


class PduLog:
    """Every PDU the simulator reads, in order (wraps its dispatcher)."""

    def __init__(self, sim: SmscSimulator) -> None:
        self.pdus: list[Pdu] = []
        dispatch = sim._dispatch

        def logged(conn: Any, pdu: Pdu) -> None:
            self.pdus.append(pdu)
            dispatch(conn, pdu)

        sim._dispatch = logged  # type: ignore[method-assign]

    def named(self, name: str) -> list[Pdu]:
        return [pdu for pdu in self.pdus if pdu.name == name]

    def submitted_destinations(self) -> list[str]:
        """The destination of every submit_sm read, answered or not."""
        return [SmBody.decode(pdu.body).destination_addr for pdu in self.named("submit_sm")]


def raw_deliver_sm(sequence: int, body: SmBody | bytes) -> bytes:
    data = body if isinstance(body, bytes) else body.encode()
    return Pdu(CommandId.DELIVER_SM, 0, sequence, data).encode()


async def assert_sends(session: SmppSession, sim: SmscSimulator, index: int) -> str:
    """A submit goes through and the simulator recorded exactly that message."""
    message_id = await session.submit(params(index))
    [message] = [m for m in sim.received if m.destination_addr == destination(index)]
    assert message.message_id == message_id
    return message_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------------------------
# Binding


async def test_bind_ok(smsc_simulator: SmscSimulator) -> None:
    """start() binds as a transceiver with the login, and reports connecting then bound."""
    async with open_session(smsc_simulator) as (session, recorder):
        assert session.state is SessionState.BOUND
        assert recorder.states == [SessionState.CONNECTING, SessionState.BOUND]
        [bind] = smsc_simulator.binds
        assert (bind.command, bind.system_id, bind.system_type, bind.ok) == (
            "bind_transceiver",
            LOGIN,
            "",
            True,
        )
        assert session.counters.connects == 1
    assert session.state is SessionState.CLOSED
    await smsc_simulator.wait_for(lambda: smsc_simulator.connection_count == 0)
    assert smsc_simulator.pdu_counts["unbind"] == 1


async def test_bind_latin1_uses_system_type_iso(smsc_simulator: SmscSimulator) -> None:
    """SMSC only switches data_coding 4 to Latin-1 for a bind with system_type ISO."""
    async with open_session(smsc_simulator, latin1=True):
        assert smsc_simulator.binds[0].system_type == "ISO"


async def test_bind_auth_failure(smsc_simulator: SmscSimulator) -> None:
    """A refused password raises AuthenticationFailed and leaves no thread behind."""
    smsc_simulator.password = "something else"
    session = SmppSession(make_config(smsc_simulator), loop=asyncio.get_running_loop())
    with pytest.raises(AuthenticationFailed) as caught:
        await session.start()
    assert caught.value.status == consts.SMPP_ESME_RINVPASWD
    assert session.state is SessionState.CLOSED
    assert session._thread is not None
    assert not session._thread.is_alive()
    assert [bind.ok for bind in smsc_simulator.binds] == [False]


async def test_bind_cannot_connect(socket_enabled: None) -> None:
    """Nothing listening: CannotConnect, no retry behind the caller's back."""
    config = SessionConfig("127.0.0.1", free_port(), LOGIN, PASSWORD, response_timeout=2.0)
    session = SmppSession(config, loop=asyncio.get_running_loop())
    with pytest.raises(CannotConnect, match=r"cannot connect to 127\.0\.0\.1"):
        await session.start()
    assert session._thread is not None
    assert not session._thread.is_alive()


async def test_bind_unanswered(smsc_simulator: SmscSimulator) -> None:
    """A server that accepts the connection but never answers the bind: CannotConnect."""
    smsc_simulator.set_silent(True)
    session = SmppSession(
        make_config(smsc_simulator, response_timeout=0.3), loop=asyncio.get_running_loop()
    )
    with pytest.raises(CannotConnect, match="no bind answer"):
        await session.start()


async def test_long_login_and_password_reach_smsc_intact(smsc_simulator: SmscSimulator) -> None:
    """smpplib cuts system_id at 15 and password at 8 characters; the session widens both."""
    smsc_simulator.login = "a-rather-long-login-name"
    smsc_simulator.password = "correct-horse-battery-staple"
    config = SessionConfig(
        smsc_simulator.host,
        smsc_simulator.port,
        smsc_simulator.login,
        smsc_simulator.password,
    )
    session = SmppSession(config, loop=asyncio.get_running_loop())
    await session.start()
    try:
        [bind] = smsc_simulator.binds
        # The simulator compares the whole password: ok means it arrived uncut.
        assert (bind.system_id, bind.ok) == ("a-rather-long-login-name", True)
    finally:
        await session.close()


async def test_password_that_cannot_be_sent_is_an_auth_failure(
    smsc_simulator: SmscSimulator,
) -> None:
    """A password outside Latin-1 cannot go into a bind; that is reported, not a hang."""
    session = SmppSession(
        SessionConfig(smsc_simulator.host, smsc_simulator.port, LOGIN, "пароль"),
        loop=asyncio.get_running_loop(),
    )
    with pytest.raises(AuthenticationFailed, match="password"):
        await session.start()
    assert smsc_simulator.binds == []


# --------------------------------------------------------------------------------------------
# TLS


def _make_certificates(directory: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and one for another name, all signed by it."""
    now = datetime.datetime.now(datetime.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name("Test CA"))
        .issuer_name(name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": directory / "ca.pem"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    for label, alt_names in (
        ("good", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("wrong", [x509.DNSName("smpp.example.invalid")]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(label))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        paths[label] = directory / f"{label}.pem"
        paths[label].write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return paths


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _make_certificates(tmp_path_factory.mktemp("tls"))


@contextlib.asynccontextmanager
async def tls_front(sim: SmscSimulator, certificate: Path) -> AsyncIterator[int]:
    """A TLS-terminating front for the simulator (as SMSC's port 3443); yields its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    pipes: set[asyncio.Task[None]] = set()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            # The handshake here rather than in start_server, so a client refusing the
            # certificate is this handler's business, not an unhandled loop error.
            await writer.start_tls(context)
        except (ssl.SSLError, ConnectionError):
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection(sim.host, sim.port)
        for task in (
            asyncio.create_task(pipe(reader, up_writer)),
            asyncio.create_task(pipe(up_reader, writer)),
        ):
            pipes.add(task)
            task.add_done_callback(pipes.discard)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(pipes):
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        await server.wait_closed()


async def test_tls_bind_and_submit(
    smsc_simulator: SmscSimulator,
    certificates: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With use_tls the session verifies the certificate for the host, binds and sends."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"]))
    async with tls_front(smsc_simulator, certificates["good"]) as port:
        config = SessionConfig("127.0.0.1", port, LOGIN, PASSWORD, use_tls=True)
        session = SmppSession(config, loop=asyncio.get_running_loop())
        await session.start()
        try:
            assert session._thread._client is not None
            assert isinstance(session._thread._client._socket, ssl.SSLSocket)
            await assert_sends(session, smsc_simulator, 1)
            # The server's own keepalive goes through TLS too.
            await smsc_simulator.send_raw(Pdu(CommandId.ENQUIRE_LINK, 0, 99).encode())
            await smsc_simulator.wait_for(
                lambda: smsc_simulator.pdu_counts["enquire_link_resp"] == 1
            )
        finally:
            await session.close()


@pytest.mark.parametrize(
    ("certificate", "trusted"),
    [("wrong", True), ("good", False)],
    ids=["certificate-for-another-host", "untrusted-certificate"],
)
async def test_tls_refuses_bad_certificate(
    smsc_simulator: SmscSimulator,
    certificates: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    certificate: str,
    trusted: bool,
) -> None:
    """A certificate for another name, or from an unknown CA: no bind is ever sent."""
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"]))
    async with tls_front(smsc_simulator, certificates[certificate]) as port:
        config = SessionConfig("127.0.0.1", port, LOGIN, PASSWORD, use_tls=True)
        session = SmppSession(config, loop=asyncio.get_running_loop())
        with pytest.raises(CannotConnect, match="CERTIFICATE_VERIFY_FAILED"):
            await session.start()
    assert smsc_simulator.binds == []


# --------------------------------------------------------------------------------------------
# Submitting


async def test_submit_returns_message_id_after_on_accepted(smsc_simulator: SmscSimulator) -> None:
    """The id comes back; on_accepted saw it first, so a receipt can always be matched."""
    async with open_session(smsc_simulator) as (session, _):
        accepted: list[str] = []
        message_id = await session.submit(params(1), on_accepted=accepted.append)
        assert accepted == [message_id]
        assert smsc_simulator.received[0].message_id == message_id
        assert (session.counters.submits, session.in_flight) == (1, 0)


async def test_submit_with_bad_parameters_fails_only_that_caller(
    smsc_simulator: SmscSimulator,
) -> None:
    """A PDU smpplib cannot build fails its own caller; the session carries on."""
    async with open_session(smsc_simulator) as (session, _):
        with pytest.raises(TypeError):
            await session.submit({**params(1), "source_addr": 12345})
        await assert_sends(session, smsc_simulator, 2)
        assert session.in_flight == 0


async def test_submit_window_limits_in_flight(smsc_simulator: SmscSimulator) -> None:
    """With submit_window=2 and a server that does not answer, only 2 submits are written.

    The others wait for a slot; closing the session fails the waiting ones with SessionClosed
    (never written) and the two written ones with ConnectionLost (SMSC may hold them).
    """
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND, submit_window=2) as (
        session,
        _,
    ):
        smsc_simulator.set_silent(True)
        tasks = [asyncio.create_task(session.submit(params(i))) for i in range(5)]
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 2)
        # Give the others every chance to (wrongly) go out too.
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert smsc_simulator.pdu_counts["submit_sm"] == 2
        assert session.in_flight == 2
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionLost] * 2 + [SessionClosed] * 3
    assert smsc_simulator.pdu_counts["submit_sm"] == 2


async def test_submit_window_is_never_exceeded_under_load(smsc_simulator: SmscSimulator) -> None:
    """40 concurrent submits with submit_window=3: never more than 3 unanswered at once."""
    async with open_session(smsc_simulator, submit_window=3) as (session, _):
        register = session._submits.register
        peaks: list[int] = []

        def counting_register(request: Any, sequence: int) -> bool:
            registered = register(request, sequence)
            peaks.append(len(session._submits._pending))
            return registered

        session._submits.register = counting_register  # type: ignore[method-assign]
        ids = await asyncio.gather(*(session.submit(params(i)) for i in range(40)))
        assert len(set(ids)) == 40
        assert max(peaks) <= 3
        assert len(smsc_simulator.received) == 40


async def test_a_burst_at_smscs_rate_is_never_throttled(socket_enabled: None) -> None:
    """90 submits at once to a server that throttles above 30 a second: the session paces
    them (30, then 30 a second later, ...) and SMSC never has a reason to throttle.

    The simulator runs in a process of its own, as SMSC runs on a machine of its own: sharing
    this process (and its GIL) it would read the first 30 late whenever the test is slow (say,
    under coverage) and count them into the wrong second.
    """
    async with (
        simulator_process("--throughput", "30") as server,
        open_session(server, max_rate=30, submit_window=30) as (session, _),
    ):
        ids = await asyncio.gather(*(session.submit(params(i)) for i in range(90)))
    assert len(set(ids)) == 90
    assert session.counters.throttled == 0  # every ESME_RTHROTTLED answer is counted


REPOSITORY = Path(__file__).resolve().parent.parent


@contextlib.asynccontextmanager
async def simulator_process(*arguments: str) -> AsyncIterator[Any]:
    """`python -m simulator` on a free port in a child process; its host and port."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        *arguments,
        cwd=REPOSITORY,
        stderr=asyncio.subprocess.PIPE,
    )
    stderr = child.stderr
    assert stderr is not None
    match: re.Match[bytes] | None = None
    drain: asyncio.Task[bytes] | None = None
    try:
        async with asyncio.timeout(LONG):
            while match is None and (line := await stderr.readline()):
                match = re.search(rb"listening on ([0-9.]+):(\d+)", line)
        assert match is not None, "the simulator did not start"
        drain = asyncio.create_task(stderr.read())  # its log must not fill the pipe
        yield SimpleNamespace(host=match[1].decode(), port=int(match[2]))
    finally:
        child.terminate()
        await child.wait()
        if drain is not None:
            await drain


async def test_submits_held_by_the_pacer_can_still_be_withdrawn_unsent(
    smsc_simulator: SmscSimulator,
) -> None:
    """A submit the pacer holds back is not written yet: a caller whose time runs out gets
    NotConnected (not sent), and the server never sees it."""
    async with open_session(smsc_simulator, max_rate=1, submit_window=5) as (session, _):
        first = await session.submit(params(0))
        with pytest.raises(NotConnected):
            await session.submit(params(1), timeout=0.3)
        assert first
        await asyncio.sleep(1.2)  # the pacer would have let it go by now
    assert smsc_simulator.pdu_counts["submit_sm"] == 1


async def test_submit_timeout(smsc_simulator: SmscSimulator) -> None:
    """No answer within the caller's time: SubmitTimeout, and nothing is left waiting."""
    async with open_session(smsc_simulator, **QUICK_UNBIND) as (session, _):
        smsc_simulator.set_silent(True)
        with pytest.raises(SubmitTimeout):
            await session.submit(params(1), timeout=0.3)
        assert session.in_flight == 0
        assert session.counters.submit_errors == 1
        assert smsc_simulator.pdu_counts["submit_sm"] == 1


async def test_waiting_for_a_window_slot_past_the_deadline_sends_nothing(
    smsc_simulator: SmscSimulator,
) -> None:
    """A submit whose time runs out while the window is full is not written at all."""
    async with open_session(smsc_simulator, close_grace=0, **QUICK_UNBIND, submit_window=1) as (
        session,
        _,
    ):
        smsc_simulator.set_silent(True)
        first = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        with pytest.raises(SubmitTimeout, match="not sent"):
            await session.submit(params(2), timeout=0.2)
        assert smsc_simulator.pdu_counts["submit_sm"] == 1
    with pytest.raises(ConnectionLost):  # written: SMSC may hold it
        await first


async def test_cancelled_submit_is_forgotten(smsc_simulator: SmscSimulator) -> None:
    """A caller cancelled while waiting for the answer leaves nothing in flight."""
    async with open_session(smsc_simulator, **QUICK_UNBIND) as (session, _):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert session.in_flight == 0


async def test_close_fails_submits_waiting_for_a_bind(smsc_simulator: SmscSimulator) -> None:
    """Submits waiting for a reconnect that cannot happen get SessionClosed at close()."""
    async with open_session(smsc_simulator) as (session, recorder):
        await smsc_simulator.stop()  # listener and connections gone: reconnects fail
        await recorder.wait_for_state(SessionState.DISCONNECTED)
        task = asyncio.create_task(session.submit(params(1), timeout=LONG))
        await asyncio.sleep(0)
        assert not task.done()
    with pytest.raises(SessionClosed):
        await task


async def test_submit_after_close(smsc_simulator: SmscSimulator) -> None:
    async with open_session(smsc_simulator) as (session, _):
        pass
    with pytest.raises(SessionClosed):
        await session.submit(params(1))


async def test_close_is_prompt_while_a_rebind_hangs(smsc_simulator: SmscSimulator) -> None:
    """close() cuts a reconnect blocked on an unanswered bind instead of waiting it out."""
    async with open_session(smsc_simulator, response_timeout=LONG * 2) as (session, recorder):
        smsc_simulator.set_silent(True)
        await smsc_simulator.drop_connections()
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["bind_transceiver"] == 2)
        await recorder.wait_for_state(SessionState.DISCONNECTED)  # the rebind hangs
        async with asyncio.timeout(LONG):  # a generous bound, far below the bind timeout
            await session.close()
        assert session._thread is not None
        assert not session._thread.is_alive()


async def test_no_resend_after_a_drop(smsc_simulator: SmscSimulator) -> None:
    """A submit cut off by a dropped link raises ConnectionLost and is never written again."""
    async with open_session(smsc_simulator) as (session, recorder):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        smsc_simulator.set_silent(False)
        await smsc_simulator.drop_connections()
        with pytest.raises(ConnectionLost):
            await task
        await smsc_simulator.wait_for_binds(2)
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        await assert_sends(session, smsc_simulator, 2)
        assert smsc_simulator.pdu_counts["submit_sm"] == 2  # the first one went out once


# --------------------------------------------------------------------------------------------
# What the server sends


async def test_generic_nack_fails_the_submit(smsc_simulator: SmscSimulator) -> None:
    """A generic_nack carrying a submit's sequence fails that submit with its status."""
    async with open_session(smsc_simulator) as (session, _):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        [sequence] = session._submits._pending
        await smsc_simulator.send_raw(
            Pdu(CommandId.GENERIC_NACK, Status.RINVCMDID, sequence).encode()
        )
        with pytest.raises(SubmitRefused) as caught:
            await task
        assert caught.value.status == consts.SMPP_ESME_RINVCMDID
        smsc_simulator.set_silent(False)
        assert session.state is SessionState.BOUND
        await assert_sends(session, smsc_simulator, 2)
        assert len(smsc_simulator.binds) == 1


async def test_submit_sm_resp_with_tlvs_after_the_id(smsc_simulator: SmscSimulator) -> None:
    """An SMPP 5.0 style submit_sm_resp (TLVs after the id) still yields the id."""
    async with open_session(smsc_simulator, **QUICK_UNBIND) as (session, _):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        [sequence] = session._submits._pending
        body = b"ABC123\x00" + Tlv(0x0425, b"\x00").encode()
        await smsc_simulator.send_raw(Pdu(CommandId.SUBMIT_SM_RESP, 0, sequence, body).encode())
        assert await task == "ABC123"


async def test_enquire_link_from_server_is_answered(smsc_simulator: SmscSimulator) -> None:
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, _):
        await smsc_simulator.send_raw(Pdu(CommandId.ENQUIRE_LINK, 0, 4242).encode())
        await smsc_simulator.wait_for(lambda: bool(log.named("enquire_link_resp")))
        [answer] = log.named("enquire_link_resp")
        assert (answer.command_status, answer.sequence_number) == (0, 4242)
        assert session.state is SessionState.BOUND


async def test_keepalive_enquire_link_when_idle(smsc_simulator: SmscSimulator) -> None:
    """A quiet link gets enquire_link from us; answered ones keep it bound."""
    async with open_session(smsc_simulator, enquire_link_interval=0.1) as (session, _):
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["enquire_link"] >= 3)
        assert session.state is SessionState.BOUND
        assert len(smsc_simulator.binds) == 1
        assert session.counters.disconnects == 0


async def test_silent_server_is_detected_and_rebound(smsc_simulator: SmscSimulator) -> None:
    """No answers and no close: the unanswered enquire_link drops the link; rebind later."""
    async with open_session(smsc_simulator, enquire_link_interval=0.1, response_timeout=0.3) as (
        session,
        recorder,
    ):
        smsc_simulator.set_silent(True)
        await recorder.wait_for_state(SessionState.DISCONNECTED)
        assert session.counters.last_error == "SMSC stopped answering enquire_link"
        smsc_simulator.set_silent(False)
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert [bind.ok for bind in smsc_simulator.binds][-1]
        await assert_sends(session, smsc_simulator, 1)


async def test_unbind_from_server(smsc_simulator: SmscSimulator) -> None:
    """SMSC's unbind is answered; the session binds again by itself."""
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, recorder):
        await smsc_simulator.send_raw(Pdu(CommandId.UNBIND, 0, 31).encode())
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        [answer] = log.named("unbind_resp")
        assert answer.sequence_number == 31
        await assert_sends(session, smsc_simulator, 1)


async def test_unexpected_unbind_resp_reconnects(smsc_simulator: SmscSimulator) -> None:
    """An unbind_resp we did not ask for ends that link; the session binds again."""
    async with open_session(smsc_simulator) as (session, recorder):
        await smsc_simulator.send_raw(Pdu(CommandId.UNBIND_RESP, 0, 5).encode())
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert session.counters.last_error == "SMSC ended the session"
        await assert_sends(session, smsc_simulator, 1)


async def test_results_reach_the_loop_in_order_and_in_slices(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the I/O thread hands over runs in arrival order, a slice per loop iteration, so
    a burst of thousands of receipts never holds the event loop for its whole length."""
    monkeypatch.setattr(session_module, "_SLICE", 0.0)  # one call per slice
    session = SmppSession(
        SessionConfig("127.0.0.1", 1, LOGIN, PASSWORD), loop=asyncio.get_running_loop()
    )
    ran: list[int] = []
    session._take_batch([(ran.append, (1,)), (ran.append, (2,))])
    session._take_batch([(ran.append, (3,))])
    assert ran == [1]  # the rest waits for the next iterations
    for _ in range(5):
        await asyncio.sleep(0)
    assert ran == [1, 2, 3]
    await session.close()


async def test_deliver_sm_with_unknown_tlvs(
    smsc_simulator: SmscSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Vendor TLVs in a receipt are skipped: answered, parsed, warned about once per tag."""
    async with open_session(smsc_simulator) as (session, recorder):
        message_id = await session.submit(params(1))
        await recorder.wait_for(lambda: len(recorder.received) == 1)  # the simulator's own
        recorder.received.clear()
        receipt = SmBody(
            source_addr=destination(1),
            destination_addr="Test",
            esm_class=0x04,
            short_message=f"id:{message_id} sub:001 dlvrd:001 stat:DELIVRD err:000".encode(),
            tlvs=[
                Tlv(0x1401, b"vendor"),
                Tlv.cstr(Tag.RECEIPTED_MESSAGE_ID, message_id),
                Tlv(0x2150, b""),
                Tlv.u8(Tag.MESSAGE_STATE, 2),
                Tlv(0xFFFF, b"\x00" * 300),
            ],
        )
        for sequence in (1, 2, 3):
            await smsc_simulator.send_raw(raw_deliver_sm(sequence, receipt))
        await smsc_simulator.wait_for_deliver_sm_resps(4)
        await recorder.wait_for(lambda: len(recorder.received) == 3)
        assert smsc_simulator.deliver_sm_resp_errors == 0
        for received in recorder.received:
            assert isinstance(received, DeliveryReceipt)
            assert received.message_id == message_id
            assert received.state is DeliveryState.DELIVERED
        assert session.state is SessionState.BOUND
        await assert_sends(session, smsc_simulator, 2)
    warnings = [r.getMessage() for r in caplog.records if "Unknown optional" in r.getMessage()]
    # Once per tag for the whole process: an earlier test may have seen some tags already.
    assert len(warnings) == len(set(warnings)) <= 3


async def test_unknown_command_gets_generic_nack(smsc_simulator: SmscSimulator) -> None:
    """An unknown request id is refused with generic_nack ESME_RINVCMDID; still bound."""
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, _):
        await smsc_simulator.send_raw(Pdu(0x00000999, 0, 77, b"whatever").encode())
        await smsc_simulator.wait_for(lambda: bool(log.named("generic_nack")))
        [nack] = log.named("generic_nack")
        assert (nack.command_status, nack.sequence_number) == (Status.RINVCMDID, 77)
        assert session.counters.unparsable_pdus == 1
        await assert_sends(session, smsc_simulator, 1)
        assert len(smsc_simulator.binds) == 1


async def test_unknown_response_is_ignored(smsc_simulator: SmscSimulator) -> None:
    """An unknown response id is not answered (responses never are); still bound."""
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, _):
        await smsc_simulator.send_raw(Pdu(0x80000999, 0, 78).encode())
        await smsc_simulator.send_raw(Pdu(CommandId.ENQUIRE_LINK, 0, 79).encode())
        await smsc_simulator.wait_for(lambda: bool(log.named("enquire_link_resp")))
        assert log.named("generic_nack") == []
        assert session.counters.unparsable_pdus == 1
        await assert_sends(session, smsc_simulator, 1)


async def test_malformed_deliver_sm_is_answered(smsc_simulator: SmscSimulator) -> None:
    """A deliver_sm that cannot be parsed is still answered, so SMSC does not resend it."""
    log = PduLog(smsc_simulator)
    async with open_session(smsc_simulator) as (session, recorder):
        body = SmBody(short_message=b"hello").encode() + b"\x14"  # a cut-off TLV header
        await smsc_simulator.send_raw(raw_deliver_sm(55, body))
        await smsc_simulator.wait_for_deliver_sm_resps(1)
        [answer] = log.named("deliver_sm_resp")
        assert (answer.command_status, answer.sequence_number) == (
            consts.SMPP_ESME_RX_P_APPN,
            55,
        )
        assert recorder.received == []
        await assert_sends(session, smsc_simulator, 1)
        assert len(smsc_simulator.binds) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"\xde\xad\xbe\xef" * 8, id="random-bytes"),
        pytest.param((0x00100000).to_bytes(4, "big") + b"\x00" * 12, id="oversized-length"),
        pytest.param((8).to_bytes(4, "big") + b"\x00" * 12, id="undersized-length"),
    ],
)
async def test_unframeable_bytes_reconnect(smsc_simulator: SmscSimulator, garbage: bytes) -> None:
    """A length no SMPP PDU has means the stream is lost: drop, rebind, send again."""
    async with open_session(smsc_simulator) as (session, recorder):
        await smsc_simulator.send_raw(garbage)
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert session.counters.disconnects == 1
        assert "invalid PDU length" in (session.counters.last_error or "")
        await assert_sends(session, smsc_simulator, 1)
        assert all(bind.ok for bind in smsc_simulator.binds)


async def test_truncated_pdu_reconnects(smsc_simulator: SmscSimulator) -> None:
    """Half a PDU and then nothing: after response_timeout the link is dropped and rebound.

    Meanwhile the session keeps working on what it has (the stall does not block writes).
    """
    async with open_session(smsc_simulator, response_timeout=0.5) as (session, recorder):
        head = Pdu(CommandId.DELIVER_SM, 0, 9, SmBody(short_message=b"x" * 80).encode())
        await smsc_simulator.send_raw(head.encode()[:20])
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)
        assert session.counters.last_error == "SMSC sent part of a PDU and not the rest"
        await assert_sends(session, smsc_simulator, 1)


async def test_good_frames_before_garbage_are_handled(smsc_simulator: SmscSimulator) -> None:
    """An answer that arrives in the same read as garbage still reaches its caller."""
    async with open_session(smsc_simulator) as (session, recorder):
        smsc_simulator.set_silent(True)
        task = asyncio.create_task(session.submit(params(1)))
        await smsc_simulator.wait_for(lambda: smsc_simulator.pdu_counts["submit_sm"] == 1)
        [sequence] = session._submits._pending
        answer = Pdu(CommandId.SUBMIT_SM_RESP, 0, sequence, b"777\x00").encode()
        await smsc_simulator.send_raw(answer + b"\xff" * 16)
        assert await task == "777"
        smsc_simulator.set_silent(False)
        await recorder.wait_for(lambda: recorder.states.count(SessionState.BOUND) >= 2)


# --------------------------------------------------------------------------------------------
# Logging


async def test_password_never_logged_even_at_debug(
    smsc_simulator: SmscSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """With every logger at DEBUG, neither the password nor its hex reach a record."""
    secret = "Sup3r-Secret-Passw0rd"
    smsc_simulator.password = secret
    caplog.set_level(logging.DEBUG)
    config = SessionConfig(
        smsc_simulator.host,
        smsc_simulator.port,
        LOGIN,
        secret,
        reconnect_min_delay=0.05,
    )
    session = SmppSession(config, loop=asyncio.get_running_loop())
    await session.start()
    try:
        await session.submit(params(1))
        await smsc_simulator.drop_connections()  # a rebind is logged too
        await smsc_simulator.wait_for_binds(2, accepted_only=True)
        await session.submit(params(2))
    finally:
        await session.close()
    wire = [r.getMessage() for r in caplog.records if r.name == logs.WIRE_LOGGER_NAME]
    assert any(m.startswith(">>") for m in wire), "no PDU dumps were logged"
    assert any(m.startswith("<<") for m in wire), "no PDU dumps were logged"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged
    assert secret.encode().hex() not in logged
    assert logged.count("<bind PDU redacted>") == 2
