"""A send that reached some recipients and not others: each failure logged and fired."""

from __future__ import annotations

import logging

from homeassistant.components.notify import DOMAIN as NOTIFY_DOMAIN
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsc.const import EVENT_SEND_FAILED
from custom_components.smsc.failures import mask_number
from simulator import SmscSimulator

from .conftest import MUM_PHONE, device_with_identifier, smsc_action

OTHER = "79160000001"


def test_mask_number() -> None:
    """The middle of a number is hidden; a short one is hidden whole."""
    assert mask_number("79991234567") == "7999***4567"
    assert mask_number("12345678") == "***"


async def test_action_with_a_refused_recipient_warns_and_fires(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The guard refuses a repeat to one number; the other is sent, the call succeeds."""
    await smsc_action(hass, "send_sms", recipients=[OTHER], message="Leak")
    events: list[Event] = async_capture_events(hass, EVENT_SEND_FAILED)
    caplog.set_level(logging.WARNING)
    response = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE, OTHER], message="Leak")
    await hass.async_block_till_done()
    assert (response["sent"], response["failed"]) == (1, 1)
    assert [event.data for event in events] == [
        {
            "entry_id": init_integration.entry_id,
            "recipient": OTHER,
            "device_id": None,
            "error_code": "duplicate_message",
            "error": response["results"][1]["error"],
        }
    ]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "7916***0001" in warnings[0].getMessage()
    assert OTHER not in warnings[0].getMessage()
    await smsc_simulator.wait_for_messages(2)


async def test_a_recipient_is_named_in_the_warning(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failed number that is one of the account's recipients is logged by its name."""
    await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Gate")
    events: list[Event] = async_capture_events(hass, EVENT_SEND_FAILED)
    caplog.set_level(logging.WARNING)
    await smsc_action(hass, "send_sms", recipients=[MUM_PHONE, OTHER], message="Gate")
    await hass.async_block_till_done()
    device = device_with_identifier(
        hass, init_recipient, f"{init_recipient.entry_id}_{next(iter(init_recipient.subentries))}"
    )
    assert device is not None
    assert [(e.data["recipient"], e.data["device_id"]) for e in events] == [(MUM_PHONE, device.id)]
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "Mum" in warning.getMessage()
    assert MUM_PHONE not in warning.getMessage()


async def test_yaml_notify_with_a_bad_number_fires_and_raises_nothing(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """notify.smsc_sms cannot return a response: the failure reaches the log and the bus."""
    await hass.async_block_till_done()
    events: list[Event] = async_capture_events(hass, EVENT_SEND_FAILED)
    caplog.set_level(logging.WARNING)
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        "smsc_sms",
        {"message": "Water leak!", "target": [f"+{MUM_PHONE}", "not-a-number"]},
        blocking=True,
    )
    await hass.async_block_till_done()
    [message] = await smsc_simulator.wait_for_messages(1)
    assert message.destination_addr == MUM_PHONE
    assert [(e.data["recipient"], e.data["error_code"]) for e in events] == [
        ("not-a-number", "invalid_phone_number")
    ]
    assert any(
        r.levelno == logging.WARNING and "not-***mber" in r.getMessage() for r in caplog.records
    )


async def test_nothing_sent_raises_as_before_and_fires_nothing(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """When every recipient failed the caller gets the error; no per-recipient event."""
    events: list[Event] = async_capture_events(hass, EVENT_SEND_FAILED)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", recipients=["not-a-number", "bad"], message="x")
    assert err.value.translation_key == "invalid_phone_number"
    await hass.async_block_till_done()
    assert events == []
    assert smsc_simulator.submit_count == 0
