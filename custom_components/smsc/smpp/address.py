"""Normalise phone numbers and senders into SMPP addresses (``addr`` with its TON and NPI).

Used on the event loop: by the hub when it sends, and by the config flow when it validates a
number or a sender.  Pure functions, no state; no Home Assistant or smpplib imports.

Phone numbers (:func:`normalize_recipient`): spaces, dashes, dots and parentheses are dropped; a
leading ``+`` or ``00`` marks the international format; without either, a number of exactly 11
digits starting with ``8`` is a Russian domestic number and its ``8`` becomes ``7``
(``8 999 123-45-67`` → ``79991234567``; numbers of countries +8x must therefore be written with
``+`` or ``00``).  The result must not start with ``0`` (no country code) and must have
:data:`MIN_NUMBER_DIGITS` to :data:`MAX_NUMBER_DIGITS` digits (E.164); it is returned without
``+``, TON 1 (international), NPI 1 (E.164).

Senders (:func:`normalize_sender`) are an international number, a short code or an
alphanumeric sender ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import AddressError

__all__ = [
    "MAX_NUMBER_DIGITS",
    "MAX_SENDER_LENGTH",
    "MIN_NUMBER_DIGITS",
    "Address",
    "Npi",
    "Ton",
    "normalize_recipient",
    "normalize_sender",
]

MIN_NUMBER_DIGITS: Final = 8
"""Fewest digits of an international number (country code included), e.g. +298 123456."""

MAX_NUMBER_DIGITS: Final = 15
"""Most digits of an international number (E.164)."""

MAX_SENDER_LENGTH: Final = 11
"""Alphanumeric sender IDs carry at most 11 GSM characters."""

MIN_SHORT_CODE_DIGITS: Final = 3
MAX_SHORT_CODE_DIGITS: Final = 8


class Ton(IntEnum):
    """SMPP type of number."""

    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER = 4
    ALPHANUMERIC = 5
    ABBREVIATED = 6


class Npi(IntEnum):
    """SMPP numbering plan indicator."""

    UNKNOWN = 0
    ISDN = 1


@dataclass(frozen=True, slots=True)
class Address:
    """An SMPP address: ``addr`` (no ``+``) with its TON and NPI."""

    addr: str
    ton: int
    npi: int


_DIGITS: Final = frozenset("0123456789")
_SEPARATORS: Final = frozenset(" \t\u00a0\u202f-\u2010\u2011\u2012\u2013\u2014().")
_SENDER_CHARACTERS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()*+,-./:;<=>?@_"
)
"""Printable ASCII characters of the GSM basic table (no escapes) allowed in a sender name."""


def _describe(char: str) -> str:
    """Show a character in an error message; invisible ones as ``U+XXXX``."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def _international_digits(number: str, *, shown: str) -> str:
    """Apply the phone-number rule of the module docstring; return the digits."""
    compact = "".join(char for char in number.strip() if char not in _SEPARATORS)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits or any(char not in _DIGITS for char in digits):
        raise AddressError("invalid_phone_number", number=shown)
    if not plus:
        if digits.startswith("00"):
            digits = digits[2:]
        elif len(digits) == 11 and digits.startswith("8"):
            digits = "7" + digits[1:]
    if not digits or digits.startswith("0"):
        raise AddressError("phone_number_no_country_code", number=shown)
    if not MIN_NUMBER_DIGITS <= len(digits) <= MAX_NUMBER_DIGITS:
        raise AddressError(
            "phone_number_length",
            number=shown,
            digits=len(digits),
            min_digits=MIN_NUMBER_DIGITS,
            max_digits=MAX_NUMBER_DIGITS,
        )
    return digits


def normalize_recipient(number: str) -> Address:
    """Normalise a recipient phone number (rule in the module docstring).

    ``"+7 (999) 123-45-67"`` and ``"8 999 123 45 67"`` both give
    ``Address("79991234567", ton=1, npi=1)``.

    Raises:
        AddressError: ``invalid_phone_number``, ``phone_number_no_country_code`` or
            ``phone_number_length``.

    """
    digits = _international_digits(number, shown=number.strip())
    return Address(digits, Ton.INTERNATIONAL, Npi.ISDN)


def normalize_sender(sender: str) -> Address:
    """Normalise a sender (``source_addr``).

    * Only digits, separators and a leading ``+``: a number.  With ``+``, or more than
      :data:`MAX_SHORT_CODE_DIGITS` digits, it is an international number normalised like a
      recipient (TON 1, NPI 1); otherwise a short code of 3..8 digits (TON 3 network-specific,
      NPI 0).
    * Anything else: an alphanumeric sender ID (TON 5, NPI 0) of at most 11 printable ASCII
      characters of the GSM basic table (letters, digits, space and ``!"#$%&'()*+,-./:;<=>?@_``)
      with at least one Latin letter; surrounding spaces are dropped.

    Raises:
        AddressError: ``invalid_sender``, ``invalid_sender_character``, ``sender_too_long``,
            ``invalid_short_code`` or a phone-number key.

    """
    name = sender.strip()
    if not name:
        raise AddressError("invalid_sender", sender=name)
    numeric = all(char in _DIGITS or char in _SEPARATORS for char in name.removeprefix("+"))
    if numeric and any(char in _DIGITS for char in name):
        digits = "".join(char for char in name if char in _DIGITS)
        if name.startswith("+") or len(digits) > MAX_SHORT_CODE_DIGITS:
            return Address(_international_digits(name, shown=name), Ton.INTERNATIONAL, Npi.ISDN)
        if len(digits) < MIN_SHORT_CODE_DIGITS:
            raise AddressError(
                "invalid_short_code",
                sender=name,
                min_digits=MIN_SHORT_CODE_DIGITS,
                max_digits=MAX_SHORT_CODE_DIGITS,
            )
        return Address(digits, Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)
    for char in name:
        if char not in _SENDER_CHARACTERS:
            raise AddressError("invalid_sender_character", sender=name, character=_describe(char))
    if len(name) > MAX_SENDER_LENGTH:
        raise AddressError(
            "sender_too_long", sender=name, length=len(name), max_length=MAX_SENDER_LENGTH
        )
    if not any(char.isascii() and char.isalpha() for char in name):
        raise AddressError("invalid_sender", sender=name)
    return Address(name, Ton.ALPHANUMERIC, Npi.UNKNOWN)
