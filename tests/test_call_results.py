"""Call results and error meanings: reports, waited-for responses and the Last call sensor."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache,
)

from custom_components.smsc.const import EVENT_DELIVERY_REPORT
from custom_components.smsc.smpp.outcomes import (
    CALL_RESULTS,
    ERROR_SLUGS,
    ERRORS,
    call_result,
    error_slug,
)
from custom_components.smsc.smpp.receipts import DeliveryState
from simulator import SmscSimulator

from .conftest import MUM_PHONE, loaded, smsc_action, wait_until
from .translation_guard import _lookup

LAST_CALL = "sensor.mum_last_call"


@pytest.mark.parametrize(
    ("outcome", "expected", "error", "error_code"),
    [
        ("answered", "answered", None, 0),
        ("no_answer", "no_answer", "no_answer", 237),
        ("busy", "busy", "busy", 240),
        ("answering_machine", "answering_machine", "answering_machine", 242),
        ("failed", "failed", "no_route", 248),
    ],
)
async def test_each_call_outcome_over_the_wire(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    outcome: str,
    expected: str,
    error: str | None,
    error_code: int,
) -> None:
    """The report, the waited-for response and the Last call sensor say how the call ended."""
    smsc_simulator.set_call_outcome(MUM_PHONE, outcome)
    reports = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await smsc_action(
        hass, "send_call", recipients=[MUM_PHONE], message="Water leak", wait_for_delivery=5
    )
    [result] = response["results"]
    assert result["call_result"] == expected
    assert result.get("delivery_error") == error
    await wait_until(lambda: len(reports) == 1)
    data = reports[0].data
    assert data["kind"] == "call"
    assert data["call_result"] == expected
    assert data.get("error") == error
    assert data["error_code"] == error_code
    state = hass.states.get(LAST_CALL)
    assert state.state == expected
    assert state.attributes["error"] == error
    assert state.attributes["error_code"] == (error_code or None)


async def test_sms_report_carries_the_error_but_no_call_result(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """An undelivered SMS names SMSC's reason; only calls have a call result."""
    smsc_simulator.auto_receipts = False
    reports = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Leak in the cellar")
    [sms] = await smsc_simulator.wait_for_messages(1)
    await smsc_simulator.send_delivery_receipt(sms.message_id, stat="UNDELIV", err="006")
    await wait_until(lambda: len(reports) == 1)
    assert reports[0].data["error"] == "subscriber_offline"
    assert "call_result" not in reports[0].data
    assert hass.states.get(LAST_CALL).state == "unknown"


async def test_a_call_without_its_report_yet_has_no_result(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A call still ringing is pending in the response, without a call result."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    response = await smsc_action(
        hass, "send_call", recipients=[MUM_PHONE], message="Smoke", wait_for_delivery=0.2
    )
    [result] = response["results"]
    assert result["delivery_state"] == "pending"
    assert "call_result" not in result


async def test_last_call_restored(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, recipient_entry: MockConfigEntry
) -> None:
    """After a restart the Last call sensor shows the last result and its reason."""
    mock_restore_cache(
        hass, [State(LAST_CALL, "no_answer", {"error": "no_answer", "error_code": 237})]
    )
    async with loaded(hass, recipient_entry):
        state = hass.states.get(LAST_CALL)
        assert state.state == "no_answer"
        assert state.attributes["error_code"] == 237
        assert state.attributes["error"] == "no_answer"


def test_outcomes_of_reports() -> None:
    """SMSC's table: every code has a slug, unknown codes are `other`, no error is None."""
    assert error_slug(None) is None
    assert error_slug(0) is None
    assert error_slug(6) == "subscriber_offline"
    assert error_slug(247) == "daily_limit_exceeded"
    assert error_slug(999) == "other"
    assert call_result(DeliveryState.ENROUTE, None) is None
    assert call_result(DeliveryState.DELIVERED, 0) == "answered"
    assert call_result(DeliveryState.EXPIRED, None) == "failed"
    assert call_result(DeliveryState.UNDELIVERED, 240) == "busy"
    assert set(ERROR_SLUGS.values()) < set(ERRORS)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_slug_is_translated(language: str) -> None:
    """The sensor's states and its error attribute read in English and Russian."""
    base = "entity.sensor.last_call"
    for result in CALL_RESULTS:
        assert _lookup(language, f"{base}.state.{result}")
    for error in ERRORS:
        assert _lookup(language, f"{base}.state_attributes.error.state.{error}")
