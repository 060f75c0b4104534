"""Actions of the SMSC integration: one per kind of message SMSC carries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
import voluptuous as vol

from .const import DOMAIN
from .entity import device_owner
from .hub import SmscHub
from .models import RecipientResult
from .smpp.compose import VOICES, Encoding, MessageKind, MessageRequest
from .smpp.errors import SmscRequestError

if TYPE_CHECKING:
    from . import SmscConfigEntry

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_SENDER: Final = "sender"
ATTR_COMMENT: Final = "comment"
ATTR_VOICE: Final = "voice"
ATTR_PARAM: Final = "param"
ATTR_SUBJECT: Final = "subject"
ATTR_ENCODING: Final = "encoding"
ATTR_WAIT_FOR_DELIVERY: Final = "wait_for_delivery"
MAX_WAIT_FOR_DELIVERY: Final = 600

_COMMON: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_RECIPIENTS, default=list): vol.All(cv.ensure_list, [cv.string]),
    # Recipient devices and their notify entities, picked in the UI's target selector.
    vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_SENDER): cv.string,
    vol.Optional(ATTR_COMMENT): cv.string,
    vol.Optional(ATTR_WAIT_FOR_DELIVERY): vol.All(
        vol.Coerce(float), vol.Range(min=0, max=MAX_WAIT_FOR_DELIVERY)
    ),
}
_MESSAGE: Final[dict[vol.Marker, Any]] = {vol.Required(ATTR_MESSAGE): cv.string}


@dataclass(frozen=True, slots=True)
class _Action:
    kind: MessageKind
    fields: dict[vol.Marker, Any]


ACTIONS: Final[dict[str, _Action]] = {
    "send_sms": _Action(
        MessageKind.SMS,
        {**_MESSAGE, vol.Optional(ATTR_ENCODING): vol.In([e.value for e in Encoding])},
    ),
    "send_call": _Action(
        MessageKind.CALL,
        {
            **_MESSAGE,
            vol.Optional(ATTR_VOICE): vol.In(VOICES),
            vol.Optional(ATTR_PARAM): cv.string,
        },
    ),
    "send_viber": _Action(MessageKind.VIBER, dict(_MESSAGE)),
    "send_mms": _Action(MessageKind.MMS, {**_MESSAGE, vol.Required(ATTR_SUBJECT): cv.string}),
    "send_email": _Action(MessageKind.EMAIL, {**_MESSAGE, vol.Required(ATTR_SUBJECT): cv.string}),
    "send_social": _Action(MessageKind.SOCIAL, dict(_MESSAGE)),
    "hlr_lookup": _Action(MessageKind.HLR, {}),
    "send_ping": _Action(MessageKind.PING, {}),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action once for the domain."""
    for name, action in ACTIONS.items():
        hass.services.async_register(
            DOMAIN,
            name,
            _handler(action.kind),
            schema=vol.Schema({**_COMMON, **action.fields}),
            supports_response=SupportsResponse.OPTIONAL,
        )


def _handler(kind: MessageKind) -> Callable[[ServiceCall], Any]:
    async def handle(call: ServiceCall) -> ServiceResponse:
        hub = _hub_for(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
        request = MessageRequest(
            kind=kind,
            message=call.data.get(ATTR_MESSAGE, ""),
            voice=call.data.get(ATTR_VOICE),
            subject=call.data.get(ATTR_SUBJECT),
            param=call.data.get(ATTR_PARAM),
            comment=call.data.get(ATTR_COMMENT),
        )
        recipients = [
            *call.data[ATTR_RECIPIENTS],
            *_recipients_of_targets(
                hub, call.data.get(ATTR_ENTITY_ID, []), call.data.get(ATTR_DEVICE_ID, [])
            ),
        ]
        if not recipients:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
        results = await async_send(
            hub,
            request,
            recipients,
            sender=call.data.get(ATTR_SENDER),
            encoding=Encoding(call.data.get(ATTR_ENCODING, Encoding.AUTO)),
            wait_for_delivery=call.data.get(ATTR_WAIT_FOR_DELIVERY),
        )
        return response_data(results)

    return handle


async def async_send(
    hub: SmscHub,
    request: MessageRequest,
    recipients: list[str],
    *,
    sender: str | None = None,
    encoding: Encoding = Encoding.AUTO,
    wait_for_delivery: float | None = None,
) -> list[RecipientResult]:
    """Send through the hub; raise when nothing went out, report partial failures."""
    try:
        results = await hub.async_send(
            request,
            recipients,
            sender=sender,
            encoding=encoding,
            wait_for_delivery=wait_for_delivery,
        )
    except SmscRequestError as err:
        raise _validation_error(err) from err
    failures = [result for result in results if result.error is not None]
    if failures and len(failures) == len(results):
        refusal = failures[0].refusal
        if refusal is not None and all(f.refusal is not None for f in failures):
            raise _validation_error(refusal)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="send_failed",
            translation_placeholders={
                "details": "; ".join(f"{f.recipient}: {f.error}" for f in failures)
            },
        )
    return results


def response_data(results: list[RecipientResult]) -> ServiceResponse:
    """The action response: one entry per recipient, in the order given."""
    return {
        "results": [result.as_dict() for result in results],
        "sent": sum(1 for result in results if result.error is None),
        "failed": sum(1 for result in results if result.error is not None),
    }


def _validation_error(err: SmscRequestError) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.translation_key,
        translation_placeholders=err.translation_placeholders,
    )


def _hub_for(hass: HomeAssistant, entry_id: str | None) -> SmscHub:
    if entry_id is not None:
        entry: SmscConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        return entry.runtime_data
    loaded: list[SmscConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_account")
    if len(loaded) > 1:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="account_required")
    return loaded[0].runtime_data


def _recipients_of_targets(hub: SmscHub, entity_ids: list[str], device_ids: list[str]) -> list[str]:
    """Phone numbers of the recipient subentries behind picked entities and devices."""
    phones = hub.recipient_phones()
    subentry_ids: list[str] = []
    entity_registry = er.async_get(hub.hass)
    for entity_id in entity_ids:
        entry = entity_registry.async_get(entity_id)
        if entry is None or entry.config_subentry_id not in phones:
            raise _not_a_recipient(entity_id)
        subentry_ids.append(entry.config_subentry_id)
    device_registry = dr.async_get(hub.hass)
    for device_id in device_ids:
        device = device_registry.async_get(device_id)
        owner = device_owner(device) if device is not None else None
        if owner is None or owner[0] != hub.entry.entry_id or owner[1] not in phones:
            raise _not_a_recipient(device_id)
        subentry_ids.append(owner[1])
    return [phones[subentry_id] for subentry_id in dict.fromkeys(subentry_ids)]


def _not_a_recipient(target: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_recipient",
        translation_placeholders={"target": target},
    )
