"""The smsc.* actions through the real simulator: kinds, encodings, parts, failures, responses."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import DOMAIN
from simulator import SmscSimulator

from .conftest import entry_data, smsc_action

NUMBER = "+79991234567"
ADDR = "79991234567"


@pytest.mark.parametrize(
    ("action", "data", "expected"),
    [
        (
            "send_sms",
            {"message": "Leak in the bathroom"},
            {"kind": "sms", "body": "Leak in the bathroom", "data_coding": 0},
        ),
        (
            "send_sms",
            {"message": "Протечка в ванной", "comment": "automation: leak"},
            {"kind": "sms", "body": "Протечка в ванной", "comment": "automation: leak"},
        ),
        (
            "send_call",
            {"message": "Fire alarm", "voice": "w2", "param": "0,0,0"},
            {"kind": "call", "body": "Fire alarm", "voice": "w2", "param": "0,0,0"},
        ),
        (
            "send_call",
            {"message": "Gate opened"},
            {"kind": "call", "body": "Gate opened", "voice": "m4"},
        ),
        (
            "send_viber",
            {"message": "Parcel delivered"},
            {"kind": "viber", "body": "Parcel delivered"},
        ),
        (
            "send_mms",
            {"message": "Camera snapshot", "subject": "Front door"},
            {"kind": "mms", "body": "Camera snapshot", "subject": "Front door"},
        ),
        (
            "send_email",
            {"message": "Weekly energy report", "subject": "Energy"},
            {"kind": "mail", "body": "Weekly energy report", "subject": "Energy"},
        ),
        (
            "send_social",
            {"message": "Guests arrived"},
            {"kind": "soc", "body": "Guests arrived"},
        ),
        ("hlr_lookup", {}, {"kind": "hlr"}),
        ("send_ping", {}, {"kind": "ping"}),
    ],
    ids=[
        "sms_gsm",
        "sms_cyrillic_comment",
        "call_voice_param",
        "call_default_voice",
        "viber",
        "mms",
        "email",
        "social",
        "hlr",
        "ping",
    ],
)
async def test_each_action_reaches_simulator(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """Each action arrives as exactly the kind, text, voice and subject asked for."""
    response = await smsc_action(hass, action, {"recipients": [NUMBER], **data})
    [received] = await smsc_simulator.wait_for_messages(1)
    assert {key: getattr(received, key) for key in expected} == expected
    assert received.destination_addr == ADDR
    assert (received.dest_addr_ton, received.dest_addr_npi) == (1, 1)
    assert received.registered_delivery & 1
    assert response["results"] == [
        {
            "recipient": ADDR,
            "success": True,
            "message_ids": list(received.message_ids),
            "parts": received.parts,
        }
    ]


async def test_long_cyrillic_sms_is_split(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A 150-character Cyrillic text goes as three UCS-2 parts and is reassembled whole."""
    text = ("Внимание! Датчик протечки сработал. " * 5)[:150]
    response = await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": text})
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.text, received.data_coding, received.parts) == (text, 8, 3)
    assert response["results"][0]["parts"] == 3
    assert response["results"][0]["message_ids"] == list(received.message_ids)


@pytest.mark.parametrize(
    ("encoding", "data_coding"), [("ucs2", 8), ("gsm", 0)], ids=["forced_ucs2", "forced_gsm"]
)
async def test_forced_encoding(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    encoding: str,
    data_coding: int,
) -> None:
    """The caller may force an encoding."""
    await smsc_action(
        hass, "send_sms", {"recipients": [NUMBER], "message": "Hello", "encoding": encoding}
    )
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.text, received.data_coding) == ("Hello", data_coding)


async def test_latin1_needs_iso_bind(hass: HomeAssistant, smsc_simulator: SmscSimulator) -> None:
    """Latin-1 text goes as data_coding 4 on an ISO bind; without it Latin-1 is refused."""
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(smsc_simulator, latin1=True))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Grüße, señor â"})
    [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.text, received.data_coding, received.system_type) == (
        "Grüße, señor â",
        4,
        "ISO",
    )
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_latin1_refused_without_iso(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Forcing Latin-1 on a normal bind is a translated validation error, nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass, "send_sms", {"recipients": [NUMBER], "message": "â", "encoding": "latin1"}
        )
    assert err.value.translation_key == "latin1_requires_iso"
    assert smsc_simulator.submit_count == 0


