"""Join one SMPP session to Home Assistant: state, sending, tracking and what SMSC sends back."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
import logging
import time
from typing import Any, Final

from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import (
    CONF_LATIN1,
    CONF_MAX_PARTS,
    CONF_PHONE_NUMBER,
    CONF_SENDER,
    CONF_SUBMIT_WINDOW,
    CONF_USE_MESSAGE_PAYLOAD,
    CONF_USE_TLS,
    DEFAULT_MAX_PARTS,
    DEFAULT_SUBMIT_WINDOW,
    EVENT_DELIVERY_REPORT,
    EVENT_HLR_RESULT,
    EVENT_MESSAGE_RECEIVED,
)
from .smpp.compose import (
    Address,
    ComposedMessage,
    Encoding,
    MessageKind,
    MessageRequest,
    compose,
    normalize_recipient,
    normalize_sender,
)
from .smpp.errors import SmscRequestError
from .smpp.guard import SendGuard
from .smpp.receipts import (
    DeliveryReceipt,
    DeliveryState,
    FailureTally,
    HlrResult,
    IncomingMessage,
    UnparsedReport,
    normalize_message_id,
)
from .smpp.session import (
    ConnectionLost,
    NotConnected,
    Received,
    SessionClosed,
    SessionConfig,
    SessionState,
    SmppError,
    SmppSession,
    SubmitRefused,
    SubmitTimeout,
)

_LOGGER = logging.getLogger(__name__)

# Overridable by tests, which want reconnects in milliseconds rather than seconds.
SESSION_TUNING: dict[str, float] = {}

_UDH_REFERENCES: Final = 256
PENDING: Final = "pending"

_SESSION_ERROR_CODES: Final[dict[type[SmppError], str]] = {
    ConnectionLost: "connection_lost",
    NotConnected: "not_connected",
    SessionClosed: "session_closed",
    SubmitTimeout: "submit_timeout",
}


@dataclass(slots=True)
class RecipientResult:
    """What happened to one recipient of a send request."""

    recipient: str
    message_ids: list[str] = field(default_factory=list)
    parts: int = 0
    error: str | None = None
    error_code: str | None = None
    refusal: SmscRequestError | None = None
    delivery_state: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Shape used in action responses."""
        result: dict[str, Any] = {"recipient": self.recipient, "success": self.error is None}
        if self.error is None:
            result["message_ids"] = list(self.message_ids)
            result["parts"] = self.parts
            if self.delivery_state is not None:
                result["delivery_state"] = self.delivery_state
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
class TrackedMessage:
    """A sent message a receipt can be attributed to."""

    recipient: str
    kind: MessageKind
    sent_at: float
    state: DeliveryState | None = None


