"""Fan what SMSC sends back out to Home Assistant: events, recipient states, waiting callers."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
import logging
from typing import Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PHONE_NUMBER,
    CONF_SENDER,
    EVENT_DELIVERY_REPORT,
    EVENT_HLR_RESULT,
    EVENT_MESSAGE_RECEIVED,
)
from .delivery_states import delivery_state
from .models import AssistMessage, HubCounters, RecipientStatus
from .recipients import find_recipient, recipient_device_id
from .smpp.address import normalize_sender
from .smpp.compose import MessageKind
from .smpp.config import Received
from .smpp.errors import AddressError
from .smpp.incoming import IncomingMessage
from .smpp.outcomes import call_result, error_slug
from .smpp.receipts import DeliveryReceipt, DeliveryState, HlrResult, UnparsedReport
from .smpp.tally import FailureTally
from .tracking import DeliveryWaiters, MessageTracker, TrackedMessage

_LOGGER = logging.getLogger(__name__)

type EventListener = Callable[[str, dict[str, Any]], None]

VIRTUAL_NUMBERS_KEPT: Final = 16
"""Most numbers remembered as the account's own (written to by incoming messages)."""


class ReplyTaker(Protocol):
    """Who takes the replies that acknowledge an alarm: the account's escalations."""

    def take_reply(self, number: str, text: str) -> bool:
        """Whether the message acknowledged a running escalation (then Assist never sees it)."""


class QuestionScreen(Protocol):
    """Who answers recipients' messages: the account's Assist."""

    def screen(
        self, message: IncomingMessage, recipient: ConfigSubentry, device_id: str | None
    ) -> AssistMessage | None:
        """Decide about a recipient's message before its event fires; None: not for Assist."""

    def respond(self, message: AssistMessage) -> None:
        """Act on a screened message once its event has fired."""


