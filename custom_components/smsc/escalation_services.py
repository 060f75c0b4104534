"""The `smsc.escalate` and `smsc.cancel_escalation` actions: check the request, start or end."""

from __future__ import annotations

import re
from typing import Final

from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .const import DOMAIN
from .escalation import MAX_ATTEMPTS, MAX_RECIPIENTS, EscalationPlan, new_code
from .hub import SmscConfigEntry
from .services import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_MESSAGE,
    ATTR_RECIPIENTS,
    ATTR_VOICE,
    account_sends,
    validation_error,
)
from .smpp.address import normalize_recipient
from .smpp.compose import VOICES, MessageKind, MessageRequest
from .smpp.errors import SmscRequestError

SERVICE_ESCALATE: Final = "escalate"
SERVICE_CANCEL_ESCALATION: Final = "cancel_escalation"
ATTR_SMS: Final = "sms"
ATTR_ATTEMPTS: Final = "attempts"
ATTR_INTERVAL: Final = "interval"
ATTR_CALL_TIMEOUT: Final = "call_timeout"
ATTR_ACKNOWLEDGE: Final = "acknowledge"
ATTR_STOP_ON_ANSWER: Final = "stop_on_answer"
ATTR_ESCALATION_ID: Final = "escalation_id"
ACKNOWLEDGE_AUTO: Final = "auto"
ACKNOWLEDGE_NONE: Final = "none"
# A code of one's own: one word a phone keyboard can type, short enough to reply with.
_CODE: Final = re.compile(r"[0-9A-Za-z]{3,12}")

ESCALATE_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_RECIPIENTS, default=list): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
        vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_AREA_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_FLOOR_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_LABEL_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_VOICE): vol.In(VOICES),
        vol.Optional(ATTR_SMS, default=False): cv.boolean,
        # The upper bound is checked in the handler, with a translated reason: it is the cost.
        vol.Optional(ATTR_ATTEMPTS, default=1): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional(ATTR_INTERVAL, default=60): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=3600)
        ),
        vol.Optional(ATTR_CALL_TIMEOUT, default=120): vol.All(
            vol.Coerce(float), vol.Range(min=10, max=600)
        ),
        vol.Optional(ATTR_ACKNOWLEDGE): cv.string,
        vol.Optional(ATTR_STOP_ON_ANSWER, default=True): cv.boolean,
    }
)
CANCEL_SCHEMA: Final = vol.Schema({vol.Required(ATTR_ESCALATION_ID): cv.string})


@callback
def async_setup_escalation_services(hass: HomeAssistant) -> None:
    """Register the escalation actions once for the domain."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ESCALATE,
        _async_escalate,
        schema=ESCALATE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CANCEL_ESCALATION, _async_cancel, schema=CANCEL_SCHEMA
    )


async def _async_escalate(call: ServiceCall) -> ServiceResponse:
    # An escalation is one account's: its calls, stored state and acknowledgement codes.
    sends = account_sends(call)
    if len(sends) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="escalation_one_account"
        )
    [(hub, phones)] = sends
    recipients = _numbers(phones)
    if not recipients:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
    if len(recipients) > MAX_RECIPIENTS:
        raise _limit_error("too_many_recipients", len(recipients), MAX_RECIPIENTS)
    attempts: int = call.data[ATTR_ATTEMPTS]
    if attempts > MAX_ATTEMPTS:
        raise _limit_error("too_many_attempts", attempts, MAX_ATTEMPTS)
    sms: bool = call.data[ATTR_SMS]
    plan = EscalationPlan(
        recipients=recipients,
        message=call.data[ATTR_MESSAGE],
        voice=call.data.get(ATTR_VOICE),
        sms=sms,
        attempts=attempts,
        interval=call.data[ATTR_INTERVAL],
        call_timeout=call.data[ATTR_CALL_TIMEOUT],
        code=_code(call.data.get(ATTR_ACKNOWLEDGE), sms=sms),
        stop_on_answer=call.data[ATTR_STOP_ON_ANSWER],
    )
    try:
        # The words are the same for every call: a fault in them is the caller's, now.
        hub.sender.compose(
            MessageRequest(kind=MessageKind.CALL, message=plan.message, voice=plan.voice)
        )
    except SmscRequestError as err:
        raise validation_error(err) from err
    return {ATTR_ESCALATION_ID: hub.escalations.async_begin(plan)}


async def _async_cancel(call: ServiceCall) -> None:
    escalation_id: str = call.data[ATTR_ESCALATION_ID]
    entries: list[SmscConfigEntry] = call.hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in entries:
        if entry.runtime_data.escalations.async_cancel(escalation_id):
            return
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="escalation_not_found",
        translation_placeholders={"escalation_id": escalation_id},
    )


def _numbers(raw: list[str]) -> list[str]:
    """The numbers in the order given, each once; a number that is none is refused."""
    numbers: list[str] = []
    for value in raw:
        try:
            number = normalize_recipient(str(value)).addr
        except SmscRequestError as err:
            raise validation_error(err) from err
        if number not in numbers:
            numbers.append(number)
    return numbers


def _code(acknowledge: str | None, *, sms: bool) -> str | None:
    """The code a reply must contain: random for `auto` (the default with an SMS), or none."""
    choice = acknowledge or (ACKNOWLEDGE_AUTO if sms else ACKNOWLEDGE_NONE)
    if choice == ACKNOWLEDGE_NONE:
        return None
    if choice == ACKNOWLEDGE_AUTO:
        return new_code()
    if not _CODE.fullmatch(choice):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_acknowledge_code",
            translation_placeholders={"code": choice},
        )
    return choice


def _limit_error(key: str, count: int, limit: int) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"count": str(count), "max": str(limit)},
    )
