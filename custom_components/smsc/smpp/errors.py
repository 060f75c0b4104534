"""Errors of the protocol library: refusals before sending, session failures; used by both threads.

Refusals of a send request carry a Home Assistant translation key. Every refusal raised by
:mod:`.compose` and :mod:`.guard` derives from :class:`SmscRequestError` and carries
``translation_key`` and ``translation_placeholders``, so the Home Assistant glue can raise
``ServiceValidationError(translation_domain="smsc", translation_key=err.translation_key,
translation_placeholders=err.translation_placeholders)`` without knowing the error in detail.

:data:`MESSAGES` holds the English text of every key (the same text belongs in ``strings.json``
under ``exceptions.<key>.message``); ``str(err)`` is that text with the placeholders filled in.

Failures of the session. :class:`SmppError` and its subclasses are what
:class:`.session.SmppSession` raises to a caller of ``start()`` or ``submit()``: the I/O thread
makes most of them (a refused bind, a dropped link) and hands them to the event loop, where the
caller sees them. :func:`describe_status` names an SMPP ``command_status`` in words.

No Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import time
from typing import Final

from smpplib import consts

__all__ = [
    "MESSAGES",
    "AddressError",
    "AuthenticationFailed",
    "BindRefusals",
    "CannotConnect",
    "ComposeError",
    "ConnectionLost",
    "DuplicateMessageError",
    "EncodingError",
    "FloodLimitError",
    "GuardError",
    "NotConnected",
    "PartsDeadlineError",
    "SessionClosed",
    "SmppError",
    "SmscRequestError",
    "SubmitRefused",
    "SubmitTimeout",
    "TooManyPartsError",
    "describe_status",
    "render_message",
    "status_hex",
    "status_name",
]

MESSAGES: Final[dict[str, str]] = {
    # message text
    "empty_message": "The message text is empty.",
    "field_not_allowed": "A {kind} message does not take the field “{field}”.",
    "subject_required": "A {kind} message needs a subject.",
    "invalid_subject": "The subject must be a single line.",
    "invalid_voice": "Unknown voice “{voice}”; use one of: {voices}.",
    "reserved_sequence": (
        "The field “{field}” contains a line with only “~~~”, which SMSC reads as the start of "
        "a comment; remove it."
    ),
    "reserved_prefix": (
        "An SMS cannot start with “{prefix}”: SMSC would read it as another kind of message."
    ),
    # encoding and splitting
    "encoding_not_possible": (
        "The text cannot be sent in {encoding}: the character “{character}” is not available."
    ),
    "latin1_requires_iso": "Latin-1 encoding needs a connection bound with system type “ISO”.",
    "text_too_long": (
        "A {kind} message can be at most {max_length} characters long, subject, voice and "
        "comment included; this one has {length}. Shorten the text."
    ),
    "too_many_parts": (
        "The message needs {parts} SMS parts; at most {max_parts} are allowed. Shorten the text."
    ),
    "invalid_reference": "The concatenation reference must be between 0 and 255, not {reference}.",
    # addresses
    "invalid_phone_number": (
        "“{number}” is not a phone number: use digits with an optional leading +; spaces, "
        "dashes, dots and parentheses are ignored."
    ),
    "phone_number_length": (
        "“{number}” has {digits} digits; an international number has {min_digits} to "
        "{max_digits} digits."
    ),
    "phone_number_no_country_code": (
        "“{number}” does not start with a country code; write it in international format, "
        "e.g. +79991234567."
    ),
    "invalid_sender": (
        "“{sender}” is not a valid sender: use a name with at least one Latin letter, a phone "
        "number in international format, or a short code."
    ),
    "invalid_sender_character": (
        "The sender name “{sender}” contains “{character}”; only Latin letters, digits, spaces "
        "and common punctuation are allowed."
    ),
    "sender_too_long": (
        "The sender name “{sender}” is {length} characters long; at most {max_length} are allowed."
    ),
    "invalid_short_code": (
        "The short code “{sender}” must have {min_digits} to {max_digits} digits."
    ),
    # guard
    "duplicate_message": (
        "The same text was sent to {recipient} less than {window} seconds ago; SMSC refuses "
        "repeats. Try again in {seconds} seconds."
    ),
    "flood_limit": (
        "{limit} messages were already sent to {recipient}, each less than {interval} seconds "
        "after the previous; SMSC blocks more. Try again in {seconds} seconds."
    ),
    "parts_deadline": (
        "Only {sent} of {parts} parts were submitted within {window} seconds; SMSC would "
        "reject the rest of the message."
    ),
    # failures of the session or of SMSC, per recipient (see SESSION_FAILURE_KEYS)
    "not_connected": (
        "SMSC was not connected in time, so the message to {recipient} was not sent; the "
        "connection is being restored."
    ),
    "connection_lost": (
        "The connection to SMSC dropped before SMSC confirmed the message to {recipient}; it "
        "may or may not have been sent, so it was not sent again."
    ),
    "submit_timeout": (
        "SMSC did not answer in time about the message to {recipient}; it may or may not have "
        "been sent."
    ),
    "session_closed": (
        "The message to {recipient} was not sent: the SMSC account is unloading or SMSC "
        "refused its login."
    ),
    "smsc_refused": "SMSC refused the message to {recipient}: {status_name} (status {status}).",
    "smsc_error": "The message to {recipient} failed because of an error in the SMSC session.",
}


class SmscRequestError(Exception):
    """A send request refused before it reaches SMSC (or because SMSC would refuse it)."""

    def __init__(self, translation_key: str, **placeholders: object) -> None:
        """Store the key and the placeholders (stringified) and build the English text."""
        self.translation_key: str = translation_key
        self.translation_placeholders: dict[str, str] = {
            name: str(value) for name, value in placeholders.items()
        }
        super().__init__(_render(translation_key, self.translation_placeholders))


def render_message(key: str, placeholders: Mapping[str, str]) -> str:
    """The English text of a key of MESSAGES with its placeholders filled in."""
    return _render(key, placeholders)


def _render(key: str, placeholders: Mapping[str, str]) -> str:
    template = MESSAGES.get(key)
    if template is None:
        return key
    try:
        return template.format_map(placeholders)
    except (KeyError, IndexError, ValueError):
        return f"{template} {dict(placeholders)}"


class ComposeError(SmscRequestError, ValueError):
    """The request cannot be turned into valid ``submit_sm`` PDUs."""


class AddressError(ComposeError):
    """An invalid recipient number or sender."""


class EncodingError(ComposeError):
    """The text does not fit the requested encoding, or the encoding is not available."""


class TooManyPartsError(ComposeError):
    """The text needs more parts than allowed."""


class GuardError(SmscRequestError):
    """SMSC would refuse the message because of its rate rules.

    ``retry_after`` is the number of seconds after which the same request would pass (0 when
    waiting does not help, e.g. a missed parts deadline).
    """

    def __init__(self, translation_key: str, *, retry_after: float, **placeholders: object) -> None:
        """Store ``retry_after`` next to the translation data."""
        super().__init__(translation_key, **placeholders)
        self.retry_after: float = retry_after


class DuplicateMessageError(GuardError):
    """An identical text went to the same recipient within the duplicate window."""


class FloodLimitError(GuardError):
    """Too many messages to one recipient, each shortly after the previous."""


class PartsDeadlineError(GuardError):
    """The parts of one concatenated message could not all be submitted in time."""


# --- failures of the session ----------------------------------------------------------------


def describe_status(status: int) -> str:
    """Name an SMPP command_status in words."""
    description = consts.DESCRIPTIONS.get(status)
    return f"{description} (0x{status:08X})" if description else f"status 0x{status:08X}"


# SMPP 3.4's names of its command_status values, e.g. 0x58 → ESME_RTHROTTLED.
_STATUS_NAMES: Final[dict[int, str]] = {
    value: name.removeprefix("SMPP_")
    for name, value in vars(consts).items()
    if name.startswith("SMPP_ESME_") and isinstance(value, int)
}


def status_hex(status: int) -> str:
    """An SMPP command_status as SMSC's documentation writes it: 0x00000058."""
    return f"0x{status:08X}"


