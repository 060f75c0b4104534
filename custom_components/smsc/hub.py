"""Join one SMPP session to Home Assistant: state, sending, counters and what SMSC sends back."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .const import CONF_LATIN1, CONF_SENDER, CONF_USE_TLS
from .smpp.compose import (
    Address,
    ComposedMessage,
    Encoding,
    MessageRequest,
    compose,
    normalize_recipient,
    normalize_sender,
)
from .smpp.errors import ComposeError, SmscRequestError
from .smpp.guard import SendGuard
from .smpp.session import (
    ConnectionLost,
    NotConnected,
    ReceivedPdu,
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

    def as_dict(self) -> dict[str, Any]:
        """Shape used in action responses."""
        if self.error is None:
            return {
                "recipient": self.recipient,
                "success": True,
                "message_ids": list(self.message_ids),
                "parts": self.parts,
            }
        result: dict[str, Any] = {
            "recipient": self.recipient,
            "success": False,
            "error": self.error,
            "error_code": self.error_code,
        }
        if self.message_ids:
            result["message_ids"] = list(self.message_ids)
        return result


@dataclass(slots=True)
class HubCounters:
    """Totals shown by the counter sensors."""

    sent: int = 0
    failed: int = 0


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
        **SESSION_TUNING,  # type: ignore[arg-type]
    )


class SmscHub:
    """One SMSC account: its session, its listeners and its sends."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.counters = HubCounters()
        self.guard = SendGuard()
        self.session = SmppSession(
            session_config(entry),
            loop=hass.loop,
            on_state=self._on_session_state,
            on_deliver=self._on_deliver,
        )
        self._listeners: list[CALLBACK_TYPE] = []
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

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the session state or the counters change."""
        self._listeners.append(update)

        @callback
        def remove() -> None:
            self._listeners.remove(update)

        return remove

    @callback
    def _notify_listeners(self) -> None:
        for update in list(self._listeners):
            update()

    @callback
    def _on_session_state(self, state: SessionState) -> None:
        _LOGGER.debug("SMSC session %s: %s", self.entry.title, state)
        if state is SessionState.AUTH_FAILED:
            self.entry.async_start_reauth(self.hass)
        self._notify_listeners()

    @callback
    def _on_deliver(self, pdu: ReceivedPdu) -> None:
        _LOGGER.debug("deliver_sm from %s (esm_class %s)", pdu.source_addr, pdu.esm_class)

    def compose(
        self, request: MessageRequest, *, encoding: Encoding = Encoding.AUTO
    ) -> ComposedMessage:
        """Turn a request into parts; raises ComposeError for input SMSC cannot take."""
        self._reference = (self._reference + 1) % _UDH_REFERENCES
        return compose(
            request,
            iso_bound=self.session.config.latin1,
            encoding=encoding,
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
    ) -> list[RecipientResult]:
        """Send one request to each recipient; one recipient's failure never stops another.

        The text and the sender apply to every recipient, so a fault in them raises
        ComposeError before anything is sent. Numbers and SMSC's rate rules are checked per
        recipient, all before the first submit.
        """
        source = self.sender_address(sender)
        composed = self.compose(request, encoding=encoding)
        results: list[RecipientResult] = []
        to_send: list[tuple[RecipientResult, Address]] = []
        for raw in recipients:
            result = RecipientResult(recipient=str(raw))
            results.append(result)
            try:
                address = normalize_recipient(str(raw))
                result.recipient = address.addr
                self.guard.check(address.addr, composed.text)
            except SmscRequestError as err:
                _refuse(result, err)
                continue
            to_send.append((result, address))
        await asyncio.gather(
            *(self._send_one(result, address, source, composed) for result, address in to_send)
        )
        self.counters.sent += sum(1 for result in results if result.error is None)
        self.counters.failed += sum(1 for result in results if result.error is not None)
        self._notify_listeners()
        return results

    async def _send_one(
        self,
        result: RecipientResult,
        destination: Address,
        source: Address | None,
        composed: ComposedMessage,
    ) -> None:
        base = {
            "source_addr_ton": source.ton if source else 0,
            "source_addr_npi": source.npi if source else 0,
            "source_addr": source.addr if source else "",
            "dest_addr_ton": destination.ton,
            "dest_addr_npi": destination.npi,
            "destination_addr": destination.addr,
            "registered_delivery": 1,
        }
        started = self.hass.loop.time()
        for part in composed.parts:
            params = {
                **base,
                "esm_class": part.esm_class,
                "data_coding": part.data_coding,
                "short_message": part.short_message,
            }
            if part.message_payload is not None:
                params["message_payload"] = part.message_payload
            try:
                if result.message_ids:
                    self.guard.check_parts_deadline(
                        started, sent=len(result.message_ids), parts=len(composed.parts)
                    )
                message_id = await self.session.submit(params)
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


def _refuse(result: RecipientResult, err: SmscRequestError) -> None:
    result.error = str(err)
    result.error_code = err.translation_key
    result.refusal = err


def _fail(result: RecipientResult, message: str, code: str) -> None:
    result.error = message
    result.error_code = code


__all__ = ["ComposeError", "HubCounters", "RecipientResult", "SmscHub", "session_config"]
