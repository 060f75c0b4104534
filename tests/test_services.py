"""The smsc.* actions through the real simulator: kinds, encodings, parts, failures, responses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    label_registry as lr,
    service as service_helper,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsc.const import (
    CONF_CHANNELS,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_SEND_FAILED,
    SUBENTRY_RECIPIENT,
)
from custom_components.smsc.notify_names import CONF_NOTIFY_SUFFIX
from custom_components.smsc.smpp.compose import MessageKind, MessageRequest
from simulator import SmscSimulator

from .conftest import (
    MUM_PHONE,
    account_entry,
    device_with_identifier,
    entry_data,
    loaded,
    smsc_action,
)

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


async def test_the_same_text_sent_twice_at_once_is_refused_here(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Two automations send the same alarm to one number at the same moment: one SMS goes,
    the other call is told it is a duplicate, and SMSC never sees (or refuses) a second."""
    first, second = await asyncio.gather(
        smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Smoke!"}),
        smsc_action(
            hass, "send_sms", {"recipients": [NUMBER, "+79160000001"], "message": "Smoke!"}
        ),
    )
    assert first["results"][0]["success"] is True
    assert [result.get("error_code") for result in second["results"]] == [
        "duplicate_message",
        None,
    ]
    await smsc_simulator.wait_for_messages(2)
    assert smsc_simulator.submits_by_destination[ADDR] == 1
    assert smsc_simulator.refusals == []


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
    """A refusal from SMSC raises a translated error; the SMPP status is a placeholder."""
    smsc_simulator.throttle_next(1000)
    with pytest.raises(HomeAssistantError, match=r"ESME_RTHROTTLED") as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "Hi"})
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, "smsc_refused")
    assert err.value.translation_placeholders == {
        "recipient": ADDR,
        "status": "0x00000058",
        "status_name": "ESME_RTHROTTLED",
    }
    assert hass.states.get("sensor.smsc_demo_failed_messages").state == "1"


async def test_session_failure_is_translated(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    mock_config_entry: MockConfigEntry,
    session_tuning: dict[str, float],
) -> None:
    """With SMSC away the action raises the session's own translated reason.

    A fault of the session outranks a refusal of another recipient's number, and the
    response of each recipient carries the same key as `error_code`.
    """
    session_tuning["submit_timeout"] = 0.3
    async with loaded(hass, mock_config_entry):
        await smsc_simulator.stop()
        with pytest.raises(HomeAssistantError) as err:
            await smsc_action(hass, "send_sms", recipients=["not-a-number", NUMBER], message="Hi")
        assert (err.value.translation_domain, err.value.translation_key) == (
            DOMAIN,
            "not_connected",
        )
        assert err.value.translation_placeholders == {"recipient": ADDR}
        [result] = await mock_config_entry.runtime_data.async_send(
            MessageRequest(kind=MessageKind.SMS, message="Hello"), [NUMBER]
        )
        assert result.as_dict() == {
            "recipient": ADDR,
            "success": False,
            "error": (
                f"SMSC was not connected in time, so the message to {ADDR} was not sent; the "
                "connection is being restored."
            ),
            "error_code": "not_connected",
        }


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


def assert_config_entry_refused(err: ServiceValidationError, ours: str, core: str) -> None:
    """Core's translated refusal where Home Assistant checks `config_entry_id`, else ours."""
    if hasattr(service_helper, "async_get_config_entry"):
        assert (err.translation_domain, err.translation_key) == ("homeassistant", core)
    else:
        assert (err.translation_domain, err.translation_key) == (DOMAIN, ours)


async def test_account_selection(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """With several accounts, plain numbers need config_entry_id; a wrong id is refused."""
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
    assert_config_entry_refused(err.value, "entry_not_found", "service_config_entry_not_found")
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
    assert_config_entry_refused(err.value, "entry_not_loaded", "service_config_entry_not_loaded")


async def test_no_account(hass: HomeAssistant, smsc_simulator: SmscSimulator) -> None:
    """Calling an action with no account set up says so."""
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(smsc_simulator))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": "x"})
    assert err.value.translation_key == "no_account"


# --- targets: entities, devices, areas, floors and labels -------------------------------------

DAD_PHONE = "79160000002"
GRAN_PHONE = "79160000003"