class ReportFanOut:
    """Turn each report SMSC sends into an event, a recipient's state and resolved waiters."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        counters: HubCounters,
        tracker: MessageTracker,
        waiters: DeliveryWaiters,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._entry_id = entry.entry_id
        self._counters = counters
        self._tracker = tracker
        self._waiters = waiters
        # Phone number → what SMSC last reported, for the account's recipients only: a report
        # about any other number has no entity to show it, and keeping it would grow without end.
        self.recipients: dict[str, RecipientStatus] = {}
        self._event_listeners: list[EventListener] = []
        self._recipient_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._failures = FailureTally()
        # The numbers incoming messages were written to: the account's virtual numbers. A
        # message from one of them is the account talking to itself, never a question.
        self._virtual_numbers: OrderedDict[str, None] = OrderedDict()
        # Set by the hub: takes the messages of recipients who may talk to Assist.
        self.assist: QuestionScreen | None = None
        # Set by the hub: takes the replies that acknowledge an alarm.
        self.escalations: ReplyTaker | None = None

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener(event_type, data)` for every event fired."""
        return subscribe(self._event_listeners, listener)

    @callback
    def async_add_recipient_listener(self, phone: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when SMSC reports about this recipient."""
        return subscribe(self._recipient_listeners.setdefault(phone, []), update)

    @callback
    def handle(self, received: Received) -> None:
        """Act on one report or message the session parsed."""
        if isinstance(received, HlrResult):
            self._on_hlr_result(received)
        elif isinstance(received, DeliveryReceipt):
            self._on_delivery_receipt(received)
        elif isinstance(received, IncomingMessage):
            self._on_incoming(received)
        elif isinstance(received, UnparsedReport):
            self._counters.unparsed_reports += 1
            # The content stays at debug: a report's text names numbers and what was sent.
            if self._failures.record(received.reason):
                _LOGGER.warning(
                    "Could not parse a report from SMSC (%s); debug logging shows its content",
                    received.reason.value,
                )
            _LOGGER.debug(
                "Could not parse a report from SMSC (%s): %r", received.reason.value, received.raw
            )

    def _on_delivery_receipt(self, receipt: DeliveryReceipt) -> None:
        self._counters.delivery_reports += 1
        tracked = self._tracker.find(receipt.lookup_keys)
        if tracked is None:
            self._counters.unmatched_reports += 1
        else:
            tracked.state = receipt.state
            tracked.error_code = receipt.error_code
        recipient, subentry, matched_by = self._match(tracked, receipt.source)
        is_call = tracked is not None and tracked.kind is MessageKind.CALL
        outcome = call_result(receipt.state, receipt.error_code) if is_call else None
        extra: dict[str, Any] = {}
        if is_call:
            extra["call_result"] = outcome
        if (error := error_slug(receipt.error_code)) is not None:
            extra["error"] = error
        self._fire(
            EVENT_DELIVERY_REPORT,
            {
                "message_id": receipt.message_id,
                "recipient": recipient,
                "device_id": self._device_id(subentry),
                "kind": tracked.kind.value if tracked else None,
                "status": receipt.stat,
                "state": delivery_state(receipt.state),
                "error_code": receipt.error_code,
                "submit_date": _iso(receipt.submit_date),
                "done_date": _iso(receipt.done_date),
                "matched_by": matched_by,
                **extra,
            },
        )
        if recipient is not None and subentry is not None:
            status = self.recipients.setdefault(recipient, RecipientStatus())
            status.delivery_state = receipt.state
            status.delivery_at = receipt.done_date or dt_util.utcnow()
            if outcome is not None:
                status.call_result = outcome
                status.call_error_code = receipt.error_code or None
            self._notify_recipient(recipient)
        if receipt.state.is_final:
            self._waiters.resolve(receipt.lookup_keys, receipt.state)

    def _on_hlr_result(self, result: HlrResult) -> None:
        self._counters.delivery_reports += 1
        tracked = self._tracker.find(result.lookup_keys)
        if tracked is not None:
            tracked.state = result.state
        recipient, subentry, matched_by = self._match(tracked, result.source)
        # No IMSI or MSC (which SIM card a recipient uses and which switch the phone is on):
        # bus events reach the recorder's events table and event entities its states, and
        # both reach every backup. Network, country and roaming are what automations use.
        self._fire(
            EVENT_HLR_RESULT,
            {
                "message_id": result.message_id,
                "recipient": recipient,
                "device_id": self._device_id(subentry),
                "status": result.stat,
                "state": delivery_state(result.state),
                "reachable": result.state is DeliveryState.DELIVERED,
                "error_code": result.error_code,
                "mcc": result.mcc,
                "mnc": result.mnc,
                "country": result.country,
                "network": result.network,
                "roaming_country": result.roaming_country,
                "roaming_network": result.roaming_network,
                "roaming": result.roaming,
                "matched_by": matched_by,
            },
        )
        if recipient is not None and subentry is not None:
            self.recipients.setdefault(recipient, RecipientStatus()).hlr = result
            self._notify_recipient(recipient)
        self._waiters.resolve(result.lookup_keys, result.state)

    def _on_incoming(self, message: IncomingMessage) -> None:
        self._counters.incoming += 1
        sender = self._recipient_of(message.source)
        device_id = self._device_id(sender)
        data: dict[str, Any] = {
            "sender": message.source,
            "recipient": message.destination,
            "device_id": device_id,
            "text": message.text,
            "parts": message.parts,
            "timestamp": dt_util.utcnow().isoformat(),
        }
        # A reply that acknowledges an alarm is no question for Assist.
        acknowledged = self.escalations is not None and self.escalations.take_reply(
            message.source, message.text
        )
        # Answering the account's own sender or virtual number would answer our own answers:
        # a loop of paid SMS up to the hourly cap.
        from_account = self._is_own_address(message.source)
        self._remember_virtual_number(message.destination)
        for_assist = (
            self.assist.screen(message, sender, device_id)
            if self.assist is not None
            and sender is not None
            and not acknowledged
            and not from_account
            else None
        )
        if for_assist is not None:
            # Its text without the PIN, which must reach no event, attribute or log.
            data.update(for_assist.event_fields())
        self._fire(EVENT_MESSAGE_RECEIVED, data)
        if for_assist is not None and self.assist is not None:
            self.assist.respond(for_assist)

    def _match(
        self, tracked: TrackedMessage | None, source: str
    ) -> tuple[str | None, ConfigSubentry | None, str | None]:
        """Whom a report is about: the recipient, its subentry, and what matched it.

        By the message id when it is tracked; else by the report's source address, where
        SMSC puts the recipient's number, when that is one of the account's recipients.
        """
        if tracked is not None:
            return tracked.recipient, self._recipient_of(tracked.recipient), "message_id"
        if source and (subentry := self._recipient_of(source)) is not None:
            return subentry.data[CONF_PHONE_NUMBER], subentry, "number"
        return None, None, None

    def _is_own_address(self, address: str) -> bool:
        """Whether a source address is the account's sender or one of its virtual numbers."""
        key = _address_key(address)
        own_sender = self._entry.data.get(CONF_SENDER)
        return key in self._virtual_numbers or (
            bool(own_sender) and key == _address_key(str(own_sender))
        )

    def _remember_virtual_number(self, destination: str) -> None:
        if not destination:
            return
        key = _address_key(destination)
        self._virtual_numbers[key] = None
        self._virtual_numbers.move_to_end(key)
        while len(self._virtual_numbers) > VIRTUAL_NUMBERS_KEPT:
            self._virtual_numbers.popitem(last=False)

    def _recipient_of(self, number: str | None) -> ConfigSubentry | None:
        """The account's recipient with this number, if it is one."""
        return find_recipient(self._entry, number) if number is not None else None

    def _device_id(self, recipient: ConfigSubentry | None) -> str | None:
        return recipient_device_id(self._hass, self._entry, recipient) if recipient else None

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        self._hass.bus.async_fire(event_type, {"entry_id": self._entry_id, **data})
        for listener in list(self._event_listeners):
            listener(event_type, data)

    def _notify_recipient(self, phone: str) -> None:
        for update in list(self._recipient_listeners.get(phone, ())):
            update()


def subscribe[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    """Add a listener to a list; returns the callback that removes it."""
    listeners.append(listener)

    @callback
    def remove() -> None:
        listeners.remove(listener)

    return remove


def _address_key(address: str) -> str:
    """An address as compared: a number in its one written form, a name without case."""
    try:
        return normalize_sender(address).addr.lower()
    except AddressError:
        return address.strip().lower()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
