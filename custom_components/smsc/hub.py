"""One SMSC account in Home Assistant: the session, and the parts that send and receive over it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
import logging
from typing import Any

from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util.ssl import client_context

from .assist import AssistResponder
from .const import (
    CONF_LATIN1,
    CONF_MAX_RATE,
    CONF_PHONE_NUMBER,
    CONF_SENDER,
    CONF_SUBMIT_WINDOW,
    CONF_USE_TLS,
    DEFAULT_MAX_RATE,
    DEFAULT_SUBMIT_WINDOW,
)
from .failures import async_report_partial_failure
from .models import HubCounters, RecipientResult, RecipientStatus
from .recipients import recipient_subentries
from .reports import EventListener, ReportFanOut, subscribe
from .sending import MessageSender
from .smpp.compose import Encoding, MessageRequest
from .smpp.config import SessionConfig
from .smpp.session import SessionState, SmppSession
from .tracking import DeliveryWaiters, MessageTracker

_LOGGER = logging.getLogger(__name__)


def session_config(data: Mapping[str, Any], options: Mapping[str, Any]) -> SessionConfig:
    """The session settings of an account's data and options."""
    return SessionConfig(
        host=data[CONF_HOST],
        port=int(data[CONF_PORT]),
        login=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        use_tls=bool(data.get(CONF_USE_TLS, False)),
        ssl_context=client_context() if data.get(CONF_USE_TLS) else None,
        latin1=bool(data.get(CONF_LATIN1, False)),
        max_rate=int(options.get(CONF_MAX_RATE, DEFAULT_MAX_RATE)),
        submit_window=int(options.get(CONF_SUBMIT_WINDOW, DEFAULT_SUBMIT_WINDOW)),
    )


class SmscHub:
    """One SMSC account: the one object the platforms, actions and diagnostics talk to."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.counters = HubCounters()
        self.tracker = MessageTracker()
        waiters = DeliveryWaiters(hass.loop)
        self._waiters = waiters
        self.reports = ReportFanOut(
            hass, entry, counters=self.counters, tracker=self.tracker, waiters=waiters
        )
        self.session = SmppSession(
            session_config(entry.data, entry.options),
            loop=hass.loop,
            on_state=self._on_session_state,
            on_deliver=self.reports.handle,
        )
        self.sender = MessageSender(
            self.session,
            options=lambda: entry.options,
            default_sender=entry.data.get(CONF_SENDER),
            counters=self.counters,
            tracker=self.tracker,
            waiters=waiters,
        )
        self.assist = AssistResponder(hass, entry, self)
        self.reports.assist = self.assist
        self._listeners: list[CALLBACK_TYPE] = []
        # An outage is logged once when the link drops and once when it is back, however many
        # reconnects fail in between; past the submit timeout it makes sending unavailable.
        self._outage = False
        self._outage_too_long = False
        self._cancel_outage_timer: CALLBACK_TYPE | None = None
        # The YAML notify services of this account, unregistered when it unloads.
        self.legacy_notify_services: list[BaseNotificationService] = []

    @property
    def connected(self) -> bool:
        """Whether the session is bound right now."""
        return self.session.state is SessionState.BOUND

    @property
    def can_send(self) -> bool:
        """Whether a message sent now can get through without the user stepping in.

        Not while SMSC refuses the login (re-authentication pending), nor once the link has
        been down for longer than a send would wait for it. A reconnect of a few seconds
        keeps it True: a send waits for the session to bind again.
        """
        return self.session.state is not SessionState.AUTH_FAILED and not self._outage_too_long

    @property
    def recipients(self) -> dict[str, RecipientStatus]:
        """Phone number → what SMSC last reported about it."""
        return self.reports.recipients

    async def async_start(self) -> None:
        """Bind; raises the session's CannotConnect or AuthenticationFailed."""
        await self.session.start()

    async def async_stop(self, *_: Any) -> None:
        """Unbind and stop the session's thread."""
        self.assist.cancel()
        self._stop_outage_timer()
        await self.session.close()
        self._waiters.cancel_all()

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the session state or the counters change."""
        return subscribe(self._listeners, update)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener(event_type, data)` for every event the hub fires."""
        return self.reports.async_add_event_listener(listener)

    @callback
    def async_add_recipient_listener(self, phone: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when SMSC reports about this recipient."""
        return self.reports.async_add_recipient_listener(phone, update)

    @callback
    def _notify_listeners(self) -> None:
        for update in list(self._listeners):
            update()

    @callback
    def _on_session_state(self, state: SessionState) -> None:
        _LOGGER.debug("SMSC session %s: %s", self.entry.title, state)
        if state is SessionState.BOUND:
            self._outage_ended()
        elif state is SessionState.DISCONNECTED:
            self._outage_began()
        elif state is SessionState.AUTH_FAILED:
            # Only a rebind after a drop can be refused (a refused first bind fails the
            # setup), so the drop was logged already; the session logs the refusal itself.
            self.entry.async_start_reauth(self.hass)
        self._notify_listeners()

    def _outage_began(self) -> None:
        if self._outage:
            return
        self._outage = True
        _LOGGER.info(
            "Connection to SMSC lost for %s (%s); reconnecting",
            self.entry.title,
            self.session.counters.last_error or "no reason given",
        )
        self._cancel_outage_timer = async_call_later(
            self.hass, self.session.config.submit_timeout, self._outage_outlasted_sends
        )

    def _outage_ended(self) -> None:
        if not self._outage:
            return
        self._outage = False
        self._outage_too_long = False
        self._stop_outage_timer()
        _LOGGER.info("Connection to SMSC restored for %s", self.entry.title)

    @callback
    def _outage_outlasted_sends(self, _now: datetime) -> None:
        self._cancel_outage_timer = None
        self._outage_too_long = True
        self._notify_listeners()

    def _stop_outage_timer(self) -> None:
        if self._cancel_outage_timer is not None:
            self._cancel_outage_timer()
            self._cancel_outage_timer = None

    def recipient_phones(self) -> dict[str, str]:
        """Subentry id → phone number of every recipient of this account."""
        return {
            subentry.subentry_id: subentry.data[CONF_PHONE_NUMBER]
            for subentry in recipient_subentries(self.entry)
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
        """Send one request to each recipient (see `MessageSender.async_send`).

        Each failed recipient of a send that reached others is logged and fired as
        `smsc_send_failed`: the caller gets no error for it.
        """
        results = await self.sender.async_send(
            request,
            recipients,
            sender=sender,
            encoding=encoding,
            wait_for_delivery=wait_for_delivery,
        )
        async_report_partial_failure(self.hass, self.entry, results)
        self._notify_listeners()
        return results
