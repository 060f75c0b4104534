"""What is a report, over TCP: unmarked reports stay reports, Assist never answers the account.

Also: an unparsed report's content reaches the log at debug only.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import logging

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.const import (
    CONF_ASSIST,
    CONF_CHANNELS,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_ASSIST_HANDLED,
    EVENT_DELIVERY_REPORT,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_RECIPIENT,
)
from simulator import CommandId, Pdu, SmscSimulator, Tag
from simulator.pdu import SmBody, Tlv

from .conftest import LOGIN, capture, entry_data, loaded, wait_until

HOME_NUMBER = "79001112233"  # the virtual number the family writes to
ACCOUNT_SENDER = "79005556677"  # the account's own sender, a number
MUM = "79991234567"  # may talk to Assist
STRANGER = "79995550000"


def _recipient(name: str, phone: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={CONF_NAME: name, CONF_PHONE_NUMBER: phone, CONF_CHANNELS: ["sms"], CONF_ASSIST: True},
        subentry_type=SUBENTRY_RECIPIENT,
        title=name,
        unique_id=phone,
    )


@pytest.fixture
async def init_assist(
    hass: HomeAssistant, smsc_simulator: SmscSimulator
) -> AsyncGenerator[MockConfigEntry]:
    """An account whose recipients may all talk to Assist, even its own numbers (a mistake a
    user can make), with Assist loaded."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"SMSC {LOGIN}",
        unique_id=f"{LOGIN}@{smsc_simulator.host}",
        data=entry_data(smsc_simulator, sender=ACCOUNT_SENDER),
        subentries_data=[
            _recipient("Mum", MUM),
            _recipient("Home", HOME_NUMBER),
            _recipient("Self", ACCOUNT_SENDER),
        ],
    )
    async with loaded(hass, entry):
        yield entry


def _deliver_sm(sequence: int, body: SmBody) -> bytes:
    return Pdu(CommandId.DELIVER_SM, 0, sequence, body.encode()).encode()


RECEIPT_TEXT = b"id:4242 sub:001 dlvrd:001 stat:DELIVRD err:000 text:Hi"


@pytest.mark.parametrize(
    ("esm_class", "short_message", "tlvs"),
    [
        (0x00, b"", [Tlv.cstr(Tag.RECEIPTED_MESSAGE_ID, "4242")]),
        (0x24, RECEIPT_TEXT, []),
        (0x00, RECEIPT_TEXT, []),
    ],
    ids=["esm_0_receipted_message_id_only", "esm_0x24", "esm_0_receipt_text_only"],
)
async def test_unmarked_reports_are_reports_and_get_no_answer(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_assist: MockConfigEntry,
    esm_class: int,
    short_message: bytes,
    tlvs: list[Tlv],
) -> None:
    """A report from a recipient with Assist on fires a delivery report, nothing else."""
    reports = capture(hass, EVENT_DELIVERY_REPORT)
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    handled = capture(hass, EVENT_ASSIST_HANDLED)
    body = SmBody(
        source_addr_ton=1,
        source_addr_npi=1,
        source_addr=MUM,
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr=HOME_NUMBER,
        esm_class=esm_class,
        short_message=short_message,
        tlvs=tlvs,
    )
    assert await smsc_simulator.send_raw(_deliver_sm(0x7001, body)) == 1
    await smsc_simulator.wait_for_deliver_sm_resps(1)
    await wait_until(lambda: bool(reports))
    await hass.async_block_till_done()
    assert reports[0]["message_id"] == "4242"
    assert received == []
    assert handled == []
    assert smsc_simulator.submit_count == 0


@pytest.mark.parametrize("own", [HOME_NUMBER, ACCOUNT_SENDER], ids=["virtual_number", "sender"])
async def test_assist_never_answers_the_account_itself(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_assist: MockConfigEntry, own: str
) -> None:
    """A message from the account's virtual number or sender fires its event, unanswered."""
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    handled = capture(hass, EVENT_ASSIST_HANDLED)
    # A stranger writing to the home's number makes it known as the account's own.
    await smsc_simulator.inject_incoming(STRANGER, HOME_NUMBER, "Hello")
    await smsc_simulator.inject_incoming(own, STRANGER, "Turn on the heating")
    await wait_until(lambda: len(received) == 2)
    await hass.async_block_till_done()
    assert received[1]["sender"] == own
    assert received[1]["device_id"] is not None
    assert "assist" not in received[1]
    assert handled == []
    # The same text from Mum does go to Assist: only the account's own addresses are skipped.
    await smsc_simulator.inject_incoming(MUM, HOME_NUMBER, "Turn on the heating")
    await wait_until(lambda: len(received) == 3)
    assert received[2]["assist"] is True  # handed to Assist (its answer is not this test's)


async def test_unparsed_report_content_is_logged_at_debug_only(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_assist: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warning names the reason; the content (numbers, text) is at debug only."""
    caplog.set_level(logging.DEBUG, logger="custom_components.smsc")
    await smsc_simulator.send_delivery_receipt(
        "", stat="DELIVRD", tlvs=False, text="Secret door code 1234"
    )
    await smsc_simulator.wait_for_deliver_sm_resps(1)
    hub = init_assist.runtime_data
    await wait_until(lambda: hub.counters.unparsed_reports == 1)
    records = [r for r in caplog.records if "Could not parse a report" in r.getMessage()]
    [warning] = [r for r in records if r.levelno == logging.WARNING]
    assert "no_message_id" in warning.getMessage()
    assert "Secret" not in warning.getMessage()
    assert any(r.levelno == logging.DEBUG and "Secret" in r.getMessage() for r in records)
    assert not any(r.levelno > logging.DEBUG and "Secret" in r.getMessage() for r in caplog.records)
