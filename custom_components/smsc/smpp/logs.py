"""Log redaction: no password or PIN on the wire logger, one warning per unknown TLV; both threads.

smpplib logs every PDU it writes as hex at DEBUG, bind included; the session logs the PDUs it
writes and reads itself under the same logger name (`WIRE_LOGGER_NAME`), in the same format,
incoming `deliver_sm` included. Importing this module puts `_PasswordRedactingFilter` on that
logger, so a bind's password, or a PIN in an incoming SMS, reaches no log even with every
logger at DEBUG, and `_UnknownTlvFilter` on smpplib's command logger. The session registers
its password when it starts and unregisters it when it closes; whoever else knows a secret
(Assist's PINs) registers it under its own owner. The filters run on whatever thread logs,
which for the wire logger is the I/O thread.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
import threading
from typing import Final

# It logs under smpplib's own name so the manifest's `loggers: ["smpplib"]` covers it.
WIRE_LOGGER_NAME: Final = "smpplib.client"

_BIND_COMMANDS: Final = frozenset({"00000001", "00000002", "00000009"})


class _PasswordRedactingFilter(logging.Filter):
    """Rewrite the wire logger's hex dumps so no registered secret reaches a log.

    A dump of a bind PDU is dropped whole. Each secret is also cut out of anything else
    logged on the wire logger, in every form a PDU can carry it (`_forms`). A short secret
    (a 4-digit PIN) may cut an unrelated run of the same digits too: a log that says less
    is the safe side.
    """

    def __init__(self, secrets: Callable[[], list[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args:
            return True
        forms = sorted(
            {form for secret in self._secrets() if secret for form in _forms(secret)},
            key=len,
            reverse=True,  # the longest first, so no shorter form leaves a piece of it
        )
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        redacted: list[object] = []
        for arg in args:
            text = arg.decode("ascii", "replace") if isinstance(arg, bytes) else arg
            if isinstance(text, str):
                if _is_bind_dump(text):
                    text = "<bind PDU redacted>"
                for form in forms:
                    text = text.replace(form, "<redacted>")
                redacted.append(text)
            else:
                redacted.append(arg)
        record.args = tuple(redacted)
        return True


def _forms(secret: str) -> tuple[str, ...]:
    """A secret as text and as hex the way a PDU carries it.

    Latin-1 (and ASCII; GSM's unpacked septets are the same bytes for digits) and UCS-2
    (UTF-16 big-endian), in both hex cases.
    """
    forms = [secret]
    for encoded in (
        secret.encode("latin-1", "replace"),
        secret.encode("utf-16-be", "replace"),
    ):
        forms += [encoded.hex(), encoded.hex().upper()]
    return tuple(forms)


def _is_bind_dump(text: str) -> bool:
    """A hex dump of a whole bind_* PDU: length, then a bind command id."""
    return (
        len(text) >= 32
        and text[8:16] in _BIND_COMMANDS
        and all(char in "0123456789abcdefABCDEF" for char in text[:32])
    )


class _UnknownTlvFilter(logging.Filter):
    """Let smpplib warn once per unknown TLV tag, not once per PDU that carries it."""

    _MESSAGE: Final = "Unknown optional parameter type 0x%x, skipping"
    _MAX_TAGS: Final = 256

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[object] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self._MESSAGE:
            return True
        tag = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if tag in self._seen or len(self._seen) >= self._MAX_TAGS:
            return False
        self._seen.add(tag)
        return True


# The secrets alive in this process (sessions' passwords, Assist's PINs), by owner. Written on
# the event loop (an owner starting, changing or closing), read by the filter on whatever
# thread logs (mostly each session's I/O thread): the lock is where those threads meet.
_SECRETS: dict[int, tuple[str, ...]] = {}
_SECRETS_LOCK = threading.Lock()


def register_secret(owner: object, *secrets: str) -> None:
    """Keep `secrets` out of the wire logs from now on (until `unregister_secret(owner)`).

    They replace whatever `owner` registered before: call it again with all of them when
    they change.
    """
    with _SECRETS_LOCK:
        _SECRETS[id(owner)] = tuple(secret for secret in secrets if secret)


def unregister_secret(owner: object) -> None:
    """Forget the secrets `owner` registered, if any."""
    with _SECRETS_LOCK:
        _SECRETS.pop(id(owner), None)


def _active_secrets() -> list[str]:
    with _SECRETS_LOCK:
        return [secret for secrets in _SECRETS.values() for secret in secrets]


logging.getLogger(WIRE_LOGGER_NAME).addFilter(_PasswordRedactingFilter(_active_secrets))
logging.getLogger("smpplib.command").addFilter(_UnknownTlvFilter())
