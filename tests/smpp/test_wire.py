"""The framing layer on its own: smpplib's client as the session uses it, and fast submits."""

from __future__ import annotations

import socket
import ssl
from typing import Any
from unittest.mock import MagicMock

from smpplib import smpp

from custom_components.smsc.smpp.wire import Link, SmscClient, SubmitFactory
from tests.test_session import params


def test_connect_wraps_with_server_hostname(socket_enabled: None) -> None:
    """smpplib wraps without server_hostname (no SNI, no host check); our client passes it."""
    context = MagicMock(spec=ssl.SSLContext)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = SmscClient(
            "127.0.0.1", port, timeout=5, ssl_context=context, allow_unknown_opt_params=True
        )
        client.connect()
        [raw_socket] = context.wrap_socket.call_args.args
        try:
            assert context.wrap_socket.call_args.kwargs == {"server_hostname": "127.0.0.1"}
            assert client._socket is context.wrap_socket.return_value
            assert raw_socket.gettimeout() == 5
            # Set on the TCP socket under TLS, where Nagle and delayed ACKs live.
            assert raw_socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            raw_socket.close()


async def test_fast_submit_pdus_are_byte_for_byte_smpplib() -> None:
    """The session builds submit_sm faster than smpplib.make_pdu; not one byte may differ."""
    client = SmscClient("x", 1, timeout=1, allow_unknown_opt_params=True)
    factory = SubmitFactory(client)
    variants: list[dict[str, Any]] = [
        params(1),
        {**params(2), "short_message": b"", "message_payload": b"long text " * 40},
        {**params(3), "esm_class": 0x40, "short_message": b"\x05\x00\x03\x07\x02\x01hello"},
        {**params(4), "sar_msg_ref_num": 7, "sar_total_segments": 2, "sar_segment_seqnum": 1},
        {**params(5), "data_coding": 8, "short_message": "Привет".encode("utf-16-be")},
        {**params(6), "source_addr": "", "source_addr_ton": 0, "registered_delivery": 0},
        params(7),  # the same shape again: served from the factory's cache
    ]
    for variant in variants:
        ours = factory.make(variant)
        theirs = smpp.make_pdu("submit_sm", client=client, **variant)
        theirs.sequence = ours.sequence
        assert ours.generate() == theirs.generate(), variant
    # Each PDU is its own: building one does not touch another.
    first, second = factory.make(params(8)), factory.make(params(9))
    assert first.sequence != second.sequence
    assert first.generate() != second.generate()


def test_frames_are_taken_one_at_a_time(socket_enabled: None) -> None:
    """A caller that stops between two frames (to let the loop run) leaves the rest queued."""
    ours, theirs = socket.socketpair()
    try:
        client = SmscClient("127.0.0.1", 2775, allow_unknown_opt_params=True)
        client._socket = ours
        link = Link(client)
        frame = bytes.fromhex("00000010800000150000000000000007")  # enquire_link_resp
        link.inbuf += frame * 3 + frame[:6]
        frames = link.frames()
        assert next(frames) == frame
        frames.close()
        assert bytes(link.inbuf) == frame * 2 + frame[:6]
        assert list(link.frames()) == [frame, frame]
        assert bytes(link.inbuf) == frame[:6]
        assert link.corrupt is None
        link.inbuf[:] = b"\x00\x00\x00\x02" + frame  # a length no PDU has
        assert list(link.frames()) == []
        assert link.corrupt == "invalid PDU length 2"
    finally:
        ours.close()
        theirs.close()
