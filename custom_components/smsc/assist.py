"""Text your home: recipients allowed to talk to Assist get its answer back by SMS.

The report fan-out asks :meth:`AssistResponder.screen` about every incoming message before it
fires ``smsc_message_received``: a message from a recipient with ``assist`` on, opened with the
recipient's PIN if one is set, is handed to the conversation agent of the account's options in a
task of its own; the agent's plain speech goes back by SMS from the number the message was
written to, and ``smsc_assist_handled`` tells what happened. An agent that fails or takes longer
than :data:`ANSWER_TIMEOUT` earns a translated apology instead. Every answer costs money, so at
most *answers per hour* go to one number and *account answers per hour* to all together, and an
answer SMSC would refuse as a duplicate is dropped, never retried. Five wrong PINs from one
number within an hour lock it out for an hour. The caps and lockouts outlive a reload or restart
in a `Store` of their own; the PINs are kept out of the wire logs; a repair issue tells the user
when Assist is on but the conversation integration is not loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import EVENT_COMPONENT_LOADED
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations

from .answer_limit import AnswerLimit, Limited
from .const import (
    CONF_ASSIST,
    CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_ANSWERS_PER_HOUR,
    CONF_ASSIST_LANGUAGE,
    CONF_PHONE_NUMBER,
    CONF_PIN,
    DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    DEFAULT_ASSIST_AGENT,
    DEFAULT_ASSIST_ANSWERS_PER_HOUR,
    DOMAIN,
    EVENT_ASSIST_HANDLED,
)
from .conversation_ids import ConversationIds
from .models import AssistMessage, AssistResult, RecipientResult, SendRequest
from .pin import check_pin
from .pin_lockout import MAX_WRONG_PINS, PinLockout
from .recipients import recipient_subentries
from .shorten import shorten_to_fit
from .smpp.address import normalize_sender
from .smpp.compose import ComposedMessage, MessageRequest
from .smpp.errors import AddressError, SmscRequestError, TooManyPartsError
from .smpp.incoming import IncomingMessage
from .smpp.logs import register_secret, unregister_secret

_LOGGER = logging.getLogger(__name__)

CONVERSATION_DOMAIN: Final = "conversation"
ANSWER_TIMEOUT: Final = 30.0  # seconds the agent may take before the sender gets the apology
STORE_VERSION: Final = 1
STORE_SAVE_DELAY: Final = 10.0  # seconds: a burst of messages makes one write
NOT_LOADED_ISSUE: Final = "conversation_not_loaded"  # translation key of the repair issue
# Keys of strings.json's "exceptions" section used as the text of an SMS.
APOLOGY_KEY: Final = "assist_apology"
DONE_KEY: Final = "assist_done"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.assist", private=True)


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """The account was removed: its caps and lockouts go with it."""
    await _store(hass, entry_id).async_remove()


def _caps(options: Mapping[str, Any]) -> tuple[int, int]:
    """The account's caps: answers an hour to one number, and to all together."""
    return (
        int(options.get(CONF_ASSIST_ANSWERS_PER_HOUR, DEFAULT_ASSIST_ANSWERS_PER_HOUR)),
        int(
            options.get(
                CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR, DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR
            )
        ),
    )


def reply_sender(written_to: str) -> str | None:
    """Answer from the number the message was written to; None (the account's sender) when
    that is a name or no number SMSC would take as a sender."""
    number = written_to.strip()
    if not number.removeprefix("+").isdigit():
        return None
    try:
        normalize_sender(number)
    except AddressError:
        return None
    return number


