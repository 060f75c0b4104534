"""One SMSC account in Home Assistant: the session, and the parts that send and receive over it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    DOMAIN,
)
from .escalation import EscalationManager
from .failures import async_report_partial_failure
from .models import HubCounters, RecipientResult, RecipientStatus
from .persistence import HubStore
from .recipients import recipient_subentries
from .reports import EventListener, ReportFanOut, subscribe
from .sending import MessageSender
from .smpp.compose import Encoding, MessageRequest
from .smpp.config import SessionConfig
from .smpp.session import SessionState, SmppSession
from .tracking import DeliveryWaiters, MessageTracker

_LOGGER = logging.getLogger(__name__)

# What the session binds with: a change of any of them needs a new bind (the reload). The
# bind's system type follows `latin1`. Everything else an update changes applies live.
CONNECTION_KEYS: tuple[str, ...] = (
    CONF_HOST,
    CONF_PORT,
    CONF_USERNAME,
    CONF_PASSWORD,
    CONF_USE_TLS,
    CONF_LATIN1,
)


def connection_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of an account's data that the session binds with."""
    return {key: data.get(key) for key in CONNECTION_KEYS}


def recipients_signal(entry_id: str) -> str:
    """The dispatcher signal telling the platforms which recipients of an account changed."""
    return f"{DOMAIN}_{entry_id}_recipients"


@dataclass(frozen=True, slots=True)
class RecipientChanges:
    """Recipient subentries added, edited or removed since the hub last looked (by id)."""

    added: frozenset[str]
    edited: frozenset[str]
    removed: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.edited or self.removed)


def _recipient_settings(entry: ConfigEntry) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        subentry.subentry_id: (subentry.title, dict(subentry.data))
        for subentry in recipient_subentries(entry)
    }


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


type SmscConfigEntry = ConfigEntry[SmscHub]


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
        # Kept to tell an update that needs a new bind from one that applies live.
        self.connection_settings = connection_settings(entry.data)
        self._recipient_settings = _recipient_settings(entry)
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
        self.store = HubStore(hass, entry.entry_id, tracker=self.tracker, guard=self.sender.guard)
        self.tracker.on_change = self.store.schedule_save
        # The parts that send on their own get the hub's way to send, never the hub itself.
        self.assist = AssistResponder(
            hass, entry, send=self.async_send, compose=self.sender.compose
        )
        self.reports.assist = self.assist
        # Started once the session is bound (`async_setup_escalations`).
        self.escalations = EscalationManager(
            hass,
            entry,
            tracker=self.tracker,
            send=self.async_send,
            add_event_listener=self.async_add_event_listener,
        )
        self.reports.escalations = self.escalations
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
        # Assist's guards and PIN redaction are in place before the first message arrives.
        await self.assist.async_start()
        await self.store.async_load()
        await self.session.start()

    async def async_stop(self, *_: Any) -> None:
        """Unbind and stop the session's thread."""
        await self.assist.async_stop()
        self._stop_outage_timer()
        await self.session.close()
        self._waiters.release_all()
        await self.store.async_save()

    @callback
    def async_apply_options(self) -> None:
        """Apply the entry's options and default sender to the running session, at once.

        The encodings and the maximum parts are read from the options at each send, and
        Assist's agent and language at each answer; what is kept here is updated.
        """
        options = self.entry.options
        self.session.update_limits(
            max_rate=int(options.get(CONF_MAX_RATE, DEFAULT_MAX_RATE)),
            submit_window=int(options.get(CONF_SUBMIT_WINDOW, DEFAULT_SUBMIT_WINDOW)),
        )
        self.assist.apply_options(options)
        self.sender.set_default_sender(self.entry.data.get(CONF_SENDER))

    @callback
    def async_recipient_changes(self) -> RecipientChanges:
        """Which recipients were added, edited or removed since the last call (or the start)."""
        before = self._recipient_settings
        now = self._recipient_settings = _recipient_settings(self.entry)
        return RecipientChanges(
            added=frozenset(now.keys() - before.keys()),
            edited=frozenset(
                subentry_id
                for subentry_id, settings in now.items()
                if subentry_id in before and before[subentry_id] != settings
            ),
            removed=frozenset(before.keys() - now.keys()),
        )

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
