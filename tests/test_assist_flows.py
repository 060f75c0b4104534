"""Forms of "Text your home": Assist and the PIN on a recipient, the account's Assist options."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import (
    CONF_ASSIST,
    CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_ANSWERS_PER_HOUR,
    CONF_ASSIST_LANGUAGE,
    CONF_CHANNELS,
    CONF_PHONE_NUMBER,
    CONF_PIN,
)
from simulator import SmscSimulator

from .conftest import MUM_PHONE

PIN = "4711"


async def _recipient_form(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str | None = None
) -> dict[str, Any]:
    context = (
        {"source": "reconfigure", "subentry_id": subentry_id} if subentry_id else {"source": "user"}
    )
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context=context
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


def _fields(result: dict[str, Any]) -> dict[str, Any]:
    """The form's fields by name, with their default (None when there is none)."""
    fields = {}
    for marker in result["data_schema"].schema:
        default = marker.default() if callable(marker.default) else None
        fields[str(marker)] = default
    return fields


async def test_add_a_recipient_who_may_talk_to_assist(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Assist is off by default; a short PIN is refused with a translated error; then stored."""
    result = await _recipient_form(hass, init_recipient)
    fields = _fields(result)
    assert fields[CONF_ASSIST] is False
    assert CONF_PIN in fields
    assert "remove_pin" not in fields
    dad = {CONF_NAME: "Dad", CONF_PHONE_NUMBER: "+79160000002", CONF_CHANNELS: ["sms"]}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**dad, CONF_ASSIST: True, CONF_PIN: "12 3"}
    )
    assert result["errors"] == {CONF_PIN: "invalid_pin"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**dad, CONF_ASSIST: True, CONF_PIN: f" {PIN} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    [subentry] = [s for s in init_recipient.subentries.values() if s.title == "Dad"]
    assert subentry.data == {
        CONF_NAME: "Dad",
        CONF_PHONE_NUMBER: "79160000002",
        CONF_CHANNELS: ["sms"],
        CONF_ASSIST: True,
        CONF_PIN: PIN,
    }


async def test_reconfigure_keeps_replaces_and_removes_the_pin(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """The PIN is never shown; left empty it stays, typed it is replaced, and it can go."""
    [subentry_id] = init_recipient.subentries
    mum = {CONF_NAME: "Mum", CONF_PHONE_NUMBER: MUM_PHONE, CONF_CHANNELS: ["sms"]}

    async def reconfigure(user_input: dict[str, Any]) -> dict[str, Any]:
        result = await _recipient_form(hass, init_recipient, subentry_id)
        fields = _fields(result)
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**mum, **user_input}
        )
        assert (result["type"], result["reason"]) == ("abort", "reconfigure_successful")
        await hass.async_block_till_done()
        return fields

    fields = await reconfigure({CONF_ASSIST: True, CONF_PIN: PIN})
    assert (fields[CONF_ASSIST], fields[CONF_PIN]) == (False, None)
    assert init_recipient.subentries[subentry_id].data[CONF_PIN] == PIN

    fields = await reconfigure({CONF_ASSIST: True})
    assert (fields[CONF_ASSIST], fields[CONF_PIN], fields["remove_pin"]) == (True, None, False)
    assert init_recipient.subentries[subentry_id].data[CONF_PIN] == PIN

    await reconfigure({CONF_ASSIST: True, CONF_PIN: "0815"})
    assert init_recipient.subentries[subentry_id].data[CONF_PIN] == "0815"

    await reconfigure({CONF_ASSIST: False, "remove_pin": True})
    assert init_recipient.subentries[subentry_id].data == mum | {CONF_PHONE_NUMBER: MUM_PHONE}


async def test_assist_options_in_their_section(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Agent, language and answers per hour are stored flat; a form without the section keeps
    them; an emptied language follows Home Assistant's."""
    sending = {
        "max_parts": 6,
        "use_message_payload": False,
        "sms_encoding": "auto",
        "max_rate": 30,
        "submit_window": 30,
    }

    async def set_options(user_input: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
        section = result["data_schema"].schema["assist"]
        defaults = {str(m): m.default() for m in section.schema.schema if callable(m.default)}
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**sending, **user_input}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        return defaults

    defaults = await set_options(
        {
            "assist": {
                CONF_ASSIST_AGENT: "conversation.other",
                CONF_ASSIST_LANGUAGE: "ru",
                CONF_ASSIST_ANSWERS_PER_HOUR: 5,
                CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: 12,
            }
        }
    )
    assert defaults == {
        CONF_ASSIST_AGENT: "conversation.home_assistant",
        CONF_ASSIST_ANSWERS_PER_HOUR: 20,
        CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: 60,
    }
    assert init_integration.options == {
        **sending,
        CONF_ASSIST_AGENT: "conversation.other",
        CONF_ASSIST_LANGUAGE: "ru",
        CONF_ASSIST_ANSWERS_PER_HOUR: 5,
        CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: 12,
    }
    limit = init_integration.runtime_data.assist.limit
    assert (limit.per_hour, limit.account_per_hour) == (5, 12)

    await set_options({})
    assert init_integration.options[CONF_ASSIST_LANGUAGE] == "ru"

    await set_options({"assist": {CONF_ASSIST_AGENT: "conversation.other"}})
    assert init_integration.options == {
        **sending,
        CONF_ASSIST_AGENT: "conversation.other",
        CONF_ASSIST_ANSWERS_PER_HOUR: 5,
        CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: 12,
    }