@pytest.fixture
async def family(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> AsyncIterator[MockConfigEntry]:
    """An account with three recipients: Mum, Dad and Gran."""
    entry = account_entry(
        smsc_simulator,
        subentries_data=[
            ConfigSubentryData(
                data={CONF_NAME: name, CONF_PHONE_NUMBER: phone, CONF_CHANNELS: ["sms"]},
                subentry_type=SUBENTRY_RECIPIENT,
                title=name,
                unique_id=phone,
            )
            for name, phone in (("Mum", MUM_PHONE), ("Dad", DAD_PHONE), ("Gran", GRAN_PHONE))
        ],
    )
    async with loaded(hass, entry):
        yield entry


def recipient_device(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> dr.DeviceEntry:
    """The device of the recipient with this name."""
    [subentry_id] = [s.subentry_id for s in entry.subentries.values() if s.title == name]
    device = device_with_identifier(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert device is not None
    return device


async def test_action_aimed_at_an_area_reaches_the_recipients_in_it(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """An area holds recipients by their device or by a notify entity placed there alone."""
    kitchen = area_registry.async_create("Kitchen")
    device_registry.async_update_device(
        recipient_device(hass, family, "Mum").id, area_id=kitchen.id
    )
    entity_registry.async_update_entity("notify.gran_sms", area_id=kitchen.id)

    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"message": "Dinner is ready"},
        target={"area_id": kitchen.id},
        blocking=True,
        return_response=True,
    )

    received = await smsc_simulator.wait_for_messages(2)
    assert sorted(message.destination_addr for message in received) == [GRAN_PHONE, MUM_PHONE]
    assert all(message.body == "Dinner is ready" for message in received)
    assert sorted(result["recipient"] for result in response["results"]) == [
        GRAN_PHONE,
        MUM_PHONE,
    ]
    assert DAD_PHONE not in smsc_simulator.submits_by_destination


async def test_labels_floors_and_numbers_together_each_once(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,
    area_registry: ar.AreaRegistry,
    floor_registry: fr.FloorRegistry,
    label_registry: lr.LabelRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A label and a floor resolve to their recipients; one named twice is sent to once."""
    parents = label_registry.async_create("Parents")
    for name in ("Mum", "Dad"):
        device_registry.async_update_device(
            recipient_device(hass, family, name).id, labels={parents.label_id}
        )
    upstairs = floor_registry.async_create("Upstairs")
    bedroom = area_registry.async_create("Bedroom", floor_id=upstairs.floor_id)
    device_registry.async_update_device(
        recipient_device(hass, family, "Dad").id, area_id=bedroom.id
    )

    response = await smsc_action(
        hass,
        "hlr_lookup",
        recipients=["+7 916 000-00-03"],
        label_id=parents.label_id,
        floor_id=upstairs.floor_id,
        entity_id="notify.mum_sms",
    )

    await smsc_simulator.wait_for_messages(3)
    assert sorted(smsc_simulator.submits_by_destination) == [DAD_PHONE, GRAN_PHONE, MUM_PHONE]
    assert all(count == 1 for count in smsc_simulator.submits_by_destination.values())
    assert [result["recipient"] for result in response["results"]] == [
        GRAN_PHONE,
        MUM_PHONE,
        DAD_PHONE,
    ]


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("area_id", "no_recipient_in_area"),
        ("floor_id", "no_recipient_on_floor"),
        ("label_id", "no_recipient_with_label"),
    ],
)
async def test_a_target_without_recipients_is_refused(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,
    area_registry: ar.AreaRegistry,
    floor_registry: fr.FloorRegistry,
    label_registry: lr.LabelRegistry,
    device_registry: dr.DeviceRegistry,
    kind: str,
    key: str,
) -> None:
    """An area, floor or label holding no recipient of the account refuses the whole call.

    Sending to the others would quietly reach fewer people than the caller meant; the
    account's own device (here in the garage, with the label) is no recipient.
    """
    garage = area_registry.async_create("Garage")
    label = label_registry.async_create("Garage")
    floor = floor_registry.async_create("Garage")
    area_registry.async_update(garage.id, floor_id=floor.floor_id)
    account = device_with_identifier(hass, family, family.entry_id)
    assert account is not None
    device_registry.async_update_device(account.id, area_id=garage.id, labels={label.label_id})
    target = {"area_id": garage.id, "floor_id": floor.floor_id, "label_id": label.label_id}[kind]

    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", message="Hi", recipients=[NUMBER], **{kind: target})

    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, key)
    assert err.value.translation_placeholders == {"name": "Garage"}
    assert smsc_simulator.submit_count == 0


async def test_a_removed_area_is_named_by_its_id(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """An area that no longer exists (a stale automation) holds nobody either."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(hass, "send_sms", message="Hi", area_id="attic")
    assert err.value.translation_key == "no_recipient_in_area"
    assert err.value.translation_placeholders == {"name": "attic"}


async def test_another_accounts_recipient_is_not_a_target(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, family: MockConfigEntry
) -> None:
    """A device of the account that is no recipient, or a foreign entity, is refused by name."""
    account = device_with_identifier(hass, family, family.entry_id)
    assert account is not None
    for target in ({"device_id": account.id}, {"entity_id": "sensor.smsc_demo_messages_sent"}):
        with pytest.raises(ServiceValidationError) as err:
            await smsc_action(hass, "send_sms", message="Hi", **target)
        assert err.value.translation_key == "not_a_recipient"
        assert err.value.translation_placeholders == {"target": next(iter(target.values()))}
    assert smsc_simulator.submit_count == 0


# --- two accounts, each on its own simulator --------------------------------------------------


def one_recipient(name: str, phone: str) -> list[ConfigSubentryData]:
    """The subentries of an account with one SMS recipient."""
    return [
        ConfigSubentryData(
            data={CONF_NAME: name, CONF_PHONE_NUMBER: phone, CONF_CHANNELS: ["sms"]},
            subentry_type=SUBENTRY_RECIPIENT,
            title=name,
            unique_id=phone,
        )
    ]


@pytest.fixture
async def second_simulator(socket_enabled: None) -> AsyncIterator[SmscSimulator]:
    """Another SMSC, of the login `dad`, beside the fixture's (as the smsc_simulator fixture)."""
    async with SmscSimulator(login="dad", password="demo", host="127.0.0.1", port=0) as sim:
        yield sim


@pytest.fixture
async def two_accounts(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, second_simulator: SmscSimulator
) -> AsyncIterator[tuple[MockConfigEntry, MockConfigEntry]]:
    """Mum on the fixture's account, Dad on a second account on the second simulator."""
    mums = account_entry(smsc_simulator, subentries_data=one_recipient("Mum", MUM_PHONE))
    dads = account_entry(
        second_simulator,
        data=entry_data(second_simulator, **{CONF_USERNAME: "dad", CONF_NOTIFY_SUFFIX: ""}),
        unique_id="dad",
        title="SMSC dad",
        subentries_data=one_recipient("Dad", DAD_PHONE),
    )
    async with loaded(hass, mums), loaded(hass, dads):
        yield mums, dads


async def test_a_target_across_two_accounts_goes_through_each_recipients_own(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    second_simulator: SmscSimulator,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Each recipient's entity names its account: no config_entry_id, one SMS per SMSC."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"message": "Dinner is ready"},
        target={"entity_id": ["notify.mum_sms", "notify.dad_sms"]},
        blocking=True,
        return_response=True,
    )

    [to_mum] = await smsc_simulator.wait_for_messages(1)
    [to_dad] = await second_simulator.wait_for_messages(1)
    assert (to_mum.destination_addr, to_mum.body) == (MUM_PHONE, "Dinner is ready")
    assert (to_dad.destination_addr, to_dad.body) == (DAD_PHONE, "Dinner is ready")
    assert smsc_simulator.submits_by_destination == {MUM_PHONE: 1}
    assert second_simulator.submits_by_destination == {DAD_PHONE: 1}
    assert [result["recipient"] for result in response["results"]] == [MUM_PHONE, DAD_PHONE]
    assert (response["sent"], response["failed"]) == (2, 0)


async def test_a_device_names_its_account_and_numbers_follow_config_entry_id(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    second_simulator: SmscSimulator,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """config_entry_id picks the account of plain numbers; the target keeps its own account."""
    mums, dads = two_accounts
    response = await smsc_action(
        hass,
        "send_sms",
        message="Call me",
        recipients=[GRAN_PHONE],
        config_entry_id=dads.entry_id,
        device_id=recipient_device(hass, mums, "Mum").id,
    )

    await smsc_simulator.wait_for_messages(1)
    await second_simulator.wait_for_messages(1)
    assert smsc_simulator.submits_by_destination == {MUM_PHONE: 1}
    assert second_simulator.submits_by_destination == {GRAN_PHONE: 1}
    assert [result["recipient"] for result in response["results"]] == [GRAN_PHONE, MUM_PHONE]


async def test_numbers_alone_need_an_account_when_several_are_loaded(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    second_simulator: SmscSimulator,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """A number names no account, so with two of them the call is refused before sending."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass, "send_sms", message="Hi", recipients=[GRAN_PHONE], entity_id="notify.mum_sms"
        )
    assert (err.value.translation_domain, err.value.translation_key) == (
        DOMAIN,
        "account_required",
    )
    assert smsc_simulator.submit_count == second_simulator.submit_count == 0


async def test_a_recipient_of_an_unloaded_account_is_refused_not_skipped(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    second_simulator: SmscSimulator,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Sending to Mum alone when Dad was meant too would reach fewer people than asked."""
    _, dads = two_accounts
    assert await hass.config_entries.async_unload(dads.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass, "send_sms", message="Hi", entity_id=["notify.mum_sms", "notify.dad_sms"]
        )
    assert err.value.translation_key == "entry_not_loaded"
    assert err.value.translation_placeholders == {"title": "SMSC dad"}
    assert smsc_simulator.submit_count == 0


async def test_an_account_whose_recipients_all_failed_is_a_partial_failure(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    second_simulator: SmscSimulator,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dad's account sent, the number for the other account failed: reported, not raised."""
    mums, _dads = two_accounts
    failed = async_capture_events(hass, EVENT_SEND_FAILED)
    response = await smsc_action(
        hass,
        "send_sms",
        message="Dinner",
        recipients=["not-a-number"],
        config_entry_id=mums.entry_id,
        entity_id="notify.dad_sms",
    )

    await second_simulator.wait_for_messages(1)
    assert (response["sent"], response["failed"]) == (1, 1)
    assert smsc_simulator.submit_count == 0
    [event] = failed
    assert event.data["entry_id"] == mums.entry_id
    assert event.data["recipient"] == "not-a-number"
    assert event.data["error_code"] == "invalid_phone_number"
    assert "the other recipients got it" in caplog.text
