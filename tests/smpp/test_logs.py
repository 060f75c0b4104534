"""The wire logger's filters: no password or PIN in any record, over the wire too."""

from __future__ import annotations

import logging

import pytest
from smpplib import smpp

from custom_components.smsc.smpp import logs
from custom_components.smsc.smpp.logs import _PasswordRedactingFilter
from custom_components.smsc.smpp.wire import SmscClient
from simulator import SmscSimulator
from tests.test_session import open_session


def test_password_redacting_filter() -> None:
    """A bind PDU dump is dropped whole; the password is cut out of anything else."""
    secret = "hunter2-and-more"
    redactor = _PasswordRedactingFilter(lambda: [secret])
    client = SmscClient("x", 1, timeout=1, allow_unknown_opt_params=True)
    bind = smpp.make_pdu("bind_transceiver", client=client, system_id="me", password="pw")
    dump = bind.generate().hex().encode()
    records = [
        logging.LogRecord(
            "smpplib.client", logging.DEBUG, "", 0, ">>%s (%d bytes)", (dump, 9), None
        ),
        logging.LogRecord(
            "smpplib.client", logging.DEBUG, "", 0, "%s %s", (secret.encode().hex(), secret), None
        ),
    ]
    for record in records:
        assert redactor.filter(record)
    assert records[0].getMessage() == ">><bind PDU redacted> (9 bytes)"
    assert records[1].getMessage() == "<redacted> <redacted>"


def test_several_secrets_per_owner_in_every_form() -> None:
    """Each secret is cut as text, as Latin-1/GSM hex and as UCS-2 hex, in both hex cases."""
    owner = object()
    logs.register_secret(owner, "4321", "9876")
    try:
        redactor = _PasswordRedactingFilter(logs._active_secrets)
        forms = [
            "4321",
            b"4321".hex(),
            "9876".encode("utf-16-be").hex(),
            "9876".encode("utf-16-be").hex().upper(),
        ]
        record = logging.LogRecord(
            "smpplib.client", logging.DEBUG, "", 0, " ".join(["%s"] * 4), tuple(forms), None
        )
        assert redactor.filter(record)
        assert record.getMessage() == " ".join(["<redacted>"] * 4)
        logs.register_secret(owner, "4321")  # replaces the owner's earlier ones
        assert logs._active_secrets().count("9876") == 0
    finally:
        logs.unregister_secret(owner)
    assert "4321" not in logs._active_secrets()


async def test_a_pin_in_an_incoming_sms_reaches_no_wire_dump(
    smsc_simulator: SmscSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Incoming deliver_sm dumps (GSM and UCS-2) at DEBUG carry no registered PIN."""
    owner = object()
    pins = ("4321", "9876")
    logs.register_secret(owner, *pins)
    caplog.set_level(logging.DEBUG, logger=logs.WIRE_LOGGER_NAME)
    try:
        async with open_session(smsc_simulator) as (_, recorder):
            await smsc_simulator.inject_incoming("79991234567", "79001112233", "PIN 4321 gate")
            await smsc_simulator.inject_incoming("79991234567", "79001112233", "Пин 9876 ворота")
            await recorder.wait_for(lambda: len(recorder.received) == 2)
    finally:
        logs.unregister_secret(owner)
    texts = [getattr(message, "text", "") for message in recorder.received]
    assert texts == ["PIN 4321 gate", "Пин 9876 ворота"]  # they did cross the wire
    wire = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("<<") for line in wire)  # the deliver_sm dumps were logged
    for pin in pins:
        for form in logs._forms(pin):
            assert not [line for line in wire if form in line], form
