"""What SMSC sends back: delivery reports, HLR results and incoming messages."""

from __future__ import annotations

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)

from custom_components.smsc.const import (
    EVENT_DELIVERY_REPORT,
    EVENT_HLR_RESULT,
    EVENT_MESSAGE_RECEIVED,
)
from simulator import SmscSimulator

from .conftest import MUM_PHONE, device_with_identifier, loaded, smsc_action, wait_until

STRANGER = "79160000001"


@pytest.mark.parametrize("id_format", ["decimal", "hex"])
async def test_delivery_report_event_and_recipient_sensor(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_recipient: MockConfigEntry,
    id_format: str,
) -> None:
    """A sent SMS's receipt fires an event naming its recipient and updates the sensor."""
    smsc_simulator.receipt_id_format = id_format
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Hello Mum")
    [message_id] = response["results"][0]["message_ids"]
    await wait_until(lambda: bool(events))
    data = events[0].data
    assert data["entry_id"] == init_recipient.entry_id
    assert data["recipient"] == MUM_PHONE
    assert data["kind"] == "sms"
    assert (data["status"], data["state"], data["error_code"]) == ("DELIVRD", "delivered", 0)
    assert int(message_id) == int(data["message_id"], 16 if id_format == "hex" else 10)
    assert data["done_date"] is not None
    await hass.async_block_till_done()
    assert hass.states.get("sensor.mum_last_delivery").state == "delivered"
    event_state = hass.states.get("event.smsc_demo_delivery_report")
    assert event_state.attributes["event_type"] == "delivered"
    assert event_state.attributes["recipient"] == MUM_PHONE


