"""How SMSC reads a message's kind and extras out of its text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

COMMENT_MARKER: Final = "\n~~~\n"

# Checked in order; each prefix is followed by a colon and (normally) one space.
_PREFIXED_KINDS: Final = (
    ("__CALL__:", "call"),
    ("__VIBER__:", "viber"),
    ("__MMS__:", "mms"),
    ("__MAIL__:", "mail"),
    ("__SOC__:", "soc"),
)
# Requests whose text is just the keyword.
_KEYWORD_KINDS: Final = (("__HLR__", "hlr"), ("__PING__", "ping"))

KINDS: Final = ("sms", "call", "viber", "mms", "mail", "soc", "hlr", "ping")


@dataclass(frozen=True, slots=True)
class ParsedText:
    kind: str
    body: str
    voice: str | None = None
    subject: str | None = None
    param: str | None = None
    comment: str | None = None


def _trailing_field(head: str, name: str) -> tuple[str, str | None]:
    """Split ``<body>\\n<name>:<value>`` when that line is the last one."""
    key = f"\n{name}:"
    index = head.rfind(key)
    if index < 0:
        return head, None
    value = head[index + len(key) :]
    if "\n" in value:
        # Not the final line, so it is part of the message, not the field SMSC looks for.
        return head, None
    return head[:index], value


def parse_text(text: str) -> ParsedText:
    """Split a complete message text into kind, body and the extras SMSC reads from it.

    Kinds come from the prefix (``__CALL__: ``, ``__VIBER__: ``, ``__MMS__: ``, ``__MAIL__: ``,
    ``__SOC__: ``, ``__HLR__``, ``__PING__``); anything else is an SMS. The space after the
    colon is optional here.

    The first ``\\n~~~\\n`` starts the tail. For every kind except calls the whole tail is the
    *comment*. For a call SMSC documents the tail as the call's *param*, so the first tail is
    ``param``; if the tail itself contains a second marker, the text after that second marker is
    the ``comment``. A call therefore cannot carry a comment without a param (an empty param,
    ``\\n~~~\\n\\n~~~\\n<comment>``, works).

    ``voice`` (calls) and ``subject`` (``subj:``, MMS and e-mail) are read from the last line
    of the part before the marker and removed from ``body``.
    """
    for keyword, kind in _KEYWORD_KINDS:
        if text.startswith(keyword):
            rest = text[len(keyword) :]
            head, sep, tail = rest.partition(COMMENT_MARKER)
            return ParsedText(kind, head.strip(), comment=tail if sep else None)

    kind = "sms"
    rest = text
    for prefix, prefixed_kind in _PREFIXED_KINDS:
        if text.startswith(prefix):
            kind = prefixed_kind
            rest = text[len(prefix) :].removeprefix(" ")
            break

    head, sep, tail = rest.partition(COMMENT_MARKER)
    param: str | None = None
    comment: str | None = None
    if sep:
        if kind == "call":
            param, sep2, second = tail.partition(COMMENT_MARKER)
            comment = second if sep2 else None
        else:
            comment = tail

    voice: str | None = None
    subject: str | None = None
    if kind == "call":
        head, voice = _trailing_field(head, "voice")
    elif kind in ("mms", "mail"):
        head, subject = _trailing_field(head, "subj")
    return ParsedText(kind, head, voice=voice, subject=subject, param=param, comment=comment)
