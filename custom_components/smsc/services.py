"""Actions of the SMSC integration: one per kind of message SMSC carries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
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
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service as service_helper
import voluptuous as vol

from .const import DOMAIN
from .failures import async_report_partial_failure
from .hub import SmscConfigEntry, SmscHub
from .models import RecipientResult
from .smpp.compose import VOICES, Encoding, MessageKind, MessageRequest
from .smpp.errors import SmscRequestError
from .targets import async_target_recipients

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

# Core's check of an action's `config_entry_id` (found, of this domain, loaded), with core's
# translated errors; newer than Home Assistant 2025.4, which gets the same checks below.
_CORE_GET_CONFIG_ENTRY: Final[Callable[[HomeAssistant, str, str], Any] | None] = getattr(
    service_helper, "async_get_config_entry", None
)

_COMMON: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_RECIPIENTS, default=list): vol.All(cv.ensure_list, [cv.string]),
    # The target: recipients' notify entities and devices, and areas, floors and labels that
    # hold them (services.yaml's `target:`; a script's `target:` arrives here as well).
    vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_AREA_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_FLOOR_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_LABEL_ID): vol.All(cv.ensure_list, [cv.string]),
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
        request = MessageRequest(
            kind=kind,
            message=call.data.get(ATTR_MESSAGE, ""),
            voice=call.data.get(ATTR_VOICE),
            subject=call.data.get(ATTR_SUBJECT),
            param=call.data.get(ATTR_PARAM),
            comment=call.data.get(ATTR_COMMENT),
        )
        results = await async_send_each(
            account_sends(call),
            request,
            sender=call.data.get(ATTR_SENDER),
            encoding=Encoding(call.data.get(ATTR_ENCODING, Encoding.AUTO)),
            wait_for_delivery=call.data.get(ATTR_WAIT_FOR_DELIVERY),
        )
        return response_data(results)

    return handle


@callback
def account_sends(call: ServiceCall) -> list[tuple[SmscHub, list[str]]]:
    """Each account with the recipients it sends to: the numbers, then the target's recipients.

    A target's recipient goes through its own account. Plain numbers have none: they go
    through `config_entry_id`'s account, which is needed only when several are loaded.
    """
    hass = call.hass
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    chosen = _checked_hub(hass, entry_id) if entry_id is not None else None
    loaded: list[SmscConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    if chosen is None and not loaded:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_account")
    hubs: dict[str, SmscHub] = {entry.entry_id: entry.runtime_data for entry in loaded}
    targeted = async_target_recipients(
        hass, {entry_id: hub.recipient_phones() for entry_id, hub in hubs.items()}, call.data
    )
    sends: dict[str, tuple[SmscHub, list[str]]] = {}
    if numbers := call.data[ATTR_RECIPIENTS]:
        if chosen is None and len(loaded) > 1:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="account_required"
            )
        hub = chosen or loaded[0].runtime_data
        sends[hub.entry.entry_id] = (hub, list(numbers))
    for owner, phone in targeted:
        sends.setdefault(owner, (hubs[owner], []))[1].append(phone)
    if not sends:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
    return list(sends.values())


async def async_send(
    hub: SmscHub,
    request: MessageRequest,
    recipients: list[str],
    *,
    sender: str | None = None,
    encoding: Encoding = Encoding.AUTO,
    wait_for_delivery: float | None = None,
) -> list[RecipientResult]:
    """Send through one account; raise when nothing went out, report partial failures."""
    return await async_send_each(
        [(hub, recipients)],
        request,
        sender=sender,
        encoding=encoding,
        wait_for_delivery=wait_for_delivery,
    )


async def async_send_each(
    sends: Sequence[tuple[SmscHub, Sequence[str]]],
    request: MessageRequest,
    *,
    sender: str | None = None,
    encoding: Encoding = Encoding.AUTO,
    wait_for_delivery: float | None = None,
) -> list[RecipientResult]:
    """Send through each account to its recipients; the results merged, in the order given.

    Raise when nothing went out anywhere; otherwise report each recipient's failure in its
    result. A text or sender one account cannot take fails that account's recipients only, so
    what another account has sent is reported rather than hidden behind an error.
    """
    batches = await asyncio.gather(
        *(
            _send_through(
                hub,
                request,
                recipients,
                sender=sender,
                encoding=encoding,
                wait_for_delivery=wait_for_delivery,
            )
            for hub, recipients in sends
        )
    )
    results = [result for batch in batches for result in batch]
    failures = [result for result in results if result.error is not None]
    if len(failures) < len(results):
        # An account whose recipients all failed, or that refused the request as a whole,
        # reported nothing itself: what went out through another makes it a partial failure.
        for (hub, _), batch in zip(sends, batches, strict=True):
            if all(result.error is not None for result in batch):
                async_report_partial_failure(hub.hass, hub.entry, batch, sent_elsewhere=True)
    if failures and len(failures) == len(results):
        # Nothing went out. A fault of the session or of SMSC outranks a refusal of the input:
        # it is what the caller can least see coming, and retrying may help.
        refusals = [f.refusal for f in failures if f.refusal is not None]
        if len(refusals) == len(failures):
            raise validation_error(refusals[0])
        failed = next(f for f in failures if f.refusal is None)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=failed.error_code,
            translation_placeholders=failed.error_placeholders,
        )
    return results


async def _send_through(
    hub: SmscHub,
    request: MessageRequest,
    recipients: Sequence[str],
    *,
    sender: str | None,
    encoding: Encoding,
    wait_for_delivery: float | None,
) -> list[RecipientResult]:
    """One account's send; input the account refuses as a whole is each recipient's refusal."""
    try:
        return await hub.async_send(
            request,
            recipients,
            sender=sender,
            encoding=encoding,
            wait_for_delivery=wait_for_delivery,
        )
    except SmscRequestError as err:
        refused = [RecipientResult(recipient=str(recipient)) for recipient in recipients]
        for result in refused:
            result.refuse(err)
        return refused


def response_data(results: list[RecipientResult]) -> ServiceResponse:
    """The action response: one entry per recipient, in the order given."""
    return {
        "results": [result.as_dict() for result in results],
        "sent": sum(1 for result in results if result.error is None),
        "failed": sum(1 for result in results if result.error is not None),
    }


def validation_error(err: SmscRequestError) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.translation_key,
        translation_placeholders=err.translation_placeholders,
    )


def _checked_hub(hass: HomeAssistant, entry_id: str) -> SmscHub:
    """The hub of the loaded account `config_entry_id` names; a translated error otherwise."""
    if _CORE_GET_CONFIG_ENTRY is not None:
        entry: SmscConfigEntry = _CORE_GET_CONFIG_ENTRY(hass, DOMAIN, entry_id)
        return entry.runtime_data
    # Home Assistant 2025.4 has no such helper: the same checks, under our own keys.
    found: SmscConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if found is None or found.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if found.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": found.title},
        )
    return found.runtime_data