def status_name(status: int) -> str:
    """The SMPP constant name of a command_status (ESME_RTHROTTLED); its hex if it has none.

    A name, not smpplib's English description, so that a translated message can quote it.
    """
    return _STATUS_NAMES.get(status, status_hex(status))


class SmppError(Exception):
    """Base of every error the session raises."""


class CannotConnect(SmppError):
    """SMSC could not be reached or did not answer the bind."""


class AuthenticationFailed(SmppError):
    """SMSC refused the login or password (or they cannot be put in a bind at all)."""

    def __init__(self, status: int, detail: str | None = None) -> None:
        super().__init__(detail or f"bind refused: {describe_status(status)}")
        self.status = status


class BindRefusals:
    """Which refusals of a rebind mean the login is wrong rather than SMSC being unwell.

    Used by the I/O thread, on a session that was bound before (at the first bind every one
    of 0x0D, 0x0E and 0x0F means the login is wrong). 0x0E (password) and 0x0F (system id)
    name the login: final at once. 0x0D (bind failed) is also what a struggling SMSC answers,
    so it is final only `times` times in a row spread over at least `spread` seconds; any
    other status (throttling, system error) is retried, and breaks the row.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        times: int = 3,
        spread: float = 300.0,
    ) -> None:
        self._clock = clock
        self._times = times
        self._spread = spread
        self._first: float | None = None  # when the current row of 0x0D began
        self._count = 0

    def final(self, status: int) -> bool:
        """Note one refused rebind; True when the session should stop for a new login."""
        if status in (consts.SMPP_ESME_RINVPASWD, consts.SMPP_ESME_RINVSYSID):
            return True
        if status != consts.SMPP_ESME_RBINDFAIL:
            self.reset()
            return False
        now = self._clock()
        if self._first is None:
            self._first = now
        self._count += 1
        return self._count >= self._times and now - self._first >= self._spread

    def reset(self) -> None:
        """A bind succeeded (or SMSC answered otherwise): the row starts again."""
        self._first = None
        self._count = 0


class NotConnected(SmppError):
    """No bound session took the message within the caller's time; it was not sent."""


class SessionClosed(SmppError):
    """The session was closed while the request waited."""


class SubmitTimeout(SmppError):
    """SMSC did not answer a submit within the caller's time; it may still have taken it."""


class ConnectionLost(SmppError):
    """The link dropped after the submit was written and before SMSC answered it.

    The message may or may not have been accepted: the caller is told rather than the
    session silently resending and risking a double send.
    """


class SubmitRefused(SmppError):
    """SMSC answered a submit with an error status."""

    def __init__(self, status: int) -> None:
        super().__init__(describe_status(status))
        self.status = status
        self.description = describe_status(status)
