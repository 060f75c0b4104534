"""The wire logger's filters on their own: no password in any record."""

from __future__ import annotations

import logging

from smpplib import smpp

from custom_components.smsc.smpp.logs import _PasswordRedactingFilter
from custom_components.smsc.smpp.wire import SmscClient


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
