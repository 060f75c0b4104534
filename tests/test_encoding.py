"""What each kind of message looks like on the wire, read back by the simulator over TCP.

Calls, Viber, MMS, e-mail, social, HLR and Ping go as UCS-2 in exactly one PDU, so SMSC reads
their prefix and `voice:`/`subj:` lines from one text whatever it makes of `data_coding`; SMS
pick GSM 7-bit when every character fits, unless the account says always UCS-2.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.smpp.compose import MAX_PREFIXED_LENGTH
from simulator import SmscSimulator

from .conftest import account_entry, loaded, smsc_action

NUMBER = "+79991234567"
UCS2: Any = 8
GSM: Any = 0
CYRILLIC_300 = ("Внимание! Дома сработала пожарная сигнализация на кухне. " * 6)[:300]


@pytest.mark.parametrize(
    ("action", "fields", "expected"),
    [
        pytest.param(
            "send_call",
            {"message": CYRILLIC_300, "voice": "w2", "param": "5,0,2", "comment": "alarm"},
            {
                "kind": "call",
                "body": CYRILLIC_300,
                "voice": "w2",
                "param": "5,0,2",
                "comment": "alarm",
                "text": f"__CALL__: {CYRILLIC_300}\nvoice:w2\n~~~\n5,0,2\n~~~\nalarm",
            },
            id="call-300-cyrillic",
        ),
        pytest.param(
            "send_viber",
            {"message": "Code_42 {button} ~ok~ [x]"},
            {
                "kind": "viber",
                "body": "Code_42 {button} ~ok~ [x]",
                "text": "__VIBER__: Code_42 {button} ~ok~ [x]",
            },
            id="viber-gsm-escapes",
        ),
        pytest.param(
            "send_mms",
            {"message": "Motion at 03:12", "subject": "Front door"},
            {
                "kind": "mms",
                "body": "Motion at 03:12",
                "subject": "Front door",
                "text": "__MMS__: Motion at 03:12\nsubj:Front door",
            },
            id="mms",
        ),
        pytest.param(
            "send_email",
            {"message": "Today: 12.4 kWh", "subject": "Energy"},
            {
                "kind": "mail",
                "body": "Today: 12.4 kWh",
                "subject": "Energy",
                "text": "__MAIL__: Today: 12.4 kWh\nsubj:Energy",
            },
            id="email",
        ),
        pytest.param(
            "send_social",
            {"message": "Guests arrived"},
            {"kind": "soc", "body": "Guests arrived", "text": "__SOC__: Guests arrived"},
            id="social",
        ),
        pytest.param("hlr_lookup", {}, {"kind": "hlr", "text": "__HLR__"}, id="hlr"),
        pytest.param(
            "send_ping",
            {"comment": "check"},
            {"kind": "ping", "comment": "check", "text": "__PING__\n~~~\ncheck"},
            id="ping",
        ),
    ],
)
async def test_prefixed_kinds_go_as_ucs2_in_one_pdu(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_integration: MockConfigEntry,
    action: str,
    fields: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    await smsc_action(hass, action, {"recipients": [NUMBER], **fields})
    [received] = await smsc_simulator.wait_for_messages(1)
    assert smsc_simulator.pdu_counts["submit_sm"] == 1
    assert (received.data_coding, received.parts, received.concat) == (UCS2, 1, None)
    # A text longer than one UCS-2 part travels whole in message_payload, never in parts.
    assert received.used_payload is (len(expected["text"]) > 70)
    assert {name: getattr(received, name) for name in expected} == expected


async def test_prefixed_text_over_its_limit_is_refused(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Not Maximum SMS parts but its own limit: nothing reaches SMSC."""
    with pytest.raises(ServiceValidationError) as err:
        await smsc_action(
            hass, "send_viber", {"recipients": [NUMBER], "message": "x" * MAX_PREFIXED_LENGTH}
        )
    assert err.value.translation_key == "text_too_long"
    assert err.value.translation_placeholders == {
        "kind": "viber",
        "length": str(MAX_PREFIXED_LENGTH + len("__VIBER__: ")),
        "max_length": str(MAX_PREFIXED_LENGTH),
    }
    assert smsc_simulator.pdu_counts["submit_sm"] == 0


async def test_a_long_call_is_not_bound_by_maximum_sms_parts(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, smsc_entry_factory: Any
) -> None:
    """One part allowed for SMS; a call ten UCS-2 parts long still goes, in one PDU."""
    entry = smsc_entry_factory(options={"max_parts": 1})
    async with loaded(hass, entry):
        await smsc_action(hass, "send_call", {"recipients": [NUMBER], "message": "Тревога " * 80})
        [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.data_coding, received.parts, received.used_payload) == (UCS2, 1, True)
    assert (received.body, received.voice) == ("Тревога " * 80, "m4")


@pytest.mark.parametrize(
    ("options", "message", "data_coding"),
    [
        pytest.param({}, "Leak in the bathroom_1 {now}", GSM, id="auto-fits-gsm"),
        pytest.param({}, "Протечка в ванной", UCS2, id="auto-cyrillic"),
        pytest.param({"sms_encoding": "ucs2"}, "Leak in the bathroom", UCS2, id="option-ucs2"),
    ],
)
async def test_sms_encoding(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    smsc_entry_factory: Any,
    options: dict[str, Any],
    message: str,
    data_coding: int,
) -> None:
    async with loaded(hass, smsc_entry_factory(options=options)):
        await smsc_action(hass, "send_sms", {"recipients": [NUMBER], "message": message})
        [received] = await smsc_simulator.wait_for_messages(1)
    assert (received.kind, received.data_coding, received.text) == ("sms", data_coding, message)


async def test_an_sms_may_still_ask_for_gsm_under_the_ucs2_option(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, smsc_entry_factory: Any
) -> None:
    """The option decides only what `auto` means; an explicit encoding wins."""
    async with loaded(hass, smsc_entry_factory(options={"sms_encoding": "ucs2"})):
        await smsc_action(
            hass, "send_sms", {"recipients": [NUMBER], "message": "Hi", "encoding": "gsm"}
        )
        [received] = await smsc_simulator.wait_for_messages(1)
    assert received.data_coding == GSM


@pytest.fixture
def smsc_entry_factory(smsc_simulator: SmscSimulator) -> Any:
    """An account on the simulator with the given options."""

    def make(options: dict[str, Any]) -> MockConfigEntry:
        return account_entry(smsc_simulator, options=options)

    return make
