"""Text your home: SMS to Assist and its answer back, through the simulator and the real agent.

Home Assistant's own conversation agent with its real intents handles the messages; only the
tests of the error paths (an agent that raises, hangs, says nothing or talks too long) register
a small agent of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import json
import logging
from typing import Any, Literal

from homeassistant.components import conversation
from homeassistant.components.conversation import ConversationInput, ConversationResult
from homeassistant.components.conversation.models import AbstractConversationAgent
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME, MATCH_ALL, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsc import assist as smsc_assist
from custom_components.smsc.const import (
    CONF_ASSIST,
    CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_ANSWERS_PER_HOUR,
    CONF_ASSIST_LANGUAGE,
    CONF_CHANNELS,
    CONF_MAX_PARTS,
    CONF_PHONE_NUMBER,
    CONF_PIN,
    DOMAIN,
    EVENT_ASSIST_HANDLED,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_RECIPIENT,
)
from simulator import SmscSimulator

from .conftest import LOGIN, capture, device_with_identifier, entry_data, loaded, wait_until

HOME_NUMBER = "79001112233"  # the virtual number rented at SMSC that the family writes to
MUM = "79991234567"  # may talk to Assist, no PIN
GRAN = "79991234568"  # may talk to Assist with a PIN
DAD = "79991234569"  # a recipient without Assist
STRANGER = "79995550000"  # no recipient at all
PIN = "Zq7Kx9"  # letters, so that no port, id or time in the logs can contain it by chance
ACCOUNT_SENDER = "MyHome"
HEATING = "input_boolean.heating"


def _recipient(name: str, phone: str, **extra: Any) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={CONF_NAME: name, CONF_PHONE_NUMBER: phone, CONF_CHANNELS: ["sms"], **extra},
        subentry_type=SUBENTRY_RECIPIENT,
        title=name,
        unique_id=phone,
    )


@pytest.fixture
def assist_options() -> dict[str, Any]:
    """The account's options; a test may change them before the entry is set up."""
    return {}


@pytest.fixture
def assist_entry(smsc_simulator: SmscSimulator, assist_options: dict[str, Any]) -> MockConfigEntry:
    """An account with Mum and Gran (Assist, Gran with a PIN) and Dad (no Assist)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"SMSC {LOGIN}",
        unique_id=f"{LOGIN}@{smsc_simulator.host}",
        data=entry_data(smsc_simulator, sender=ACCOUNT_SENDER),
        options=assist_options,
        subentries_data=[
            _recipient("Mum", MUM, **{CONF_ASSIST: True}),
            _recipient("Gran", GRAN, **{CONF_ASSIST: True, CONF_PIN: PIN}),
            _recipient("Dad", DAD),
        ],
    )


@pytest.fixture
async def home(hass: HomeAssistant) -> None:
    """Assist with its real default agent, a Heating switch exposed to it, a Boiler not."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"heating": {"name": "Heating"}, "boiler": {"name": "Boiler"}}},
    )
    async_expose_entity(hass, conversation.DOMAIN, HEATING, True)
    async_expose_entity(hass, conversation.DOMAIN, "input_boolean.boiler", False)
    await hass.async_block_till_done()


