"""Escalations: call an account's recipients in order until someone answers or acknowledges.

One `EscalationManager` per account. Each escalation runs in a background task of the config
entry; its progress is stored (`helpers.storage.Store`) after every step, so a reload or restart
resumes it from its next step while its whole possible duration has not passed, and ends it as
`interrupted` otherwise. Every call and SMS is bounded: at most `MAX_RECIPIENTS` recipients and
`MAX_ATTEMPTS` calls each, one SMS each, and a call is written at most once (a call written
before a restart whose report never came counts as not answered, it is not repeated).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
import logging
import re
import secrets
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util, ulid as ulid_util

from .const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_ESCALATION_ENDED,
    EVENT_ESCALATION_STEP,
)
from .delivery_states import delivery_state
from .models import RecipientResult, SendRequest
from .recipients import find_recipient, recipient_device_id
from .reports import EventListener, subscribe
from .smpp.address import normalize_recipient
from .smpp.compose import MessageKind, MessageRequest
from .smpp.errors import AddressError, SmscRequestError
from .smpp.outcomes import CALL_ANSWERED, CALL_FAILED, CALL_NO_ANSWER, call_result
from .smpp.receipts import DeliveryState, message_id_keys, normalize_message_id
from .tracking import MessageTracker

_LOGGER = logging.getLogger(__name__)

MAX_RECIPIENTS: Final = 10
MAX_ATTEMPTS: Final = 5
STORE_VERSION: Final = 1
STORE_SAVE_DELAY: Final = 1.0
# Time a send may take on top of the waits, in the whole possible duration of an escalation.
SEND_MARGIN: Final = 30.0
# SMS whose report still names its escalation's step; older ones are forgotten.
MAX_SMS_TRACKED: Final = 200

REASON_ANSWERED: Final = "answered"
REASON_ACKNOWLEDGED: Final = "acknowledged"
REASON_EXHAUSTED: Final = "exhausted"
REASON_CANCELLED: Final = "cancelled"
REASON_INTERRUPTED: Final = "interrupted"
# The step result of an SMS SMSC did not take (its other results are delivery states).
SMS_NOT_SENT: Final = "not_sent"

REPLY_CODE_KEY: Final = "escalation_reply_code"
ATTEMPT_KEY: Final = "escalation_call_attempt"
# Session faults after which the account is going away: the step did not happen, and is
# taken again after the restart.
_SESSION_GONE: Final = frozenset({"session_closed"})


@dataclass(slots=True)
class EscalationPlan:
    """What an escalation was asked to do."""

    recipients: list[str]
    message: str
    voice: str | None = None
    sms: bool = False
    attempts: int = 1
    interval: float = 60.0
    call_timeout: float = 120.0
    code: str | None = None
    stop_on_answer: bool = True

    @property
    def max_duration(self) -> float:
        """The longest it can run: every call waits its timeout, every repeat its interval."""
        calls = len(self.recipients) * self.attempts
        repeats = len(self.recipients) * (self.attempts - 1)
        return calls * (self.call_timeout + SEND_MARGIN) + repeats * self.interval + SEND_MARGIN


@dataclass(slots=True)
class PendingCall:
    """A call written to SMSC whose result is not known yet."""

    written_at: float
    message_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Escalation:
    """A running escalation and how far it got."""

    escalation_id: str
    plan: EscalationPlan
    started_at: float
    position: int = 0
    attempt: int = 1
    sms_done: bool = False
    next_call_at: float | None = None
    pending_call: PendingCall | None = None

    @property
    def calling(self) -> str | None:
        """The number being called or next to be called."""
        if self.position < len(self.plan.recipients):
            return self.plan.recipients[self.position]
        return None

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Escalation:
        """Read the stored form back; raises KeyError or TypeError when it is not one."""
        pending = data.get("pending_call")
        return cls(
            escalation_id=str(data["escalation_id"]),
            plan=EscalationPlan(**data["plan"]),
            started_at=float(data["started_at"]),
            position=int(data["position"]),
            attempt=int(data["attempt"]),
            sms_done=bool(data["sms_done"]),
            next_call_at=data.get("next_call_at"),
            pending_call=PendingCall(**pending) if pending else None,
        )


@dataclass(slots=True)
class _CallWait:
    keys: set[str]
    result: asyncio.Future[str]


class _AccountGone(Exception):
    """The session closed under a step: stop without recording it."""


def new_code() -> str:
    """A random 4-digit acknowledgement code."""
    return f"{secrets.randbelow(10_000):04d}"


def contains_word(text: str, word: str) -> bool:
    """Whether `word` stands in `text` as a word of its own (case-insensitive)."""
    return word.casefold() in (token.casefold() for token in re.findall(r"\w+", text))


class EscalationManager:
    """The running escalations of one account, their store and their events."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        tracker: MessageTracker,
        send: SendRequest,
        add_event_listener: Callable[[EventListener], CALLBACK_TYPE],
    ) -> None:
        self._hass = hass
        self._entry = entry
        # The hub's: what its sends became, how it sends, and the reports it fires.
        self._tracker = tracker
        self._send_request = send
        self._add_event_listener = add_event_listener
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.escalations.{entry.entry_id}"
        )
        self.running: dict[str, Escalation] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._waits: dict[str, _CallWait] = {}
        # SMS message key → (escalation id, number) until its final report.
        self._sms: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def async_start(self) -> None:
        """Resume what was running before, or end it as interrupted when it is too late."""
        self._unsubscribe = self._add_event_listener(self._on_event)
        stored = await self._store.async_load() or {}
        now = _now()
        for data in stored.get("escalations", []):
            try:
                escalation = Escalation.from_dict(data)
            except (KeyError, TypeError, ValueError):
                _LOGGER.warning("Dropping a stored escalation that cannot be read: %r", data)
                continue
            self.running[escalation.escalation_id] = escalation
            if now - escalation.started_at < escalation.plan.max_duration:
                _LOGGER.info("Resuming escalation %s", escalation.escalation_id)
                self._launch(escalation)
            else:
                self._end(escalation, REASON_INTERRUPTED, None)
        self._save()

    async def async_stop(self) -> None:
        """Stop the tasks without ending the escalations, and store where they are."""
        if self._stopping:
            return
        self._stopping = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._store.async_save(self._stored())

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever an escalation starts, moves on or ends."""
        return subscribe(self._listeners, update)

    # ------------------------------------------------------------------ actions

    def find_running(self, plan: EscalationPlan) -> str | None:
        """The id of a running escalation with the same recipients and message."""
        for escalation in self.running.values():
            if (
                escalation.plan.recipients == plan.recipients
                and escalation.plan.message == plan.message
            ):
                return escalation.escalation_id
        return None

    @callback
    def async_begin(self, plan: EscalationPlan) -> str:
        """Start an escalation (or find the same one running); its id."""
        if (running := self.find_running(plan)) is not None:
            return running
        escalation = Escalation(ulid_util.ulid_now(), plan, _now())
        self.running[escalation.escalation_id] = escalation
        self._save()
        self._launch(escalation)
        return escalation.escalation_id

    @callback
    def async_cancel(self, escalation_id: str) -> bool:
        """End a running escalation as cancelled; False when it is not one of ours."""
        escalation = self.running.get(escalation_id)
        if escalation is None:
            return False
        self._end(escalation, REASON_CANCELLED, None)
        return True

    @callback
    def take_reply(self, number: str, text: str) -> bool:
        """End the escalations this reply acknowledges; True when it did (not for Assist)."""
        try:
            phone = normalize_recipient(number).addr
        except AddressError:
            return False
        taken = False
        for escalation in list(self.running.values()):
            code = escalation.plan.code
            if code and phone in escalation.plan.recipients and contains_word(text, code):
                self._end(escalation, REASON_ACKNOWLEDGED, phone)
                taken = True
        return taken

    # ------------------------------------------------------------------ the run

    def _launch(self, escalation: Escalation) -> None:
        self._tasks[escalation.escalation_id] = self._entry.async_create_background_task(
            self._hass,
            self._run(escalation),
            f"{DOMAIN} escalation {escalation.escalation_id}",
        )
        self._notify()

    async def _run(self, escalation: Escalation) -> None:
        plan = escalation.plan
        try:
            if plan.sms and not escalation.sms_done:
                await self._send_sms(escalation)
            while (number := escalation.calling) is not None:
                if escalation.pending_call is None:
                    if escalation.next_call_at is not None:
                        await asyncio.sleep(max(0.0, escalation.next_call_at - _now()))
                    result = await self._call(escalation, number)
                else:
                    result = await self._wait_for_call(escalation, escalation.pending_call)
                attempt = escalation.attempt
                escalation.pending_call = None
                self._step(escalation, number, MessageKind.CALL, attempt, result)
                if result == CALL_ANSWERED and plan.stop_on_answer:
                    self._end(escalation, REASON_ANSWERED, number, from_task=True)
                    return
                if attempt < plan.attempts:
                    escalation.attempt += 1
                    escalation.next_call_at = _now() + plan.interval
                else:
                    escalation.position += 1
                    escalation.attempt = 1
                    escalation.next_call_at = None
                self._save()
                self._notify()
            self._end(escalation, REASON_EXHAUSTED, None, from_task=True)
        except _AccountGone:
            _LOGGER.debug("Escalation %s paused: the account closed", escalation.escalation_id)
        finally:
            self._tasks.pop(escalation.escalation_id, None)

    async def _send_sms(self, escalation: Escalation) -> None:
        plan = escalation.plan
        text = plan.message
        if plan.code:
            line = await self._phrase(REPLY_CODE_KEY, code=plan.code)
            text = f"{text}\n{line}"
        # Marked before sending: an SMS is never sent twice, even if the account stops now.
        escalation.sms_done = True
        self._save()
        results = await self._send(MessageRequest(kind=MessageKind.SMS, message=text), plan)
        for number, result in zip(plan.recipients, results, strict=False):
            if result.error is not None:
                self._step(escalation, number, MessageKind.SMS, 1, SMS_NOT_SENT)
                continue
            for message_id in result.message_ids[-1:]:
                key = normalize_message_id(message_id, hint="decimal")
                tracked = self._tracker.find((key,))
                if tracked is not None and tracked.state is not None and tracked.state.is_final:
                    # Its report came before the send returned.
                    state = delivery_state(tracked.state)
                    self._step(escalation, number, MessageKind.SMS, 1, state)
                else:
                    self._sms[key] = (escalation.escalation_id, number)
        while len(self._sms) > MAX_SMS_TRACKED:
            self._sms.popitem(last=False)

    async def _call(self, escalation: Escalation, number: str) -> str:
        plan = escalation.plan
        pending = escalation.pending_call = PendingCall(written_at=_now())
        self._save()
        numbered = f"{plan.message} ({await self._attempt_phrase(escalation)})"
        # A repeat must differ from the call before it: SMSC refuses the same text to one
        # number within a minute. A first call refused so (another escalation with the same
        # words just called) is written once more with its attempt number.
        texts = [numbered] if escalation.attempt > 1 else [plan.message, numbered]
        result: RecipientResult | None = None
        for text in texts:
            request = MessageRequest(kind=MessageKind.CALL, message=text, voice=plan.voice)
            [result] = await self._send(request, EscalationPlan([number], text))
            if result.error_code != "duplicate_message":
                break
        if result is None or result.error is not None:
            if result is not None and result.error_code in _SESSION_GONE:
                escalation.pending_call = None
                raise _AccountGone
            _LOGGER.warning(
                "Escalation %s could not call %s: %s",
                escalation.escalation_id,
                number,
                result.error if result else "no result",
            )
            return CALL_FAILED
        pending.message_ids = list(result.message_ids)
        self._save()
        return await self._wait_for_call(escalation, pending)

    async def _wait_for_call(self, escalation: Escalation, pending: PendingCall) -> str:
        keys = {normalize_message_id(i, hint="decimal") for i in pending.message_ids}
        # The report may have come before the send returned.
        tracked = self._tracker.find(keys) if keys else None
        known = tracked and tracked.state and call_result(tracked.state, tracked.error_code)
        if known:
            return known
        remaining = pending.written_at + escalation.plan.call_timeout - _now()
        if not keys or remaining <= 0:
            if remaining > 0:  # written, its id unknown: no report can be matched to it
                await asyncio.sleep(remaining)
            return CALL_NO_ANSWER
        wait = _CallWait(keys, self._hass.loop.create_future())
        self._waits[escalation.escalation_id] = wait
        try:
            async with asyncio.timeout(remaining):
                return await wait.result
        except TimeoutError:
            return CALL_NO_ANSWER
        finally:
            self._waits.pop(escalation.escalation_id, None)

    async def _send(self, request: MessageRequest, plan: EscalationPlan) -> list[RecipientResult]:
        try:
            return await self._send_request(request, plan.recipients)
        except SmscRequestError as err:
            results = []
            for number in plan.recipients:
                result = RecipientResult(recipient=number)
                result.refuse(err)
                results.append(result)
            return results

    # ------------------------------------------------------------------ reports

    @callback
    def _on_event(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type != EVENT_DELIVERY_REPORT or not data.get("message_id"):
            return
        keys = set(message_id_keys(str(data["message_id"])))
        state = _final_state(data.get("state"))
        if state is None:
            return
        for wait in self._waits.values():
            if wait.keys & keys and not wait.result.done():
                outcome = data.get("call_result") or call_result(state, data.get("error_code"))
                wait.result.set_result(outcome or CALL_FAILED)
        for key in keys & self._sms.keys():
            escalation_id, number = self._sms.pop(key)
            if (escalation := self.running.get(escalation_id)) is not None:
                self._step(escalation, number, MessageKind.SMS, 1, str(data["state"]))

    # ------------------------------------------------------------------ events, store

    def _step(
        self, escalation: Escalation, number: str, kind: MessageKind, attempt: int, result: str
    ) -> None:
        self._hass.bus.async_fire(
            EVENT_ESCALATION_STEP,
            {
                "entry_id": self._entry.entry_id,
                "escalation_id": escalation.escalation_id,
                "recipient": number,
                "device_id": self._device_id(number),
                "kind": kind.value,
                "attempt": attempt,
                "result": result,
            },
        )

    def _end(
        self,
        escalation: Escalation,
        reason: str,
        number: str | None,
        *,
        from_task: bool = False,
    ) -> None:
        escalation_id = escalation.escalation_id
        self.running.pop(escalation_id, None)
        if not from_task and (task := self._tasks.pop(escalation_id, None)) is not None:
            # A call already written goes on at SMSC; no new one starts.
            task.cancel()
        self._waits.pop(escalation_id, None)
        self._hass.bus.async_fire(
            EVENT_ESCALATION_ENDED,
            {
                "entry_id": self._entry.entry_id,
                "escalation_id": escalation_id,
                "reason": reason,
                "recipient": number,
                "device_id": self._device_id(number) if number else None,
            },
        )
        _LOGGER.info("Escalation %s ended: %s", escalation_id, reason)
        self._save()
        self._notify()

    def _device_id(self, number: str) -> str | None:
        subentry = find_recipient(self._entry, number)
        return recipient_device_id(self._hass, self._entry, subentry) if subentry else None

    def _stored(self) -> dict[str, Any]:
        return {"escalations": [e.as_dict() for e in self.running.values()]}

    def _save(self) -> None:
        if not self._stopping:
            self._store.async_delay_save(self._stored, STORE_SAVE_DELAY)

    def _notify(self) -> None:
        for update in list(self._listeners):
            update()

    async def _attempt_phrase(self, escalation: Escalation) -> str:
        return await self._phrase(
            ATTEMPT_KEY,
            attempt=str(escalation.attempt),
            attempts=str(escalation.plan.attempts),
        )

    async def _phrase(self, key: str, **placeholders: str) -> str:
        """A sentence the recipients hear or read, in Home Assistant's language."""
        language = self._hass.config.language
        translations = await async_get_translations(self._hass, language, "exceptions", [DOMAIN])
        template = translations.get(f"component.{DOMAIN}.exceptions.{key}.message")
        if template is None:
            raise HomeAssistantError(f"Missing translation {key}")
        return template.format(**placeholders)


def _final_state(value: Any) -> DeliveryState | None:
    try:
        state = DeliveryState(value)
    except ValueError:
        return None
    return state if state.is_final else None


def _now() -> float:
    """Wall-clock seconds: what a stored escalation's times are counted in across restarts."""
    return dt_util.utcnow().timestamp()


async def async_setup_escalations(
    hass: HomeAssistant, entry: ConfigEntry, manager: EscalationManager
) -> None:
    """Start an account's escalations (resuming stored ones) once its hub is bound."""
    # At shutdown the session closes at once: stop first, so no step is taken on a dead link.
    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stopper(manager)))
    # The calls' words, and the logbook's, which reads them synchronously from the cache.
    await async_get_translations(hass, hass.config.language, "exceptions", [DOMAIN])
    await manager.async_start()


def _stopper(manager: EscalationManager) -> Callable[[Event], Coroutine[Any, Any, None]]:
    async def stop(_event: Event) -> None:
        await manager.async_stop()

    return stop