class MessageTracker:
    """Message id → what was sent, bounded in size and age (oldest dropped first)."""

    def __init__(
        self,
        *,
        max_size: int = 50_000,
        max_age: float = 3 * 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._messages: OrderedDict[str, TrackedMessage] = OrderedDict()
        self._max_size = max_size
        self._max_age = max_age
        self._clock = clock

    def __len__(self) -> int:
        return len(self._messages)

    def add(self, message_id: str, recipient: str, kind: MessageKind) -> TrackedMessage:
        """Track a message id as SMSC returned it."""
        now = self._clock()
        tracked = TrackedMessage(recipient, kind, now)
        key = normalize_message_id(message_id, hint="decimal")
        self._messages[key] = tracked
        self._messages.move_to_end(key)
        self._prune(now)
        return tracked

    def find(self, keys: Iterable[str]) -> TrackedMessage | None:
        """The message under the first of a receipt's candidate keys that is tracked."""
        for key in keys:
            if (tracked := self._messages.get(key)) is not None:
                return tracked
        return None

    def _prune(self, now: float) -> None:
        messages = self._messages
        while len(messages) > self._max_size:
            messages.popitem(last=False)
        while messages:
            oldest = next(iter(messages.values()))
            if now - oldest.sent_at <= self._max_age:
                break
            messages.popitem(last=False)


@dataclass(slots=True)
class RecipientStatus:
    """What SMSC last told about one recipient."""

    delivery_state: DeliveryState | None = None
    delivery_at: datetime | None = None
    hlr: HlrResult | None = None


def session_config(entry: ConfigEntry) -> SessionConfig:
    """Build the session settings from a config entry."""
    data = entry.data
    return SessionConfig(
        host=data[CONF_HOST],
        port=int(data[CONF_PORT]),
        login=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        use_tls=bool(data.get(CONF_USE_TLS, False)),
        latin1=bool(data.get(CONF_LATIN1, False)),
        submit_window=int(entry.options.get(CONF_SUBMIT_WINDOW, DEFAULT_SUBMIT_WINDOW)),
        **SESSION_TUNING,
    )


type EventListener = Callable[[str, dict[str, Any]], None]


class SmscHub:
    """One SMSC account: its session, its listeners and its sends."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.counters = HubCounters()
        self.guard = SendGuard()
        self.tracker = MessageTracker()
        self.recipients: dict[str, RecipientStatus] = {}
        self.session = SmppSession(
            session_config(entry),
            loop=hass.loop,
            on_state=self._on_session_state,
            on_deliver=self._on_deliver,
        )
        self._listeners: list[CALLBACK_TYPE] = []
        # The YAML notify services of this account, unregistered when it unloads.
        self.legacy_notify_services: list[BaseNotificationService] = []
        self._event_listeners: list[EventListener] = []
        self._recipient_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._delivery_waiters: dict[int, tuple[set[str], asyncio.Future[DeliveryState]]] = {}
        self._failures = FailureTally()
        self._reference = 0
        self._default_sender: Address | None = (
            normalize_sender(entry.data[CONF_SENDER]) if entry.data.get(CONF_SENDER) else None
        )

    @property
    def connected(self) -> bool:
        """Whether the session is bound right now."""
        return self.session.state is SessionState.BOUND

    async def async_start(self) -> None:
        """Bind; raises the session's CannotConnect or AuthenticationFailed."""
        await self.session.start()

    async def async_stop(self, *_: Any) -> None:
        """Unbind and stop the session's thread."""
        await self.session.close()
        for _ids, waiter in self._delivery_waiters.values():
            waiter.cancel()

    # --- listeners ------------------------------------------------------------------------

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the session state or the counters change."""
        return _subscribe(self._listeners, update)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener(event_type, data)` for every event the hub fires."""
        return _subscribe(self._event_listeners, listener)

    @callback
    def async_add_recipient_listener(self, phone: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when SMSC reports about this recipient."""
        return _subscribe(self._recipient_listeners.setdefault(phone, []), update)

    @callback
    def _notify_listeners(self) -> None:
        for update in list(self._listeners):
            update()

    # --- session callbacks ----------------------------------------------------------------

    @callback
    def _on_session_state(self, state: SessionState) -> None:
        _LOGGER.debug("SMSC session %s: %s", self.entry.title, state)
        if state is SessionState.AUTH_FAILED:
            self.entry.async_start_reauth(self.hass)
        self._notify_listeners()

    @callback
    def _on_deliver(self, received: Received) -> None:
        if isinstance(received, HlrResult):
            self._on_hlr_result(received)
        elif isinstance(received, DeliveryReceipt):
            self._on_delivery_receipt(received)
        elif isinstance(received, IncomingMessage):
            self._on_incoming(received)
        elif isinstance(received, UnparsedReport):
            self.counters.unparsed_reports += 1
            level = logging.WARNING if self._failures.record(received.reason) else logging.DEBUG
            _LOGGER.log(level, "Could not parse a report from SMSC (%s): %r", *_unparsed(received))

    def _on_delivery_receipt(self, receipt: DeliveryReceipt) -> None:
        self.counters.delivery_reports += 1
        tracked = self.tracker.find(receipt.lookup_keys)
        if tracked is None:
            self.counters.unmatched_reports += 1
        else:
            tracked.state = receipt.state
        recipient = tracked.recipient if tracked else None
        self._fire(
            EVENT_DELIVERY_REPORT,
            {
                "message_id": receipt.message_id,
                "recipient": recipient,
                "kind": tracked.kind.value if tracked else None,
                "status": receipt.stat,
                "state": receipt.state.value,
                "error_code": receipt.error_code,
                "submit_date": _iso(receipt.submit_date),
                "done_date": _iso(receipt.done_date),
            },
        )
        if recipient is not None:
            status = self.recipients.setdefault(recipient, RecipientStatus())
            status.delivery_state = receipt.state
            status.delivery_at = receipt.done_date or dt_util.utcnow()
            self._notify_recipient(recipient)
        if receipt.state.is_final:
            self._resolve_waiters(receipt.lookup_keys, receipt.state)

    def _on_hlr_result(self, result: HlrResult) -> None:
        self.counters.delivery_reports += 1
        tracked = self.tracker.find(result.lookup_keys)
        recipient = tracked.recipient if tracked else None
        if tracked is not None:
            tracked.state = result.state
        self._fire(
            EVENT_HLR_RESULT,
            {
                "message_id": result.message_id,
                "recipient": recipient,
                "status": result.stat,
                "state": result.state.value,
                "reachable": result.state is DeliveryState.DELIVERED,
                "error_code": result.error_code,
                "imsi": result.imsi,
                "msc": result.msc,
                "mcc": result.mcc,
                "mnc": result.mnc,
                "country": result.country,
                "network": result.network,
                "roaming_country": result.roaming_country,
                "roaming_network": result.roaming_network,
                "roaming": result.roaming,
            },
        )
        if recipient is not None:
            self.recipients.setdefault(recipient, RecipientStatus()).hlr = result
            self._notify_recipient(recipient)
        self._resolve_waiters(result.lookup_keys, result.state)

    def _on_incoming(self, message: IncomingMessage) -> None:
        self.counters.incoming += 1
        self._fire(
            EVENT_MESSAGE_RECEIVED,
            {
                "sender": message.source,
                "recipient": message.destination,
                "text": message.text,
                "parts": message.parts,
                "timestamp": dt_util.utcnow().isoformat(),
            },
        )

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        self.hass.bus.async_fire(event_type, {"entry_id": self.entry.entry_id, **data})
        for listener in list(self._event_listeners):
            listener(event_type, data)

    def _notify_recipient(self, phone: str) -> None:
        for update in list(self._recipient_listeners.get(phone, ())):
            update()

    def _resolve_waiters(self, keys: Iterable[str], state: DeliveryState) -> None:
        wanted = set(keys)
        for ids, waiter in list(self._delivery_waiters.values()):
            if ids & wanted and not waiter.done():
                waiter.set_result(state)

    # --- sending --------------------------------------------------------------------------

    def compose(
        self, request: MessageRequest, *, encoding: Encoding = Encoding.AUTO
    ) -> ComposedMessage:
        """Turn a request into parts; raises ComposeError for input SMSC cannot take."""
        self._reference = (self._reference + 1) % _UDH_REFERENCES
        options = self.entry.options
        return compose(
            request,
            iso_bound=self.session.config.latin1,
            encoding=encoding,
            max_parts=int(options.get(CONF_MAX_PARTS, DEFAULT_MAX_PARTS)),
            use_message_payload=bool(options.get(CONF_USE_MESSAGE_PAYLOAD, False)),
            reference=self._reference,
        )

    def sender_address(self, sender: str | None) -> Address | None:
        """The source address: the call's sender, else the account's default."""
        if sender:
            return normalize_sender(sender)
        return self._default_sender

    def recipient_phones(self) -> dict[str, str]:
        """Subentry id → phone number of every recipient of this account."""
        return {
            subentry_id: subentry.data[CONF_PHONE_NUMBER]
            for subentry_id, subentry in self.entry.subentries.items()
            if CONF_PHONE_NUMBER in subentry.data
        }

    async def async_send(
        self,
        request: MessageRequest,
        recipients: Sequence[str],
        *,
        sender: str | None = None,
        encoding: Encoding = Encoding.AUTO,
        wait_for_delivery: float | None = None,
    ) -> list[RecipientResult]:
        """Send one request to each recipient; one recipient's failure never stops another.

        The text and the sender apply to every recipient, so a fault in them raises
        ComposeError before anything is sent. Numbers and SMSC's rate rules are checked per
        recipient, all before the first submit. With `wait_for_delivery`, each result waits
        that many seconds for the final delivery state (`pending` when none came).
        """
        source = self.sender_address(sender)
        composed = self.compose(request, encoding=encoding)
        results: list[RecipientResult] = []
        to_send: list[tuple[RecipientResult, Address]] = []
        seen: set[str] = set()
        for raw in recipients:
            result = RecipientResult(recipient=str(raw))
            try:
                address = normalize_recipient(str(raw))
            except SmscRequestError as err:
                _refuse(result, err)
                results.append(result)
                continue
            if address.addr in seen:  # the same number twice would be refused as a duplicate
                continue
            seen.add(address.addr)
            result.recipient = address.addr
            results.append(result)
            try:
                self.guard.check(address.addr, composed.text)
            except SmscRequestError as err:
                _refuse(result, err)
                continue
            to_send.append((result, address))
        await asyncio.gather(
            *(
                self._send_one(
                    result,
                    address,
                    source=source,
                    composed=composed,
                    kind=request.kind,
                    wait_for_delivery=wait_for_delivery,
                )
                for result, address in to_send
            )
        )
        self.counters.sent += sum(1 for result in results if result.error is None)
        self.counters.failed += sum(1 for result in results if result.error is not None)
        self._notify_listeners()
        return results

    async def _send_one(
        self,
        result: RecipientResult,
        destination: Address,
        *,
        source: Address | None,
        composed: ComposedMessage,
        kind: MessageKind,
        wait_for_delivery: float | None,
    ) -> None:
        base: dict[str, Any] = {
            "source_addr_ton": source.ton if source else 0,
            "source_addr_npi": source.npi if source else 0,
            "source_addr": source.addr if source else "",
            "dest_addr_ton": destination.ton,
            "dest_addr_npi": destination.npi,
            "destination_addr": destination.addr,
            "registered_delivery": 1,
        }
        ids: set[str] = set()
        waiter: asyncio.Future[DeliveryState] | None = None
        if wait_for_delivery:
            waiter = self.hass.loop.create_future()
            self._delivery_waiters[id(waiter)] = (ids, waiter)

        @callback
        def accepted(message_id: str) -> None:
            self.tracker.add(message_id, destination.addr, kind)
            ids.add(normalize_message_id(message_id, hint="decimal"))

        deadline = self.guard.parts_deadline()
        try:
            for part in composed.parts:
                try:
                    deadline.check(sent=len(result.message_ids), parts=len(composed.parts))
                    message_id = await self.session.submit(
                        {**base, **part.submit_kwargs()}, on_accepted=accepted
                    )
                except SubmitRefused as err:
                    _fail(result, f"SMSC refused the message: {err.description}", "smsc_refused")
                    return
                except SmppError as err:
                    _fail(result, str(err), _SESSION_ERROR_CODES.get(type(err), "smsc_error"))
                    return
                except SmscRequestError as err:
                    _refuse(result, err)
                    return
                result.message_ids.append(message_id)
            result.parts = len(composed.parts)
            self.guard.record(destination.addr, composed.text)
            if waiter is not None and wait_for_delivery:
                result.delivery_state = await _wait_state(waiter, wait_for_delivery)
        finally:
            if waiter is not None:
                self._delivery_waiters.pop(id(waiter), None)


async def _wait_state(waiter: asyncio.Future[DeliveryState], seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            return (await asyncio.shield(waiter)).value
    except TimeoutError:
        return PENDING


def _subscribe[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    listeners.append(listener)

    @callback
    def remove() -> None:
        listeners.remove(listener)

    return remove


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _unparsed(report: UnparsedReport) -> tuple[str, str]:
    return report.reason.value, report.raw


def _refuse(result: RecipientResult, err: SmscRequestError) -> None:
    result.error = str(err)
    result.error_code = err.translation_key
    result.refusal = err


def _fail(result: RecipientResult, message: str, code: str) -> None:
    result.error = message
    result.error_code = code


__all__ = ["HubCounters", "MessageTracker", "RecipientResult", "SmscHub", "session_config"]