async def test_undelivered_report(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A failed delivery is reported as undelivered with SMSC's error code."""
    smsc_simulator.auto_receipts = False
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Are you there?")
    [message_id] = response["results"][0]["message_ids"]
    await smsc_simulator.send_delivery_receipt(message_id, stat="UNDELIV", err="011")
    await wait_until(lambda: bool(events))
    assert (events[0].data["state"], events[0].data["error_code"]) == ("undelivered", 11)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.mum_last_delivery").state == "undelivered"


async def test_report_for_unknown_id_still_fires(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A report for a message this Home Assistant did not send is still an event."""
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await smsc_simulator.send_delivery_receipt("987654", stat="EXPIRED", err="000")
    await wait_until(lambda: bool(events))
    assert events[0].data["message_id"] == "987654"
    assert events[0].data["recipient"] is None
    assert events[0].data["state"] == "expired"
    assert init_integration.runtime_data.counters.unmatched_reports == 1


async def test_unparsable_report_is_answered_and_counted(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A report that cannot be read is still answered, logged once and counted."""
    for _ in range(2):
        await smsc_simulator.send_delivery_receipt("", stat="DELIVRD", tlvs=False)
    await smsc_simulator.wait_for_deliver_sm_resps(2)
    hub = init_integration.runtime_data
    await wait_until(lambda: hub.counters.unparsed_reports == 2)
    warnings = [
        r
        for r in caplog.records
        if "Could not parse a report" in r.getMessage() and r.levelname == "WARNING"
    ]
    assert len(warnings) == 1  # the same kind of failure is logged once
    assert hub.connected


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # HLR-only ones too
async def test_hlr_lookup_result(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """smsc.hlr_lookup's answer fires an event with decoded names and updates the entities."""
    events = async_capture_events(hass, EVENT_HLR_RESULT)
    response = await smsc_action(hass, "hlr_lookup", recipients=["+7 999 123-45-67"])
    await wait_until(lambda: bool(events))
    data = events[0].data
    assert data["recipient"] == MUM_PHONE
    assert data["message_id"] == response["results"][0]["message_ids"][0]
    assert (data["country"], data["network"]) == (
        "Russian Federation",
        "MegaFON open Joint Stock Company",
    )
    assert (data["mcc"], data["mnc"]) == ("250", "02")
    assert "imsi" not in data
    assert "msc" not in data
    assert (data["roaming"], data["roaming_country"], data["reachable"]) == (False, None, True)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.mum_reachable").state == STATE_ON
    assert hass.states.get("binary_sensor.mum_roaming").state == STATE_OFF
    assert hass.states.get("sensor.mum_network").state == "MegaFON open Joint Stock Company"
    assert hass.states.get("sensor.mum_country").state == "Russian Federation"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # HLR-only ones too
async def test_hlr_roaming(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """A subscriber abroad shows as roaming, with the foreign network."""
    smsc_simulator.auto_receipts = False
    events = async_capture_events(hass, EVENT_HLR_RESULT)
    response = await smsc_action(hass, "hlr_lookup", recipients=[MUM_PHONE])
    [message_id] = response["results"][0]["message_ids"]
    await smsc_simulator.send_hlr_result(
        message_id, roaming_country="Türkiye", roaming_network="Turkcell"
    )
    await wait_until(lambda: bool(events))
    assert (events[0].data["roaming"], events[0].data["roaming_network"]) == (True, "Turkcell")
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.mum_roaming").state == STATE_ON


async def test_incoming_multipart_cyrillic(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """An incoming message in three UCS-2 parts fires one event with the whole text."""
    events = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)
    text = "Привет! Это длинное входящее сообщение, которое пришло в нескольких частях. " * 2
    parts = await smsc_simulator.inject_incoming("79160000009", "HomeSMS", text, max_part_units=67)
    assert parts == 3
    await wait_until(lambda: bool(events))
    data = events[0].data
    assert (data["sender"], data["recipient"], data["text"], data["parts"]) == (
        "79160000009",
        "HomeSMS",
        text,
        3,
    )
    await hass.async_block_till_done()
    state = hass.states.get("event.smsc_demo_incoming_message")
    assert state.attributes["text"] == text
    await smsc_simulator.wait_for_deliver_sm_resps(3)


async def test_wait_for_delivery_returns_final_state(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """With wait_for_delivery the response carries the delivery state, or pending."""
    smsc_simulator.receipt_delay = 0.2
    response = await smsc_action(
        hass, "send_call", recipients=[MUM_PHONE], message="Call me", wait_for_delivery=5
    )
    assert response["results"][0]["delivery_state"] == "delivered"

    smsc_simulator.auto_receipts = False
    response = await smsc_action(
        hass, "send_sms", recipients=[MUM_PHONE], message="No answer", wait_for_delivery=0.3
    )
    assert response["results"][0]["delivery_state"] == "pending"


async def test_wait_for_undelivered_call_then_sms(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """An automation can call and, if the call is not delivered, send an SMS."""
    smsc_simulator.auto_receipts = False

    async def refuse_call() -> None:
        [call] = await smsc_simulator.wait_for_messages(1)
        await smsc_simulator.send_delivery_receipt(call.message_id, stat="UNDELIV", err="001")

    refusal = hass.async_create_task(refuse_call())
    response = await smsc_action(
        hass, "send_call", recipients=[MUM_PHONE], message="Wake up", wait_for_delivery=5
    )
    await refusal
    assert response["results"][0]["delivery_state"] == "undelivered"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # HLR-only ones too
async def test_recipient_entities_restored(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, recipient_entry: MockConfigEntry
) -> None:
    """After a restart the recipient's last known states come back."""
    mock_restore_cache(
        hass,
        [
            State("sensor.mum_last_delivery", "undelivered"),
            State("sensor.mum_network", "Beeline"),
            State("binary_sensor.mum_roaming", STATE_ON),
            State("sensor.smsc_demo_messages_sent", "41"),
        ],
    )
    recipient_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(recipient_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.mum_last_delivery").state == "undelivered"
    assert hass.states.get("sensor.mum_network").state == "Beeline"
    assert hass.states.get("binary_sensor.mum_roaming").state == STATE_ON
    assert hass.states.get("sensor.smsc_demo_messages_sent").state == "41"
    await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="One more")
    assert hass.states.get("sensor.smsc_demo_messages_sent").state == "42"
    assert await hass.config_entries.async_unload(recipient_entry.entry_id)


async def test_reports_name_the_recipients_device(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """Reports about a recipient's number carry its device_id; others carry null."""
    smsc_simulator.auto_receipts = False
    [subentry_id] = init_recipient.subentries
    mum = device_with_identifier(hass, init_recipient, f"{init_recipient.entry_id}_{subentry_id}")
    assert mum is not None
    reports = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    hlr_results = async_capture_events(hass, EVENT_HLR_RESULT)
    incoming = async_capture_events(hass, EVENT_MESSAGE_RECEIVED)

    response = await smsc_action(
        hass, "send_sms", recipients=[MUM_PHONE, STRANGER], message="Where are you?"
    )
    for result in response["results"]:
        await smsc_simulator.send_delivery_receipt(result["message_ids"][0], stat="DELIVRD")
    response = await smsc_action(hass, "hlr_lookup", recipients=[MUM_PHONE])
    await smsc_simulator.send_hlr_result(response["results"][0]["message_ids"][0])
    await smsc_simulator.inject_incoming(MUM_PHONE, "HomeSMS", "At the shop")
    await smsc_simulator.inject_incoming(STRANGER, "HomeSMS", "Wrong number")
    await wait_until(lambda: len(reports) == 2 and len(hlr_results) == 1 and len(incoming) == 2)

    assert {event.data["recipient"]: event.data["device_id"] for event in reports} == {
        MUM_PHONE: mum.id,
        STRANGER: None,
    }
    assert hlr_results[0].data["device_id"] == mum.id
    assert [(event.data["sender"], event.data["device_id"]) for event in incoming] == [
        (MUM_PHONE, mum.id),
        (STRANGER, None),
    ]
    await hass.async_block_till_done()
    assert hass.states.get("event.smsc_demo_delivery_report").attributes["device_id"] is None
    # Only recipients' numbers are remembered: the memory is bounded by the recipients.
    assert set(init_recipient.runtime_data.recipients) == {MUM_PHONE}


async def test_smsc_unknown_is_not_home_assistants_unknown(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_recipient: MockConfigEntry
) -> None:
    """SMSC's UNKNOWN is `status_unknown` everywhere Home Assistant shows a delivery state."""
    smsc_simulator.auto_receipts = False
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await smsc_action(hass, "send_sms", recipients=[MUM_PHONE], message="Hello?")
    await smsc_simulator.send_delivery_receipt(
        response["results"][0]["message_ids"][0], stat="UNKNOWN"
    )
    await wait_until(lambda: bool(events))
    assert (events[0].data["status"], events[0].data["state"]) == ("UNKNOWN", "status_unknown")
    await hass.async_block_till_done()
    sensor = hass.states.get("sensor.mum_last_delivery")
    assert sensor.state == "status_unknown"
    assert "status_unknown" in sensor.attributes["options"]
    assert "unknown" not in sensor.attributes["options"]
    event = hass.states.get("event.smsc_demo_delivery_report")
    assert event.attributes["event_type"] == "status_unknown"
    assert "unknown" not in event.attributes["event_types"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("unknown", "status_unknown"), ("status_unknown", "status_unknown"), ("garbled", "unknown")],
)
async def test_restored_delivery_state_in_todays_words(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    recipient_entry: MockConfigEntry,
    stored: str,
    shown: str,
) -> None:
    """A value stored before the rename comes back renamed; one no longer known is dropped."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.mum_last_delivery", stored),
                {"native_value": stored, "native_unit_of_measurement": None},
            )
        ],
    )
    async with loaded(hass, recipient_entry):
        assert hass.states.get("sensor.mum_last_delivery").state == shown
