"""The records the hub and its parts share: send results, counters, statuses, Assist messages.

Also the one way the hub's parts send (`SendRequest`): the hub hands them its `async_send`, so
none of them imports the hub.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from .smpp.compose import MessageRequest
from .smpp.errors import SmscRequestError, render_message
from .smpp.receipts import DeliveryState, HlrResult

# The delivery state of a result whose report did not come within `wait_for_delivery`.
PENDING: Final = "pending"


@dataclass(slots=True)
class RecipientResult:
    """What happened to one recipient of a send request."""

    recipient: str
    message_ids: list[str] = field(default_factory=list)
    parts: int = 0
    # English text, for the action response; `error_code` is its translation key.
    error: str | None = None
    error_code: str | None = None
    error_placeholders: dict[str, str] = field(default_factory=dict)
    refusal: SmscRequestError | None = None
    delivery_state: str | None = None
    # From the final report when the caller waited: how a call ended, and the err's slug.
    call_result: str | None = None
    delivery_error: str | None = None

    def refuse(self, err: SmscRequestError) -> None:
        """Record a refusal that carries its own translation key."""
        self.error = str(err)
        self.error_code = err.translation_key
        self.error_placeholders = dict(err.translation_placeholders)
        self.refusal = err

    def fail(self, code: str, **placeholders: str) -> None:
        """Record a failure of the session or of SMSC under its translation key."""
        self.error_placeholders = {"recipient": self.recipient, **placeholders}
        self.error = render_message(code, self.error_placeholders)
        self.error_code = code

    def as_dict(self) -> dict[str, Any]:
        """Shape used in action responses."""
        result: dict[str, Any] = {"recipient": self.recipient, "success": self.error is None}
        if self.error is None:
            result["message_ids"] = list(self.message_ids)
            result["parts"] = self.parts
            if self.delivery_state is not None:
                result["delivery_state"] = self.delivery_state
            if self.call_result is not None:
                result["call_result"] = self.call_result
            if self.delivery_error is not None:
                result["delivery_error"] = self.delivery_error
            return result
        result["error"] = self.error
        result["error_code"] = self.error_code
        if self.message_ids:
            result["message_ids"] = list(self.message_ids)
        return result


@dataclass(slots=True)
class HubCounters:
    """Totals shown by the counter sensors and diagnostics."""

    sent: int = 0
    failed: int = 0
    delivery_reports: int = 0
    unmatched_reports: int = 0
    unparsed_reports: int = 0
    incoming: int = 0


@dataclass(slots=True)
class RecipientStatus:
    """What SMSC last told about one recipient."""

    delivery_state: DeliveryState | None = None
    delivery_at: datetime | None = None
    hlr: HlrResult | None = None
    # How the last voice call to the recipient ended (smpp.outcomes), and SMSC's err for it.
    call_result: str | None = None
    call_error_code: int | None = None


class SendRequest(Protocol):
    """Send one request to each recipient, through the account's guards (`SmscHub.async_send`)."""

    async def __call__(
        self, request: MessageRequest, recipients: Sequence[str], *, sender: str | None = None
    ) -> list[RecipientResult]:
        """One result per recipient, in their order; raises SmscRequestError for bad input."""


class AssistResult(StrEnum):
    """What became of a message meant for Assist (`result` of ``smsc_assist_handled``)."""

    ANSWERED = "answered"  # the agent's own words were texted back
    FAILED = "failed"  # the agent raised or took too long: the apology was texted back
    RATE_LIMITED = "rate_limited"  # no answer: the sender had all answers of the hour
    NOT_LOADED = "conversation_not_loaded"  # no answer: Home Assistant has no conversation
    LOCKED_OUT = "locked_out"  # no answer for an hour: too many wrong PINs from this number


@dataclass(frozen=True, slots=True)
class AssistMessage:
    """An incoming message from a recipient allowed to talk to Assist, its PIN taken out."""

    name: str
    number: str
    device_id: str | None
    reply_from: str | None
    written_to: str
    text: str
    handed_over: bool
    # Decided at once when the message is not handed to the agent (None: nothing to report).
    result: AssistResult | None = None

    def event_fields(self) -> dict[str, Any]:
        """What ``smsc_message_received`` carries for it: never the PIN."""
        return {"text": self.text, "device_id": self.device_id, "assist": self.handed_over}
