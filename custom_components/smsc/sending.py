"""Send one request to many recipients: compose, check SMSC's rules, submit, wait for delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.core import callback

from .const import (
    CONF_MAX_PARTS,
    CONF_SMS_ENCODING,
    CONF_USE_MESSAGE_PAYLOAD,
    DEFAULT_MAX_PARTS,
    SMS_ENCODING_UCS2,
)
from .models import HubCounters, RecipientResult
from .smpp.address import Address, normalize_recipient, normalize_sender
from .smpp.compose import ComposedMessage, Encoding, MessageKind, MessageRequest, compose
from .smpp.errors import (
    ConnectionLost,
    NotConnected,
    SessionClosed,
    SmppError,
    SmscRequestError,
    SubmitRefused,
    SubmitTimeout,
    status_hex,
    status_name,
)
from .smpp.guard import SendGuard
from .smpp.outcomes import call_result, error_slug
from .smpp.receipts import normalize_message_id
from .smpp.session import SmppSession
from .tracking import DeliveryWaiters, MessageTracker, wait_state

_UDH_REFERENCES: Final = 256

_SESSION_ERROR_CODES: Final[dict[type[SmppError], str]] = {
    ConnectionLost: "connection_lost",
    NotConnected: "not_connected",
    SessionClosed: "session_closed",
    SubmitTimeout: "submit_timeout",
}


@dataclass(slots=True)
class _Turn:
    """The sends waiting for or holding one number's turn."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class MessageSender:
    """Sends an account's messages over its session, within SMSC's rules."""

    def __init__(
        self,
        session: SmppSession,
        *,
        options: Callable[[], Mapping[str, Any]],
        default_sender: str | None,
        counters: HubCounters,
        tracker: MessageTracker,
        waiters: DeliveryWaiters,
    ) -> None:
        self._session = session
        self._options = options
        self._counters = counters
        self._tracker = tracker
        self._waiters = waiters
        self.guard = SendGuard()
        self._turns: dict[str, _Turn] = {}
        self._reference = 0
        self._default_sender: Address | None = None
        self.set_default_sender(default_sender)

    def set_default_sender(self, default_sender: str | None) -> None:
        """Send from this sender when a call names none (None: SMSC's default for the login)."""
        self._default_sender = normalize_sender(default_sender) if default_sender else None

    def compose(
        self, request: MessageRequest, *, encoding: Encoding = Encoding.AUTO
    ) -> ComposedMessage:
        """Turn a request into parts; raises ComposeError for input SMSC cannot take.

        An SMS left to pick its encoding follows the account's `sms_encoding` option: an owner
        whose Latin SMS arrive garbled (a server reading GSM 7-bit as another alphabet) can
        send everything as UCS-2 without waiting for a release.
        """
        self._reference = (self._reference + 1) % _UDH_REFERENCES
        options = self._options()
        if (
            request.kind is MessageKind.SMS
            and encoding is Encoding.AUTO
            and options.get(CONF_SMS_ENCODING) == SMS_ENCODING_UCS2
        ):
            encoding = Encoding.UCS2
        return compose(
            request,
            iso_bound=self._session.config.latin1,
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
        recipient, the rules just before that recipient's submit. With `wait_for_delivery`,
        each result waits that many seconds for the final delivery state (`pending` when none
        came).
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
                result.refuse(err)
                results.append(result)
                continue
            if address.addr in seen:  # the same number twice would be refused as a duplicate
                continue
            seen.add(address.addr)
            result.recipient = address.addr
            results.append(result)
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
        self._counters.sent += sum(1 for result in results if result.error is None)
        self._counters.failed += sum(1 for result in results if result.error is not None)
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
        waiter = self._waiters.add(ids) if wait_for_delivery else None

        @callback
        def accepted(message_id: str) -> None:
            self._tracker.add(message_id, destination.addr, kind)
            ids.add(normalize_message_id(message_id, hint="decimal"))

        try:
            async with self._turn(destination.addr):
                if not await self._submit_parts(result, base, composed, accepted):
                    return
            if waiter is not None and wait_for_delivery:
                result.delivery_state = await wait_state(waiter, wait_for_delivery)
                self._add_report_outcome(result, ids, kind)
        finally:
            if waiter is not None:
                self._waiters.remove(waiter)

    def _add_report_outcome(
        self, result: RecipientResult, ids: set[str], kind: MessageKind
    ) -> None:
        """Put the final report's call result and error slug into the waited-for result."""
        tracked = self._tracker.find(ids)
        if tracked is None or tracked.state is None or not tracked.state.is_final:
            return
        if kind is MessageKind.CALL:
            result.call_result = call_result(tracked.state, tracked.error_code)
        result.delivery_error = error_slug(tracked.error_code)

    async def _submit_parts(
        self,
        result: RecipientResult,
        base: Mapping[str, Any],
        composed: ComposedMessage,
        accepted: Callable[[str], None],
    ) -> bool:
        """Check SMSC's rules, submit every part and record the send; False on a failure."""
        destination = str(base["destination_addr"])
        try:
            self.guard.check(destination, composed.text)
        except SmscRequestError as err:
            result.refuse(err)
            return False
        deadline = self.guard.parts_deadline()
        for part in composed.parts:
            try:
                deadline.check(sent=len(result.message_ids), parts=len(composed.parts))
                message_id = await self._session.submit(
                    {**base, **part.submit_kwargs()}, on_accepted=accepted
                )
            except SubmitRefused as err:
                result.fail(
                    "smsc_refused",
                    status=status_hex(err.status),
                    status_name=status_name(err.status),
                )
                return False
            except SmppError as err:
                result.fail(_SESSION_ERROR_CODES.get(type(err), "smsc_error"))
                return False
            except SmscRequestError as err:
                result.refuse(err)
                return False
            result.message_ids.append(message_id)
        result.parts = len(composed.parts)
        self.guard.record(destination, composed.text)
        return True

    @contextlib.asynccontextmanager
    async def _turn(self, number: str) -> AsyncIterator[None]:
        """One send at a time to a number, from the rules' check to the record of the send.

        Two sends of the same text at once would both pass the duplicate check, and SMSC
        would refuse the second; in turn, the second is refused here, with the reason. Sends
        to one number also keep their order. Forgotten once nobody waits for the number.
        """
        turn = self._turns.get(number)
        if turn is None:
            turn = self._turns[number] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[number]