async def test_partial_failure_reports_each_recipient(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """One bad number does not stop the others; the response says which failed and why."""
    response = await smsc_action(
        hass,
        "send_sms",
        {"recipients": [NUMBER, "not-a-number", "+7 916 000-00-01"], "message": "Hi"},
    )
    received = await smsc_simulator.wait_for_messages(2)
    assert sorted(message.destination_addr for message in received) == ["79160000001", ADDR]
    assert response["sent"] == 2
    assert response["failed"] == 1
    failed = response["results"][1]
    assert failed["recipient"] == "not-a-number"
    assert failed["success"] is False
    assert failed["error_code"] == "invalid_phone_number"
    assert "not-a-number" in failed["error"]


async def test_all_recipients_invalid_raises_translated(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """When nothing can be sent the action raises, with the reason translated."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", {"recipients": ["12"], "message": "Hi"})
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "phone_number_length"
    assert smsc_simulator.submit_count == 0


async def test_duplicate_refused_before_sending(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """The same text to the same number within a minute is refused here, not by SMSC."""
    await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Same text"})
    response = await smsc_action(
        hass,
        "send_sms",
        {"recipients": [NUMBER, "+79160000001"], "message": "Same text"},
    )
    assert [result["success"] for result in response["results"]] == [False, True]
    assert response["results"][0]["error_code"] == "duplicate_message"
    await smsc_simulator.wait_for_messages(2)
    assert smsc_simulator.refusals == []
    assert smsc_simulator.submits_by_destination[ADDR] == 1


async def test_flood_refused_before_sending(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A 51st message in a quick chain to one number is refused before it is sent."""
    for number in range(50):
        await smsc_action(
            hass, "send_sms", {"recipients": [NUMBER], "message": f"Reading {number}"}
        )
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Reading 51"})
    assert err.value.translation_key == "flood_limit"
    assert smsc_simulator.submits_by_destination[ADDR] == 50
    assert smsc_simulator.refusals == []


async def test_smsc_error_names_status(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """A refusal from SMSC raises a HomeAssistantError naming the SMPP status in words."""
    smsc_simulator.throttle_next(1000)
    with pytest.raises(HomeAssistantError, match=r"Throttling error") as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Hi"})
    assert err.value.translation_key == "send_failed"
    assert hass.states.get("sensor.smsc_demo_failed_messages").state == "1"


async def test_counters(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Sent and failed messages are counted per recipient."""
    await smsc_action(
        hass, "send_sms", {"recipients": [NUMBER, "bad", "+79160000001"], "message": "A"}
    )
    assert hass.states.get("sensor.smsc_demo_messages_sent").state == "2"
    assert hass.states.get("sensor.smsc_demo_failed_messages").state == "1"
    assert hass.states.get("sensor.smsc_demo_messages_sent").attributes["state_class"] == (
        "total_increasing"
    )


@pytest.mark.parametrize(
    ("action", "data", "key"),
    [
        ("send_sms", {"recipients": [NUMBER], "message": ""}, "empty_message"),
        (
            "send_sms",
            {"recipients": [NUMBER], "message": "x", "sender": "Far too long name"},
            "sender_too_long",
        ),
        ("send_sms", {"message": "x"}, "no_target"),
        ("send_sms", {"recipients": [NUMBER], "message": "__HLR__"}, "reserved_prefix"),
        ("send_sms", {"recipients": [NUMBER], "message": "x" * 2000}, "too_many_parts"),
    ],
    ids=["empty", "sender", "no_target", "reserved_prefix", "too_long"],
)
async def test_validation_errors_are_translated(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input gets a ServiceValidationError with a translation key, never a traceback."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, action, data)
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, key)
    assert smsc_simulator.submit_count == 0


async def test_account_selection(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """With several accounts the call must name one; a wrong id is refused."""
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="other@127.0.0.1",
        data=entry_data(smsc_simulator),
        title="SMSC other",
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "x"})
    assert err.value.translation_key == "account_required"
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass, "send_sms", {"recipients": [NUMBER], "message": "x", "config_entry_id": "nope"}
        )
    assert err.value.translation_key == "entry_not_found"
    response = await smsc_action(
        hass,
        "send_sms",
        {"recipients": [NUMBER], "message": "x", "config_entry_id": other.entry_id},
    )
    assert response["sent"] == 1
    assert await hass.config_entries.async_unload(other.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass,
            "send_sms",
            {"recipients": [NUMBER], "message": "y", "config_entry_id": other.entry_id},
        )
    assert err.value.translation_key == "entry_not_loaded"


async def test_no_account(hass: HomeAssistant, smsc_simulator: SmscSimulator) -> None:
    """Calling an action with no account set up says so."""
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(smsc_simulator))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "x"})
    assert err.value.translation_key == "no_account"
