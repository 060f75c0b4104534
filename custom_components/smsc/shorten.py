"""Shorten a text with an ellipsis until it fits the account's maximum number of SMS parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

# "…" is no GSM character: on a text that would go as GSM it turns the whole message into
# UCS-2 (70 instead of 160 characters a part), so there "..." keeps more of the text.
ELLIPSES: Final = ("…", "...")
# A cut inside a word moves back to the word's start when that loses at most this much.
MAX_WORD_BACKOFF: Final = 20
# Dropped before the ellipsis: "включено,…" reads worse than "включено…".
_TRAILING: Final = " \t\r\n,;:-\u2013\u2014"  # also the en and em dash


def shorten_to_fit(text: str, fits: Callable[[str], bool]) -> str:
    """The text itself when it fits, else its longest start that fits with an ellipsis.

    ``fits`` composes a text as the account would send it (one SMS always holds "…"). Of the two
    ellipses the one that keeps more of the text wins, "…" when they keep as much.
    """
    if fits(text):
        return text
    best_kept, best = -1, ELLIPSES[0]
    for ellipsis in ELLIPSES:
        if not fits(ellipsis):
            continue
        kept = _cut(text, _longest_start(text, ellipsis, fits))
        if len(kept) > best_kept:
            best_kept, best = len(kept), kept + ellipsis
    return best


def _longest_start(text: str, ellipsis: str, fits: Callable[[str], bool]) -> int:
    """How many characters of the text fit before the ellipsis (a binary search)."""
    low, high = 0, len(text) - 1  # the whole text does not fit
    while low < high:
        middle = (low + high + 1) // 2
        if fits(_cut(text, middle) + ellipsis):
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str, length: int) -> str:
    """The first `length` characters, back to a word's start when the cut splits a word."""
    head = text[:length]
    if length < len(text) and not text[length].isspace():
        space = head.rfind(" ")
        if space > 0 and length - space <= MAX_WORD_BACKOFF:
            head = head[:space]
    return head.rstrip(_TRAILING)