@pytest.fixture
async def init_assist(
    hass: HomeAssistant, home: None, assist_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The account set up and bound to the simulator, with Assist loaded."""
    async with loaded(hass, assist_entry):
        yield assist_entry


async def text_home(sim: SmscSimulator, sender: str, text: str, *, to: str = HOME_NUMBER) -> None:
    """A phone writes to the home's number."""
    await sim.inject_incoming(sender, to, text)


async def handled(events: list[dict[str, Any]], count: int = 1) -> list[dict[str, Any]]:
    """Wait for `count` smsc_assist_handled events."""
    await wait_until(lambda: len(events) >= count, timeout=15)
    return events[:count]


async def test_english_on_russian_off_with_the_real_agent(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_assist: MockConfigEntry
) -> None:
    """An English SMS turns the exposed switch on, a Russian one (language ru) turns it off;
    the answers come back by SMS from the number the messages were written to."""
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    assert hass.states.get(HEATING).state == STATE_OFF

    await text_home(smsc_simulator, MUM, "Turn on the heating")
    [event] = await handled(answers)
    assert hass.states.get(HEATING).state == STATE_ON
    [sms] = await smsc_simulator.wait_for_messages(1)
    assert (sms.source_addr, sms.source_addr_ton, sms.destination_addr) == (HOME_NUMBER, 1, MUM)
    assert sms.text == event["answer"]
    assert event["answer"]
    mum_device = f"{init_assist.entry_id}_{_mum(init_assist)}"
    device = device_with_identifier(hass, init_assist, mum_device)
    assert device is not None
    assert event | {"answer": None, "conversation_id": None, "message_ids": None} == {
        "entry_id": init_assist.entry_id,
        "device_id": device.id,
        "sender": MUM,
        "recipient": HOME_NUMBER,
        "text": "Turn on the heating",
        "result": "answered",
        "handled": True,
        "response_type": "action_done",
        "answer": None,
        "answer_sent": True,
        "message_ids": None,
        "error_code": None,
        "conversation_id": None,
        "agent_id": "conversation.home_assistant",
        "language": "en",
    }
    assert event["message_ids"] == list(sms.message_ids)
    assert received[0]["device_id"] == device.id
    assert received[0]["assist"] is True

    hass.config_entries.async_update_entry(
        init_assist, options={**init_assist.options, CONF_ASSIST_LANGUAGE: "ru"}
    )
    await hass.async_block_till_done()
    await wait_until(lambda: init_assist.runtime_data.connected)
    await text_home(smsc_simulator, MUM, "Выключи Heating")
    [_, event] = await handled(answers, 2)
    assert hass.states.get(HEATING).state == STATE_OFF
    [_, sms] = await smsc_simulator.wait_for_messages(2)
    assert (event["language"], event["result"], event["handled"]) == ("ru", "answered", True)
    assert sms.text == event["answer"]
    assert any("а" <= char <= "я" for char in sms.text.lower()), sms.text  # noqa: RUF001
    assert sms.source_addr == HOME_NUMBER


def _mum(entry: MockConfigEntry) -> str:
    return next(s.subentry_id for s in entry.subentries.values() if s.unique_id == MUM)


async def test_follow_up_continues_the_conversation(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_assist: MockConfigEntry
) -> None:
    """Two messages within minutes share one conversation id; an answer to a name not exposed
    to Assist changes nothing (Assist only sees exposed entities)."""
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    await text_home(smsc_simulator, MUM, "Turn on the heating")
    await handled(answers)
    await text_home(smsc_simulator, MUM, "Turn on the boiler")
    first, second = await handled(answers, 2)
    assert first["conversation_id"]
    assert second["conversation_id"] == first["conversation_id"]
    assert init_assist.runtime_data.assist.conversations.get(MUM) == first["conversation_id"]
    assert hass.states.get("input_boolean.boiler").state == STATE_OFF
    assert (second["result"], second["handled"], second["response_type"]) == (
        "answered",
        False,
        "error",
    )
    assert second["answer_sent"]  # the agent's "not found" is an answer worth texting


async def test_who_gets_no_answer(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_assist: MockConfigEntry
) -> None:
    """A recipient without Assist, a number that is no recipient, a wrong or missing PIN and a
    message holding only the PIN change nothing and get no answer; the right PIN does."""
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    for sender, text in (
        (DAD, "Turn on the heating"),
        (STRANGER, "Turn on the heating"),
        (GRAN, "0000 turn on the heating"),
        (GRAN, "Turn on the heating"),
        (GRAN, f"{PIN}turn on the heating"),  # the PIN must be a word of its own
        (GRAN, PIN),
    ):
        await text_home(smsc_simulator, sender, text)
    await wait_until(lambda: len(received) == 6)
    assert hass.states.get(HEATING).state == STATE_OFF
    assert answers == []
    # Dad and the stranger: the usual event, nothing about Assist.
    assert "assist" not in received[0]
    assert "assist" not in received[1]
    assert received[1].get("device_id") is None
    assert [r["assist"] for r in received[2:]] == [False, False, False, False]
    assert all(r["device_id"] for r in received[2:])

    await text_home(smsc_simulator, GRAN, f"{PIN.lower()}: turn on the heating")
    [event] = await handled(answers)
    assert hass.states.get(HEATING).state == STATE_ON
    assert event["text"] == "turn on the heating"
    assert received[-1]["assist"] is True
    [sms] = await smsc_simulator.wait_for_messages(1)
    assert sms.destination_addr == GRAN
    assert len(smsc_simulator.received) == 1


async def test_pin_never_shows(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    smsc_simulator: SmscSimulator,
    init_assist: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The PIN is in no log line (debug included), event, event entity or diagnostics."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    await text_home(smsc_simulator, GRAN, f"{PIN} turn on the heating")
    await text_home(smsc_simulator, GRAN, f"hello, my PIN is {PIN}")
    await handled(answers)
    await wait_until(lambda: len(received) == 2)
    assert received[0]["text"] == answers[0]["text"] == "turn on the heating"
    assert received[1]["text"] == "hello, my PIN is ****"
    assert hass.states.get(HEATING).state == STATE_ON
    events = [*received, *answers]
    state = hass.states.get("event.smsc_demo_incoming_message")
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_assist)
    assert diagnostics["entry"]["subentries"][1]["data"][CONF_PIN] == "**REDACTED**"
    for where in (caplog.text, json.dumps(events), str(state.attributes), json.dumps(diagnostics)):
        assert PIN.lower() not in where.lower()


@pytest.mark.parametrize("assist_options", [{CONF_ASSIST_ANSWERS_PER_HOUR: 3}])
async def test_a_burst_gets_at_most_the_answers_of_an_hour(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_assist: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """40 messages at once (an auto-responder) get at most 3 answers and one warning; the
    rest still fire smsc_message_received. Repeated answers are dropped, never retried."""
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    for _ in range(40):
        await text_home(smsc_simulator, MUM, "Turn on the heating")
    # The default agent indexes the exposed entities at its first message, which took 21 s
    # under coverage on a clean clone: the wait must outlast that, the count stays exact.
    await wait_until(lambda: len(received) == 40 and len(answers) == 40, timeout=60)
    results = [event["result"] for event in answers]
    assert results.count("answered") == 3
    assert results.count("rate_limited") == 37
    assert [r["assist"] for r in received].count(True) == 3
    await asyncio.sleep(0.2)
    assert 1 <= len(smsc_simulator.received) <= 3
    # The same answer three times: SMSC would refuse the repeats, so only the first went out.
    sent = [event for event in answers if event["answer_sent"]]
    assert len(sent) == len(smsc_simulator.received) == 1
    assert {e["error_code"] for e in answers if e["result"] == "answered"} == {
        None,
        "duplicate_message",
    }
    warnings = [r for r in caplog.records if "answers an hour" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert smsc_simulator.refusals == []


class _TestAgent(AbstractConversationAgent):
    """An agent whose answer is whatever the test makes `reply` do."""

    def __init__(self, reply: Callable[[ConversationInput], Any]) -> None:
        self.reply = reply
        self.inputs: list[ConversationInput] = []

    @property
    def supported_languages(self) -> Literal["*"]:
        return MATCH_ALL

    async def async_process(self, user_input: ConversationInput) -> ConversationResult:
        self.inputs.append(user_input)
        speech = await self.reply(user_input)
        response = intent.IntentResponse(language=user_input.language)
        if speech is not None:
            response.async_set_speech(speech)
        return ConversationResult(response=response, conversation_id=user_input.conversation_id)


TEST_AGENT = "test_agent_entry"  # the id of a test agent: that of its config entry
WITH_TEST_AGENT = {CONF_ASSIST_AGENT: TEST_AGENT}


@pytest.fixture
def agent_entry(hass: HomeAssistant) -> MockConfigEntry:
    """The config entry a test agent is registered under."""
    entry = MockConfigEntry(domain="test_agent", entry_id=TEST_AGENT)
    entry.add_to_hass(hass)
    return entry


def _register(hass: HomeAssistant, entry: MockConfigEntry, reply: Callable[..., Any]) -> _TestAgent:
    agent = _TestAgent(reply)
    conversation.async_set_agent(hass, entry, agent)
    return agent


async def _raise(_: ConversationInput) -> str:
    raise RuntimeError("the agent broke")


@pytest.mark.parametrize(
    ("assist_options", "apology"),
    [
        (WITH_TEST_AGENT, "Sorry, I could not do that right now. Please try again later."),
        (
            {**WITH_TEST_AGENT, CONF_ASSIST_LANGUAGE: "ru"},
            "Извините, сейчас это сделать не получилось. Попробуйте позже.",
        ),
    ],
)
async def test_an_agent_that_raises_gets_the_apology(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    apology: str,
) -> None:
    """A failing agent: the sender gets the translated apology, never the traceback."""
    _register(hass, agent_entry, _raise)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "What is the weather?")
        [event] = await handled(answers)
        [sms] = await smsc_simulator.wait_for_messages(1)
    assert sms.text == apology
    assert (event["result"], event["handled"], event["answer"]) == ("failed", False, apology)
    assert "the agent broke" in caplog.text  # the owner finds the traceback in the log


@pytest.mark.parametrize("assist_options", [WITH_TEST_AGENT])
async def test_a_slow_agent_gets_the_apology_and_holds_up_no_one(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An agent past the timeout earns the apology; Gran's answer does not wait for Mum's."""
    monkeypatch.setattr(smsc_assist, "ANSWER_TIMEOUT", 0.5)
    release = asyncio.Event()

    async def reply(user_input: ConversationInput) -> str:
        if "slow" in user_input.text:
            await release.wait()
        return f"Answer to {user_input.text}"

    _register(hass, agent_entry, reply)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "slow question")
        await text_home(smsc_simulator, GRAN, f"{PIN} quick question")
        first, second = await handled(answers, 2)
        assert (first["sender"], first["answer"]) == (GRAN, "Answer to quick question")
        assert (second["sender"], second["result"]) == (MUM, "failed")
        assert second["answer"].startswith("Sorry")
    release.set()
    assert "did not answer an SMS from Mum within 0.5 s" in caplog.text


@pytest.mark.parametrize("assist_options", [{**WITH_TEST_AGENT, CONF_MAX_PARTS: 2}])
async def test_a_long_answer_is_shortened_to_the_maximum_parts(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
) -> None:
    """An answer longer than Maximum SMS parts is cut at a word with an ellipsis, not refused;
    "..." on a GSM text (a "…" would make it UCS-2), "…" on a Cyrillic one."""
    english_answer, russian_answer = "All is well at home. " * 30, "Дома всё хорошо. " * 30
    long_answers = iter([english_answer, russian_answer])

    async def reply(_: ConversationInput) -> str:
        return next(long_answers)

    _register(hass, agent_entry, reply)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "How is the house?")
        await handled(answers)
        await text_home(smsc_simulator, MUM, "Как дома?")
        await handled(answers, 2)
        english, russian = await smsc_simulator.wait_for_messages(2)
    assert english.parts == russian.parts == 2
    for sms, answer, ellipsis, most in (
        (english, english_answer, "...", 2 * 153),
        (russian, russian_answer, "…", 2 * 67),
    ):
        kept = sms.text.removesuffix(ellipsis)
        assert kept != sms.text, sms.text
        assert answer.startswith(kept)
        assert answer[len(kept)] == " "  # cut between words
        assert most - 10 < len(sms.text) <= most


@pytest.mark.parametrize("assist_options", [WITH_TEST_AGENT])
async def test_an_agent_that_says_nothing(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
) -> None:
    """A silent agent still lets the sender know it was done."""

    async def reply(_: ConversationInput) -> None:
        return None

    agent = _register(hass, agent_entry, reply)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "Lock up", to="HomeSMS")
        [event] = await handled(answers)
        [sms] = await smsc_simulator.wait_for_messages(1)
    assert (event["response_type"], event["answer"], sms.text) == ("action_done", "Done.", "Done.")
    # Written to a name, not a number: the answer comes from the account's sender.
    assert sms.source_addr == ACCOUNT_SENDER
    assert agent.inputs[0].device_id == event["device_id"]
    assert agent.inputs[0].language == "en"


async def test_without_conversation_a_repair_issue(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    assist_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """conversation is not loaded for the user: a repair issue says what to do from the start;
    the messages fire their events and get no answer; once conversation loads, the issue goes."""
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    issues = ir.async_get(hass)
    issue_id = f"conversation_not_loaded_{assist_entry.entry_id}"
    async with loaded(hass, assist_entry):
        assert "conversation" not in hass.config.components
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert (issue.translation_key, issue.severity, issue.is_fixable) == (
            "conversation_not_loaded",
            ir.IssueSeverity.WARNING,
            False,
        )
        assert issue.translation_placeholders == {"title": assist_entry.title}
        await text_home(smsc_simulator, MUM, "Turn on the heating")
        await text_home(smsc_simulator, MUM, "Turn on the heating")
        await wait_until(lambda: len(answers) == 2)
        assert issues.async_get_issue(DOMAIN, issue_id) is not None
        assert await async_setup_component(hass, "homeassistant", {})
        assert await async_setup_component(hass, "conversation", {})
        await hass.async_block_till_done()
        assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert [a["result"] for a in answers] == ["conversation_not_loaded"] * 2
    assert [r["assist"] for r in received] == [False, False]
    assert "conversation integration is not loaded" not in caplog.text  # no log spam
    assert smsc_simulator.received == []


async def test_the_repair_issue_goes_with_the_entry(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, assist_entry: MockConfigEntry
) -> None:
    """Unloading the account removes its issue; an account without Assist never raises it."""
    issues = ir.async_get(hass)

    def not_loaded_issues() -> list[ir.IssueEntry]:
        return [
            issue
            for issue in issues.issues.values()
            if (issue.domain, issue.translation_key) == (DOMAIN, "conversation_not_loaded")
        ]

    async with loaded(hass, assist_entry):
        assert issues.async_get_issue(DOMAIN, f"conversation_not_loaded_{assist_entry.entry_id}")
    assert not not_loaded_issues()

    no_assist = MockConfigEntry(
        domain=DOMAIN,
        title="SMSC other",
        unique_id="other",
        data=entry_data(smsc_simulator),
        subentries_data=[_recipient("Dad", DAD)],
    )
    async with loaded(hass, no_assist):
        assert not not_loaded_issues()


@pytest.mark.parametrize("assist_options", [WITH_TEST_AGENT])
async def test_an_answer_smsc_cannot_take_is_logged(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer that is no valid SMS (SMSC would read "__HLR__" as an HLR request) is not sent,
    and the owner learns why."""

    async def reply(_: ConversationInput) -> str:
        return "__HLR__"

    _register(hass, agent_entry, reply)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "Check my number")
        [event] = await handled(answers)
    assert (event["answer_sent"], event["error_code"]) == (False, "reserved_prefix")
    assert "Could not text Assist's answer to Mum" in caplog.text
    assert smsc_simulator.received == []


@pytest.mark.parametrize("assist_options", [WITH_TEST_AGENT])
async def test_unloading_stops_the_answers_in_progress(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
) -> None:
    """An agent still thinking when the account unloads: no answer goes out afterwards."""
    asked = asyncio.Event()

    async def reply(_: ConversationInput) -> str:
        asked.set()
        await asyncio.Event().wait()
        return "too late"

    _register(hass, agent_entry, reply)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "Think about it")
        await asyncio.wait_for(asked.wait(), 5)
        tasks = set(assist_entry.runtime_data.assist._tasks)
        assert len(tasks) == 1
    assert all(task.cancelled() for task in tasks)
    assert answers == []
    assert smsc_simulator.received == []


# --- hardening: PIN out of the wire logs, account cap, wrong-PIN lockout, persistence ---------


async def _echo(user_input: ConversationInput) -> str:
    return f"Answer to {user_input.text}"


async def test_the_pin_is_cut_from_the_wire_dumps(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    init_assist: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """smpplib's logger at DEBUG dumps every PDU as hex, the incoming deliver_sm too: the PIN
    shows in none of them, as text or as the hex of any encoding a PDU carries it in."""
    caplog.set_level(logging.DEBUG, logger="smpplib.client")
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    await text_home(smsc_simulator, GRAN, f"{PIN} is the heating on?")
    await text_home(smsc_simulator, GRAN, f"{PIN} как дела?")  # UCS-2 on the wire
    await wait_until(lambda: len(received) == 2)
    wire = [r.getMessage() for r in caplog.records if r.name == "smpplib.client"]
    assert any("<redacted>" in line for line in wire)  # the deliver_sm was dumped, and cut
    forms = [PIN.lower()]
    for encoded in (PIN.encode("latin-1"), PIN.encode("utf-16-be")):
        forms.append(encoded.hex())
    for line in wire:
        assert not any(form in line.lower() for form in forms), line


@pytest.mark.parametrize(
    "assist_options",
    [{**WITH_TEST_AGENT, CONF_ASSIST_ANSWERS_PER_HOUR: 5, CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: 2}],
)
async def test_the_account_cap_counts_everyone_and_survives_a_reload(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two answers an hour for the whole account: Mum's two use them up, Gran gets none, and
    a reload (a restart alike: the store) does not hand out new ones. One warning."""
    _register(hass, agent_entry, _echo)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        await text_home(smsc_simulator, MUM, "first")
        await text_home(smsc_simulator, MUM, "second")
        await handled(answers, 2)
        await text_home(smsc_simulator, GRAN, f"{PIN} third")
        await handled(answers, 3)
        assert await hass.config_entries.async_reload(assist_entry.entry_id)
        await hass.async_block_till_done()
        await text_home(smsc_simulator, MUM, "fourth")
        await handled(answers, 4)
    assert [a["result"] for a in answers] == ["answered", "answered"] + ["rate_limited"] * 2
    assert len(smsc_simulator.received) == 2
    warnings = [r for r in caplog.records if "for the account" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    stored = hass_storage[f"{DOMAIN}.{assist_entry.entry_id}.assist"]["data"]
    assert len(stored["answers"]["account"]) == 2
    assert all(at > 1_500_000_000 for at in stored["answers"]["account"])  # wall-clock times


@pytest.mark.parametrize("assist_options", [WITH_TEST_AGENT])
async def test_five_wrong_pins_lock_the_number_out_for_an_hour(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    smsc_simulator: SmscSimulator,
    home: None,
    assist_entry: MockConfigEntry,
    agent_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The fifth wrong PIN within an hour locks Gran's number out: one warning naming her
    (never the PIN), one smsc_assist_handled saying locked_out; then even the right PIN gets
    no answer, also after a reload, while every message still fires smsc_message_received.
    Mum, without a PIN, is not affected."""
    _register(hass, agent_entry, _echo)
    received = capture(hass, EVENT_MESSAGE_RECEIVED)
    answers = capture(hass, EVENT_ASSIST_HANDLED)
    async with loaded(hass, assist_entry):
        for guess in range(5):
            await text_home(smsc_simulator, GRAN, f"{1000 + guess} open the door")
        [event] = await handled(answers)
        await wait_until(lambda: len(received) == 5)
        await text_home(smsc_simulator, GRAN, f"{PIN} open the door")
        await wait_until(lambda: len(received) == 6)
        assert await hass.config_entries.async_reload(assist_entry.entry_id)
        await hass.async_block_till_done()
        await text_home(smsc_simulator, GRAN, f"{PIN} open the door")
        await text_home(smsc_simulator, MUM, "open the door")
        await handled(answers, 2)
        await wait_until(lambda: len(received) == 8)
    assert (event["result"], event["sender"], event["answer"]) == ("locked_out", GRAN, None)
    assert event["handled"] is False
    assert [a["sender"] for a in answers] == [GRAN, MUM]
    assert answers[1]["result"] == "answered"
    assert [r["assist"] for r in received] == [False] * 7 + [True]
    assert [sms.destination_addr for sms in smsc_simulator.received] == [MUM]
    warnings = [r for r in caplog.records if "without the right PIN" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "Gran" in warnings[0].getMessage()
    assert PIN.lower() not in caplog.text.lower()
    stored = hass_storage[f"{DOMAIN}.{assist_entry.entry_id}.assist"]["data"]
    assert list(stored["lockout"]["locked_until"]) == [GRAN]


async def test_removing_the_account_removes_its_assist_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    smsc_simulator: SmscSimulator,
    assist_entry: MockConfigEntry,
) -> None:
    """The caps and lockouts are saved when the account stops and deleted with the account."""
    key = f"{DOMAIN}.{assist_entry.entry_id}.assist"
    async with loaded(hass, assist_entry):
        pass
    assert hass_storage[key]["data"] == {
        "answers": {"account": [], "numbers": {}, "warned": {}},
        "lockout": {"wrong": {}, "locked_until": {}},
    }
    assert await hass.config_entries.async_remove(assist_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
