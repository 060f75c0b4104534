"""Text your home: recipients allowed to talk to Assist get its answer back by SMS.

The report fan-out asks :meth:`AssistResponder.screen` about every incoming message before it
fires ``smsc_message_received``: a message from a recipient with ``assist`` on, opened with the
recipient's PIN if one is set, is handed to the conversation agent of the account's options in a
task of its own; the agent's plain speech goes back by SMS from the number the message was
written to, and ``smsc_assist_handled`` tells what happened. An agent that fails or takes longer
than :data:`ANSWER_TIMEOUT` earns a translated apology instead. Every answer costs money, so at
most *answers per hour* go to one number, and an answer SMSC would refuse as a duplicate is
dropped, never retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import logging
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations

from .answer_limit import AnswerLimit
from .const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_ANSWERS_PER_HOUR,
    CONF_ASSIST_LANGUAGE,
    CONF_PHONE_NUMBER,
    CONF_PIN,
    DEFAULT_ASSIST_AGENT,
    DEFAULT_ASSIST_ANSWERS_PER_HOUR,
    DOMAIN,
    EVENT_ASSIST_HANDLED,
)
from .conversation_ids import ConversationIds
from .models import RecipientResult
from .pin import check_pin
from .shorten import shorten_to_fit
from .smpp.address import normalize_sender
from .smpp.compose import MessageRequest
from .smpp.errors import AddressError, SmscRequestError, TooManyPartsError
from .smpp.incoming import IncomingMessage

if TYPE_CHECKING:
    from .hub import SmscHub

_LOGGER = logging.getLogger(__name__)

CONVERSATION_DOMAIN: Final = "conversation"
ANSWER_TIMEOUT: Final = 30.0  # seconds the agent may take before the sender gets the apology
NOT_LOADED_WARNING_INTERVAL: Final = 3600.0
# Keys of strings.json's "exceptions" section used as the text of an SMS.
APOLOGY_KEY: Final = "assist_apology"
DONE_KEY: Final = "assist_done"


class AssistResult(StrEnum):
    """What became of a message meant for Assist (`result` of ``smsc_assist_handled``)."""

    ANSWERED = "answered"  # the agent's own words were texted back
    FAILED = "failed"  # the agent raised or took too long: the apology was texted back
    RATE_LIMITED = "rate_limited"  # no answer: the sender had all answers of the hour
    NOT_LOADED = "conversation_not_loaded"  # no answer: Home Assistant has no conversation


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


def _answers_per_hour(options: Mapping[str, Any]) -> int:
    return int(options.get(CONF_ASSIST_ANSWERS_PER_HOUR, DEFAULT_ASSIST_ANSWERS_PER_HOUR))


class AssistResponder:
    """Hands an account's messages from allowed recipients to Assist and texts the answers."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, hub: SmscHub) -> None:
        self._hass = hass
        self._entry = entry
        self._hub = hub
        self.limit = AnswerLimit(_answers_per_hour(entry.options))
        self.conversations = ConversationIds()
        self._tasks: set[asyncio.Task[None]] = set()
        self._not_loaded_warned_at: float | None = None

    @callback
    def apply_options(self, options: Mapping[str, Any]) -> None:
        """Take changed options at once; the agent and the language are read at each answer."""
        self.limit.set_per_hour(_answers_per_hour(options))

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
        if not checked.accepted:
            _LOGGER.debug("An SMS from %s does not start with the PIN: no answer", name)
        elif not checked.text:
            _LOGGER.debug("An SMS from %s holds nothing after the PIN: no answer", name)
        elif CONVERSATION_DOMAIN not in self._hass.config.components:
            result = AssistResult.NOT_LOADED
            self._warn_not_loaded(name)
        elif not self.limit.try_take(number):
            result = AssistResult.RATE_LIMITED
            if self.limit.warning_due(number):
                _LOGGER.warning(
                    "%s sent more messages for Assist than the %s answers an hour allowed; "
                    "they still fire smsc_message_received but get no answer for the rest of "
                    "the hour (an auto-responder answering our answers would look like this)",
                    name,
                    self.limit.per_hour,
                )
        else:
            handed_over = True
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

    def _warn_not_loaded(self, name: str) -> None:
        now = time.monotonic()
        if (
            self._not_loaded_warned_at is not None
            and now - self._not_loaded_warned_at < NOT_LOADED_WARNING_INTERVAL
        ):
            return
        self._not_loaded_warned_at = now
        _LOGGER.warning(
            "%s may talk to Assist by SMS, but the conversation integration is not loaded, so "
            "the message gets no answer; add `conversation:` (or `default_config:`) to "
            "configuration.yaml and restart Home Assistant",
            name,
        )

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
            [sent] = await self._hub.async_send(
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
            self._hub.sender.compose(MessageRequest(message=text))
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
