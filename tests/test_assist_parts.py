"""The pure parts of "Text your home": PIN check, shortening, answer limit, conversation ids."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsc.answer_limit import WINDOW, AnswerLimit, Limited
from custom_components.smsc.assist import reply_sender
from custom_components.smsc.const import CONF_PHONE_NUMBER, DOMAIN, SUBENTRY_RECIPIENT
from custom_components.smsc.conversation_ids import IDLE_TIMEOUT, ConversationIds
from custom_components.smsc.pin import PinCheck, check_pin, pin_is_valid
from custom_components.smsc.pin_lockout import (
    LOCKOUT,
    MAX_WRONG_PINS,
    WINDOW as LOCK_WINDOW,
    PinLockout,
)
from custom_components.smsc.recipients import find_recipient, recipient_device_id
from custom_components.smsc.shorten import shorten_to_fit


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "pin", "expected"),
    [
        ("turn on the heating", None, PinCheck(True, "turn on the heating")),
        ("  turn on the heating ", "", PinCheck(True, "turn on the heating")),
        ("4711 turn on the heating", "4711", PinCheck(True, "turn on the heating")),
        (" 4711: turn on the heating", "4711", PinCheck(True, "turn on the heating")),
        ("4711,\nopen the garage", "4711", PinCheck(True, "open the garage")),
        ("Sesame open the garage", "sesame", PinCheck(True, "open the garage")),
        ("4711", "4711", PinCheck(True, "")),
        ("4711 say 4711", "4711", PinCheck(True, "say ****")),
        ("47111 turn on", "4711", PinCheck(False, "****1 turn on")),
        ("4711turn on", "4711", PinCheck(False, "****turn on")),
        ("turn on 4711", "4711", PinCheck(False, "turn on ****")),
        ("0000 turn on", "4711", PinCheck(False, "0000 turn on")),
        ("a.b* turn on", "a.b*", PinCheck(True, "turn on")),
        ("axb* turn on", "a.b*", PinCheck(False, "axb* turn on")),
    ],
)
def test_check_pin(text: str, pin: str | None, expected: PinCheck) -> None:
    """The PIN opens the message as a word of its own, any case; it is masked everywhere."""
    assert check_pin(text, pin) == expected


@pytest.mark.parametrize(
    ("pin", "valid"),
    [("4711", True), ("a" * 32, True), ("471", False), ("a" * 33, False), ("47 11", False)],
)
def test_pin_is_valid(pin: str, valid: bool) -> None:
    """4 to 32 characters without spaces."""
    assert pin_is_valid(pin) is valid


def _fits_in(limit: int) -> Callable[[str], bool]:
    """Like an SMS: `limit` ASCII characters, half as many once one character is not ASCII."""

    def fits(text: str) -> bool:
        return len(text) * (1 if text.isascii() else 2) <= limit

    return fits


def test_shorten_keeps_a_fitting_text() -> None:
    """A text that fits is sent as it is."""
    assert shorten_to_fit("Turned on the heating", _fits_in(160)) == "Turned on the heating"


def test_shorten_cuts_between_words_and_picks_the_cheaper_ellipsis() -> None:
    """The cut goes back to a word's start; "..." wins where "…" would cost more room."""
    text = "The heating is on and the boiler is off"
    assert shorten_to_fit(text, _fits_in(20)) == "The heating is on..."
    # On a text that is wide anyway, "…" keeps more.
    assert shorten_to_fit("Отопление включено, котёл выключен", _fits_in(40)) == (
        "Отопление включено…"
    )


def test_shorten_a_word_longer_than_the_backoff_is_cut() -> None:
    """A very long word is cut inside rather than dropped whole."""
    text = "x" * 100
    assert shorten_to_fit(text, _fits_in(12)) == "x" * 9 + "..."
    assert shorten_to_fit(text, _fits_in(2)) == "…"  # "..." does not even fit


def test_answer_limit_counts_an_hour_and_warns_once_an_hour() -> None:
    """At most `per_hour` in any hour, per number; one warning per hour and number."""
    clock = Clock()
    limit = AnswerLimit(2, 100, clock=clock)
    assert [limit.try_take("1"), limit.try_take("1"), limit.try_take("1")] == [
        None,
        None,
        Limited.NUMBER,
    ]
    assert limit.try_take("2") is None
    assert [limit.warning_due("1"), limit.warning_due("1"), limit.warning_due("2")] == [
        True,
        False,
        True,
    ]
    clock.now += WINDOW - 1
    assert limit.try_take("1") is Limited.NUMBER
    assert not limit.warning_due("1")
    clock.now += 1
    assert limit.try_take("1") is None
    assert limit.warning_due("1")


def test_answer_limit_for_the_whole_account() -> None:
    """The account's cap counts every number's answers together; a refusal counts nothing."""
    clock = Clock()
    limit = AnswerLimit(2, 3, clock=clock)
    assert [limit.try_take(n) for n in ("1", "2", "3", "4", "1")] == [
        None,
        None,
        None,
        Limited.ACCOUNT,
        Limited.ACCOUNT,
    ]
    clock.now += WINDOW
    assert limit.try_take("4") is None
    limit.set_limits(1, 3)  # changed options keep what was counted
    assert limit.try_take("4") is Limited.NUMBER


