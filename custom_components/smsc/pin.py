"""Check a recipient's PIN at the start of an incoming SMS and take it out of the text."""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Final

MIN_PIN_LENGTH: Final = 4
MAX_PIN_LENGTH: Final = 32
PIN_MASK: Final = "****"
# What may stand between the PIN and the question: "1234 turn on…", "1234: turn on…".
_SEPARATORS: Final = " \t\r\n,.:;!-"


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The outcome of one check: whether the PIN opened the message, and its text without PIN."""

    accepted: bool
    text: str


def pin_is_valid(pin: str) -> bool:
    """A PIN is 4 to 32 characters without spaces, so that it ends where the question starts."""
    return MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH and not any(c.isspace() for c in pin)


def check_pin(text: str, pin: str | None) -> PinCheck:
    """Accept a message that starts with the PIN as a word of its own; remove it.

    Case is ignored (phones capitalise the first word). The PIN is masked wherever else it
    appears, also in a refused message, because the text goes on to events and logs.
    Without a PIN every message is accepted as it is.
    """
    if not pin:
        return PinCheck(accepted=True, text=text.strip())
    escaped = re.escape(pin)
    opening = re.match(rf"\s*{escaped}(?!\w)", text, re.IGNORECASE)
    if opening is None:
        return PinCheck(accepted=False, text=_mask(text, escaped))
    question = text[opening.end() :].lstrip(_SEPARATORS).strip()
    return PinCheck(accepted=True, text=_mask(question, escaped))


def _mask(text: str, escaped_pin: str) -> str:
    return re.sub(escaped_pin, PIN_MASK, text, flags=re.IGNORECASE)