class AssistResponder:
    """Hands an account's messages from allowed recipients to Assist and texts the answers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        send: SendRequest,
        compose: Callable[[MessageRequest], ComposedMessage],
    ) -> None:
        self._hass = hass
        self._entry = entry
        # The hub's: sending runs through its guards, and `compose` says whether a text fits.
        self._send = send
        self._compose = compose
        self.limit = AnswerLimit(*_caps(entry.options))
        self.lockout = PinLockout()
        self.conversations = ConversationIds()
        self._tasks: set[asyncio.Task[None]] = set()
        # The caps and lockouts; the sent-message tracker persists in a store of its own.
        self._store = _store(hass, entry.entry_id)
        self._started = False
        self._unsubscribe_loaded: CALLBACK_TYPE | None = None

    @property
    def _issue_id(self) -> str:
        return f"{NOT_LOADED_ISSUE}_{self._entry.entry_id}"

    async def async_start(self) -> None:
        """Before the session binds: restore the caps and lockouts, hide the PINs, and raise
        the repair issue if Assist is on without the conversation integration."""
        stored = await self._store.async_load() or {}
        self.limit.restore(stored.get("answers") or {})
        self.lockout.restore(stored.get("lockout") or {})
        self._started = True
        self.refresh_pins()
        self._unsubscribe_loaded = self._hass.bus.async_listen(
            EVENT_COMPONENT_LOADED, self._on_component_loaded
        )
        if any(r.data.get(CONF_ASSIST) for r in recipient_subentries(self._entry)):
            self._update_not_loaded_issue()

    async def async_stop(self) -> None:
        """Stop the answers in progress and save the guards: the session is about to close.

        Safe to call twice (unload after Home Assistant's stop) and without a start.
        """
        self.cancel()
        if not self._started:
            return
        self._started = False
        unregister_secret(self)
        if self._unsubscribe_loaded is not None:
            self._unsubscribe_loaded()
            self._unsubscribe_loaded = None
        ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        await self._store.async_save(self._stored())

    @callback
    def refresh_pins(self) -> None:
        """Keep every recipient's current PIN out of the wire logs (call when they change)."""
        if not self._started:
            return  # stopped: a registration now would outlive the responder
        pins = [
            str(pin) for r in recipient_subentries(self._entry) if (pin := r.data.get(CONF_PIN))
        ]
        register_secret(self, *pins)

    @callback
    def _stored(self) -> dict[str, Any]:
        return {"answers": self.limit.stored(), "lockout": self.lockout.stored()}

    def _save_later(self) -> None:
        self._store.async_delay_save(self._stored, STORE_SAVE_DELAY)

    @callback
    def apply_options(self, options: Mapping[str, Any]) -> None:
        """Take changed caps at once, keeping what was counted; the agent and the language are
        read at each answer."""
        self.limit.set_limits(*_caps(options))

    @callback
    def screen(
        self, message: IncomingMessage, recipient: ConfigSubentry, device_id: str | None
    ) -> AssistMessage | None:
        """Decide about a recipient's incoming message; None when they may not talk to Assist."""
        if not recipient.data.get(CONF_ASSIST):
            return None
        checked = check_pin(message.text, recipient.data.get(CONF_PIN))
        name = recipient.title
        number: str = recipient.data[CONF_PHONE_NUMBER]
        handed_over = False
        result: AssistResult | None = None
        limited: Limited | None = None
        if self.lockout.locked(number):
            _LOGGER.debug("An SMS from %s, locked out after wrong PINs: no answer", name)
        elif not checked.accepted:
            _LOGGER.debug("An SMS from %s does not start with the PIN: no answer", name)
            if self.lockout.wrong_pin(number):
                result = AssistResult.LOCKED_OUT
                _LOGGER.warning(
                    "%s sent %s messages for Assist without the right PIN within an hour; "
                    "messages from that number get no answer for the next hour (they still "
                    "fire smsc_message_received). Someone may be guessing the PIN",
                    name,
                    MAX_WRONG_PINS,
                )
            self._save_later()
        elif not checked.text:
            _LOGGER.debug("An SMS from %s holds nothing after the PIN: no answer", name)
        elif CONVERSATION_DOMAIN not in self._hass.config.components:
            result = AssistResult.NOT_LOADED
            self._update_not_loaded_issue()
        elif (limited := self.limit.try_take(number)) is not None:
            result = AssistResult.RATE_LIMITED
            self._warn_limited(name, number, limited)
        else:
            handed_over = True
            self._save_later()
        return AssistMessage(
            name=name,
            number=number,
            device_id=device_id,
            reply_from=reply_sender(message.destination),
            written_to=message.destination,
            text=checked.text,
            handed_over=handed_over,
            result=result,
        )

    @callback
    def respond(self, message: AssistMessage) -> None:
        """Ask Assist in a task of its own (a slow agent never holds up other messages)."""
        if message.handed_over:
            task = self._entry.async_create_background_task(
                self._hass, self._async_answer(message), f"{DOMAIN} Assist answer to {message.name}"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif message.result is not None:
            self._fire(message, message.result, answer=None, sent=None)

    @callback
    def cancel(self) -> None:
        """Stop the answers in progress: the session is about to close."""
        for task in self._tasks:
            task.cancel()

    def _warn_limited(self, name: str, number: str, limited: Limited) -> None:
        if limited is Limited.NUMBER and self.limit.warning_due(number):
            _LOGGER.warning(
                "%s sent more messages for Assist than the %s answers an hour allowed; "
                "they still fire smsc_message_received but get no answer for the rest of "
                "the hour (an auto-responder answering our answers would look like this)",
                name,
                self.limit.per_hour,
            )
        elif limited is Limited.ACCOUNT and self.limit.warning_due(limited.value):
            _LOGGER.warning(
                "Assist texted the %s answers an hour allowed for the account %s to all "
                "recipients together; messages for Assist (this one from %s) still fire "
                "smsc_message_received but get no answer until the hour has room again",
                self.limit.account_per_hour,
                self._entry.title,
                name,
            )
        self._save_later()

    @callback
    def _update_not_loaded_issue(self) -> None:
        """Raise the repair issue while Assist is on without conversation; drop it once loaded."""
        if CONVERSATION_DOMAIN in self._hass.config.components:
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
            return
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=NOT_LOADED_ISSUE,
            translation_placeholders={"title": self._entry.title},
        )

    @callback
    def _on_component_loaded(self, event: Event[Any]) -> None:
        if event.data.get("component") == CONVERSATION_DOMAIN:
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)

    async def _async_answer(self, message: AssistMessage) -> None:
        # Imported here: conversation is an after-dependency, loaded only by users of Assist,
        # and its requirements need not be installed for anyone else.
        from homeassistant.components import conversation  # noqa: PLC0415

        options = self._entry.options
        agent_id = options.get(CONF_ASSIST_AGENT) or DEFAULT_ASSIST_AGENT
        language = options.get(CONF_ASSIST_LANGUAGE) or self._hass.config.language
        response_type: str | None = None
        conversation_id = self.conversations.get(message.number)
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                answered = await conversation.async_converse(
                    self._hass,
                    message.text,
                    conversation_id,
                    Context(),
                    language=language,
                    agent_id=agent_id,
                    device_id=message.device_id,
                )
        except TimeoutError:
            _LOGGER.warning(
                "Assist (%s) did not answer an SMS from %s within %s s; texting an apology",
                agent_id,
                message.name,
                ANSWER_TIMEOUT,
            )
            result, answer = AssistResult.FAILED, await self._phrase(language, APOLOGY_KEY)
        except Exception:
            # Whatever the agent raises, the sender gets a short apology, never a traceback.
            _LOGGER.exception(
                "Assist (%s) failed on an SMS from %s; texting an apology", agent_id, message.name
            )
            result, answer = AssistResult.FAILED, await self._phrase(language, APOLOGY_KEY)
        else:
            conversation_id = answered.conversation_id or conversation_id
            self.conversations.remember(message.number, conversation_id)
            response = answered.response
            response_type = response.response_type.value
            speech = str(response.speech.get("plain", {}).get("speech") or "").strip()
            result = AssistResult.ANSWERED
            if not speech:
                # Some agents act without a word; the sender should still learn it was done.
                failed = response_type == "error"
                speech = await self._phrase(language, APOLOGY_KEY if failed else DONE_KEY)
            answer = speech
        sent_text, sent = await self._async_send(message, answer)
        self._fire(
            message,
            result,
            answer=sent_text,
            sent=sent,
            response_type=response_type,
            conversation_id=conversation_id,
            agent_id=agent_id,
            language=language,
        )

    async def _phrase(self, language: str, key: str) -> str:
        translations = await async_get_translations(self._hass, language, "exceptions", [DOMAIN])
        return translations[f"component.{DOMAIN}.exceptions.{key}.message"]

    async def _async_send(self, message: AssistMessage, answer: str) -> tuple[str, RecipientResult]:
        """Text the answer, shortened to the account's maximum parts; SMSC's rules apply."""
        text = answer
        try:
            text = shorten_to_fit(answer, self._fits)
            # The hub sends to one number in turn, so a repeated answer meets SMSC's
            # duplicate rule here rather than at SMSC.
            [sent] = await self._send(
                MessageRequest(message=text), [message.number], sender=message.reply_from
            )
        except SmscRequestError as err:  # a text or a sender SMSC cannot take
            sent = RecipientResult(recipient=message.number)
            sent.refuse(err)
        if sent.error_code == "duplicate_message":
            # SMSC refuses the same text to the same number within a minute; resending later
            # could only cost money, so the answer is dropped.
            _LOGGER.info(
                "Assist's answer to %s was not sent: the same text went to them less than a "
                "minute ago, which SMSC refuses",
                message.name,
            )
        elif sent.error is not None:
            _LOGGER.warning("Could not text Assist's answer to %s: %s", message.name, sent.error)
        return text, sent

    def _fits(self, text: str) -> bool:
        try:
            self._compose(MessageRequest(message=text))
        except TooManyPartsError:
            return False
        return True

    def _fire(
        self,
        message: AssistMessage,
        result: AssistResult,
        *,
        answer: str | None,
        sent: RecipientResult | None,
        response_type: str | None = None,
        conversation_id: str | None = None,
        agent_id: str | None = None,
        language: str | None = None,
    ) -> None:
        self._hass.bus.async_fire(
            EVENT_ASSIST_HANDLED,
            {
                "entry_id": self._entry.entry_id,
                "device_id": message.device_id,
                "sender": message.number,
                "recipient": message.written_to,
                "text": message.text,
                "result": result.value,
                "handled": result is AssistResult.ANSWERED and response_type != "error",
                "response_type": response_type,
                "answer": answer,
                "answer_sent": sent is not None and sent.error is None,
                "message_ids": list(sent.message_ids) if sent else [],
                "error_code": sent.error_code if sent else None,
                "conversation_id": conversation_id,
                "agent_id": agent_id,
                "language": language,
            },
        )