def test_answer_limit_survives_a_restart_in_wall_clock_time() -> None:
    """Stored in wall-clock seconds, restored against another monotonic clock: the hour
    goes on; what is older than an hour, or garbage, is dropped."""
    clock, wall = Clock(), Clock()
    wall.now = 1_800_000_000.0
    limit = AnswerLimit(2, 3, clock=clock, wall_clock=wall)
    limit.try_take("1")
    clock.now += 10
    wall.now += 10
    limit.try_take("1")
    limit.try_take("2")
    assert limit.try_take("1") is Limited.NUMBER
    assert limit.warning_due("1")
    stored = limit.stored()
    assert stored["numbers"]["1"] == [1_800_000_000.0, 1_800_000_010.0]

    # A restart 100 s later: the monotonic clock starts anew.
    later, later_wall = Clock(), Clock()
    later.now, later_wall.now = 5.0, wall.now + 100
    restored = AnswerLimit(2, 3, clock=later, wall_clock=later_wall)
    restored.restore({**stored, "numbers": {**stored["numbers"], "9": ["junk", None]}})
    assert restored.try_take("1") is Limited.NUMBER
    assert not restored.warning_due("1")
    assert restored.try_take("3") is Limited.ACCOUNT
    assert restored.stored()["numbers"].keys() == {"1", "2"}
    later.now += WINDOW - 100
    later_wall.now += WINDOW - 100
    assert restored.try_take("1") is None  # the first answer is an hour old


def test_pin_lockout_after_five_wrong_pins_within_an_hour() -> None:
    """The fifth wrong PIN within an hour starts one lockout of an hour; it survives a
    restart; wrong PINs spread over more than an hour never lock."""
    clock, wall = Clock(), Clock()
    lockout = PinLockout(clock=clock, wall_clock=wall)
    for _ in range(MAX_WRONG_PINS - 1):
        assert not lockout.wrong_pin("1")
        clock.now += LOCK_WINDOW / (MAX_WRONG_PINS - 1)
    assert not lockout.wrong_pin("1")  # the first of the five is an hour old
    assert lockout.wrong_pin("1")
    assert lockout.locked("1")
    assert not lockout.locked("2")

    later = Clock()
    later.now = 3.0
    restored = PinLockout(clock=later, wall_clock=wall)
    restored.restore(lockout.stored())
    assert restored.locked("1")
    later.now += LOCKOUT
    assert not restored.locked("1")
    assert restored.stored() == {"wrong": {}, "locked_until": {}}


def test_conversation_ids_expire_when_idle() -> None:
    """A conversation continues for a few idle minutes, then starts anew; memory is swept."""
    clock = Clock()
    ids = ConversationIds(clock=clock)
    assert ids.get("1") is None
    ids.remember("1", "conversation-a")
    ids.remember("2", None)  # an agent without ids keeps nothing
    assert (ids.get("1"), ids.get("2"), len(ids)) == ("conversation-a", None, 1)
    clock.now += IDLE_TIMEOUT - 1
    ids.remember("3", "conversation-b")
    assert ids.get("1") == "conversation-a"
    clock.now += 1
    assert ids.get("1") is None
    assert len(ids) == 1


@pytest.mark.parametrize(
    ("written_to", "sender"),
    [
        ("79001112233", "79001112233"),
        ("+79001112233", "+79001112233"),
        ("7575", "7575"),
        ("12", None),  # too short for a short code
        ("HomeSMS", None),
        ("", None),
    ],
)
def test_reply_sender(written_to: str, sender: str | None) -> None:
    """Answers come from the number written to; from the account's sender for anything else."""
    assert reply_sender(written_to) == sender


def test_find_recipient_by_any_spelling_of_the_number() -> None:
    """SMSC's form, with +, with 8: the same recipient; names and strangers are none."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        subentries_data=[
            ConfigSubentryData(
                data={CONF_NAME: "Mum", CONF_PHONE_NUMBER: "79991234567"},
                subentry_type=SUBENTRY_RECIPIENT,
                title="Mum",
                unique_id="79991234567",
            ),
            ConfigSubentryData(
                data={CONF_PHONE_NUMBER: "79991234568"},
                subentry_type="other",
                title="Not a recipient",
                unique_id="79991234568",
            ),
        ],
    )
    for number in ("79991234567", "+7 999 123-45-67", "8 999 123 45 67"):
        found = find_recipient(entry, number)
        assert found is not None
        assert found.title == "Mum"
    assert find_recipient(entry, "79991234568") is None
    assert find_recipient(entry, "79990000000") is None
    assert find_recipient(entry, "HomeSMS") is None


async def test_a_recipient_without_its_device_has_no_device_id(hass: HomeAssistant) -> None:
    """Before the account's entities are set up, a recipient has no device yet."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        subentries_data=[
            ConfigSubentryData(
                data={CONF_PHONE_NUMBER: "79991234567"},
                subentry_type=SUBENTRY_RECIPIENT,
                title="Mum",
                unique_id="79991234567",
            )
        ],
    )
    entry.add_to_hass(hass)
    [subentry] = entry.subentries.values()
    assert recipient_device_id(hass, entry, subentry) is None
