"""The integration's events in the logbook, in plain words of the user's language.

"Mum did not answer the call", "SMS to Gran undelivered: subscriber offline", "Incoming SMS
from Mum", and each alarm's calls and end. The words come from the translations Home Assistant
has loaded (the phrases under `exceptions`, the error and state names under `entity`); the
logbook asks for them synchronously, so the escalations' setup loads the phrases first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_cached_translations

from .const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_ESCALATION_ENDED,
    EVENT_ESCALATION_STEP,
    EVENT_MESSAGE_RECEIVED,
)
from .smpp.outcomes import CALL_ANSWERED

_PREFIX: Final = f"component.{DOMAIN}"
_DELIVERED: Final = "delivered"


class _Words:
    """The cached translations of one language, read by key."""

    def __init__(self, hass: HomeAssistant) -> None:
        language = hass.config.language
        self._phrases = async_get_cached_translations(hass, language, "exceptions", DOMAIN)
        self._entity = async_get_cached_translations(hass, language, "entity", DOMAIN)

    def phrase(self, key: str, **placeholders: str) -> str:
        template = self._phrases.get(f"{_PREFIX}.exceptions.logbook_{key}.message", key)
        try:
            return template.format(**placeholders)
        except (KeyError, IndexError):
            return template

    def error(self, slug: str | None) -> str:
        path = f"{_PREFIX}.entity.sensor.last_call.state_attributes.error.state.{slug}"
        return _lower_first(self._entity.get(path, slug or ""))

    def delivery_state(self, state: str) -> str:
        path = f"{_PREFIX}.entity.sensor.delivery_state.state.{state}"
        return _lower_first(self._entity.get(path, state))


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, str]]], None
    ],
) -> None:
    """Describe the delivery reports, incoming messages and escalations."""

    def name_of(data: Mapping[str, Any], number_key: str) -> str:
        device_id = data.get("device_id")
        if device_id and (device := dr.async_get(hass).async_get(device_id)) is not None:
            return device.name_by_user or device.name or str(data.get(number_key))
        return str(data.get(number_key) or "?")

    @callback
    def describe_report(event: LazyEventPartialState) -> dict[str, str]:
        words, data = _Words(hass), event.data
        name = name_of(data, "recipient")
        if data.get("kind") == "call" and (result := data.get("call_result")):
            error = words.error(data.get("error"))
            return {
                LOGBOOK_ENTRY_NAME: name,
                LOGBOOK_ENTRY_MESSAGE: words.phrase(f"call_{result}", error=error),
            }
        kind = str(data.get("kind") or "sms")
        title = (
            words.phrase("sms_to", name=name)
            if kind == "sms"
            else words.phrase("message_to", kind=kind, name=name)
        )
        state = str(data.get("state"))
        if state == _DELIVERED:
            message = words.delivery_state(state)
        elif data.get("error"):
            message = words.phrase(
                "not_delivered", state=words.delivery_state(state), error=words.error(data["error"])
            )
        else:
            message = words.delivery_state(state)
        return {LOGBOOK_ENTRY_NAME: title, LOGBOOK_ENTRY_MESSAGE: message}

    @callback
    def describe_incoming(event: LazyEventPartialState) -> dict[str, str]:
        words = _Words(hass)
        return {
            LOGBOOK_ENTRY_NAME: words.phrase("incoming"),
            LOGBOOK_ENTRY_MESSAGE: words.phrase("from", name=name_of(event.data, "sender")),
        }

    @callback
    def describe_step(event: LazyEventPartialState) -> dict[str, str]:
        words, data = _Words(hass), event.data
        name = name_of(data, "recipient")
        result = str(data.get("result"))
        if data.get("kind") == "sms":
            return {
                LOGBOOK_ENTRY_NAME: words.phrase("alarm_sms_to", name=name),
                LOGBOOK_ENTRY_MESSAGE: words.delivery_state(result),
            }
        if result == CALL_ANSWERED:
            message = words.phrase("alarm_call_answered")
        else:
            message = words.phrase("alarm_call_missed", result=words.error(result))
        return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}

    @callback
    def describe_ended(event: LazyEventPartialState) -> dict[str, str]:
        words, data = _Words(hass), event.data
        name = name_of(data, "recipient") if data.get("recipient") else ""
        return {
            LOGBOOK_ENTRY_NAME: words.phrase("alarm"),
            LOGBOOK_ENTRY_MESSAGE: words.phrase(f"ended_{data.get('reason')}", name=name),
        }

    async_describe_event(DOMAIN, EVENT_DELIVERY_REPORT, describe_report)
    async_describe_event(DOMAIN, EVENT_MESSAGE_RECEIVED, describe_incoming)
    async_describe_event(DOMAIN, EVENT_ESCALATION_STEP, describe_step)
    async_describe_event(DOMAIN, EVENT_ESCALATION_ENDED, describe_ended)


def _lower_first(text: str) -> str:
    """A sentence's start as it reads inside another ("Subscriber offline" → "subscriber …")."""
    return text[:1].lower() + text[1:]
