"""Tests of the client-side copy of SMSC's rate rules."""

from __future__ import annotations

from dataclasses import dataclass, field
import itertools
import time

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smsc.smpp.errors import (
    MESSAGES,
    ComposeError,
    DuplicateMessageError,
    FloodLimitError,
    GuardError,
    PartsDeadlineError,
    SmscRequestError,
)
from custom_components.smsc.smpp.guard import (
    DUPLICATE_WINDOW,
    FLOOD_INTERVAL,
    FLOOD_LIMIT,
    MAX_RECIPIENTS,
    MAX_TEXTS_PER_RECIPIENT,
    PARTS_WINDOW,
    PartsDeadline,
    SendGuard,
)

A = "79991234567"
B = "79997654321"


@dataclass
class FakeClock:
    """A settable monotonic clock."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting at 1000 s."""
    return FakeClock()


@pytest.fixture
def guard(clock: FakeClock) -> SendGuard:
    """A guard with SMSC's rules on the fake clock."""
    return SendGuard(clock=clock)


def test_defaults_are_smscs_rules() -> None:
    """60 s duplicates, 50 messages 30 s apart, 60 s for all parts, real monotonic clock."""
    assert (DUPLICATE_WINDOW, FLOOD_INTERVAL, FLOOD_LIMIT, PARTS_WINDOW) == (60.0, 30.0, 50, 60.0)
    assert MAX_RECIPIENTS == 10_000
    assert SendGuard().parts_deadline().clock is time.monotonic


# --- duplicates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "refused", "seconds"),
    [
        pytest.param(0.0, True, "60", id="immediately"),
        pytest.param(30.0, True, "30", id="30s"),
        pytest.param(59.9, True, "1", id="59.9s"),
        pytest.param(60.0, False, None, id="60s"),
        pytest.param(90.0, False, None, id="90s"),
    ],
)
def test_duplicate_window(
    guard: SendGuard, clock: FakeClock, elapsed: float, refused: bool, seconds: str | None
) -> None:
    """The same text to the same recipient is refused for exactly 60 s."""
    guard.record(A, "door open")
    clock.advance(elapsed)
    if not refused:
        guard.check(A, "door open")
        return
    with pytest.raises(DuplicateMessageError) as caught:
        guard.check(A, "door open")
    err = caught.value
    assert err.translation_key == "duplicate_message"
    assert err.translation_placeholders == {"recipient": A, "window": "60", "seconds": seconds}
    assert err.retry_after == pytest.approx(60.0 - elapsed)
    assert str(err) == MESSAGES["duplicate_message"].format(**err.translation_placeholders)


def test_duplicate_is_per_recipient_and_text(guard: SendGuard, clock: FakeClock) -> None:
    """Another text, or another recipient, is not a duplicate."""
    guard.record(A, "door open")
    clock.advance(1)
    guard.check(A, "door closed")
    guard.check(B, "door open")
    guard.check(A, "door open\n~~~\nother comment")  # the comment is part of the request
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "door open")


def test_check_does_not_record(guard: SendGuard) -> None:
    """check() alone never makes a later identical check fail."""
    for _ in range(100):
        guard.check(A, "same")
    assert len(guard) == 0
    guard.record(A, "same")
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "same")


def test_duplicate_window_restarts_on_resend(guard: SendGuard, clock: FakeClock) -> None:
    """Recording the same text again (allowed after 60 s) restarts its window."""
    guard.record(A, "x")
    clock.advance(60)
    guard.check(A, "x")
    guard.record(A, "x")
    clock.advance(59)
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "x")


def test_old_texts_expire_while_recipient_is_active(guard: SendGuard, clock: FakeClock) -> None:
    """A text older than the window no longer counts even if the recipient stays tracked."""
    guard.record(A, "first")
    clock.advance(50)
    guard.record(A, "second")
    clock.advance(20)  # first: 70 s ago, second: 20 s ago
    guard.check(A, "first")
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "second")


# --- flood -----------------------------------------------------------------------------------


def send_chain(guard: SendGuard, clock: FakeClock, count: int, gap: float, prefix: str) -> None:
    """Check and record ``count`` distinct messages to A, ``gap`` seconds apart."""
    for index in range(count):
        if index:
            clock.advance(gap)
        guard.check(A, f"{prefix}{index}")
        guard.record(A, f"{prefix}{index}")


def test_fifty_messages_pass_fifty_first_is_refused(guard: SendGuard, clock: FakeClock) -> None:
    """50 messages each 29.5 s apart pass; the 51st within 30 s is refused."""
    send_chain(guard, clock, 50, 29.5, "m")
    clock.advance(29.5)
    with pytest.raises(FloodLimitError) as caught:
        guard.check(A, "m50")
    err = caught.value
    assert err.translation_key == "flood_limit"
    assert err.translation_placeholders == {
        "recipient": A,
        "limit": "50",
        "interval": "30",
        "seconds": "1",
    }
    assert err.retry_after == pytest.approx(0.5)
    guard.check(B, "m50")  # other recipients are unaffected


def test_gap_of_30_seconds_resets_chain(guard: SendGuard, clock: FakeClock) -> None:
    """A 51st message 30 s (or more) after the 50th starts a new chain."""
    send_chain(guard, clock, 50, 29.5, "m")
    clock.advance(30.0)  # all clock values are exact binary fractions: exactly 30 s
    guard.check(A, "after gap")
    guard.record(A, "after gap")
    send_chain(guard, clock, 49, 1.0, "n")  # 50 in the new chain so far
    clock.advance(1.0)
    with pytest.raises(FloodLimitError):
        guard.check(A, "one too many")


def test_gap_in_the_middle_resets_chain(guard: SendGuard, clock: FakeClock) -> None:
    """A long pause inside a run restarts the count: 30 + pause + 50 is fine up to the 50th."""
    send_chain(guard, clock, 30, 1.0, "a")
    clock.advance(45.0)
    send_chain(guard, clock, 50, 1.0, "b")
    clock.advance(1.0)
    with pytest.raises(FloodLimitError):
        guard.check(A, "c")
    clock.advance(29.0)  # 30 s after the last one
    guard.check(A, "c")


def test_refused_message_does_not_extend_chain(guard: SendGuard, clock: FakeClock) -> None:
    """After a refusal, waiting 30 s from the last *sent* message is enough."""
    send_chain(guard, clock, 50, 1.0, "m")
    clock.advance(10.0)
    with pytest.raises(FloodLimitError) as caught:
        guard.check(A, "x")
    assert caught.value.retry_after == pytest.approx(20.0)
    clock.advance(20.0)
    guard.check(A, "x")


def test_duplicate_reported_before_flood(guard: SendGuard, clock: FakeClock) -> None:
    """When both rules apply, the duplicate (the more specific) is reported."""
    send_chain(guard, clock, 50, 1.0, "m")
    clock.advance(1.0)
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "m49")


# --- memory ----------------------------------------------------------------------------------


def test_recipients_expire(guard: SendGuard, clock: FakeClock) -> None:
    """A recipient is forgotten once no rule can apply (60 s without messages)."""
    guard.record(A, "x")
    guard.record(B, "y")
    assert len(guard) == 2
    clock.advance(59.5)
    guard.check(B, "z")
    assert len(guard) == 2
    clock.advance(0.5)
    guard.check(B, "z")
    assert len(guard) == 0


def test_max_recipients_evicts_least_recent(clock: FakeClock) -> None:
    """At most max_recipients are tracked; the least recently recorded goes first."""
    guard = SendGuard(clock=clock, max_recipients=3)
    for recipient in ("r1", "r2", "r3"):
        guard.record(recipient, "t")
        clock.advance(1)
    guard.record("r1", "u")  # r1 is now the most recent
    guard.record("r4", "t")
    assert len(guard) == 3
    guard.check("r2", "t")  # forgotten: allowed again
    for recipient in ("r1", "r3", "r4"):
        with pytest.raises(DuplicateMessageError):
            guard.check(recipient, "t")


def test_texts_per_recipient_are_bounded(clock: FakeClock) -> None:
    """Only the newest MAX_TEXTS_PER_RECIPIENT texts are kept for one recipient."""
    guard = SendGuard(clock=clock, flood_limit=10**6)
    for index in range(MAX_TEXTS_PER_RECIPIENT + 1):
        guard.record(A, f"t{index}")
    guard.check(A, "t0")
    with pytest.raises(DuplicateMessageError):
        guard.check(A, "t1")
    with pytest.raises(DuplicateMessageError):
        guard.check(A, f"t{MAX_TEXTS_PER_RECIPIENT}")


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"duplicate_window": -1}, id="negative-duplicate-window"),
        pytest.param({"flood_interval": -1}, id="negative-flood-interval"),
        pytest.param({"parts_window": 0}, id="zero-parts-window"),
        pytest.param({"flood_limit": 0}, id="zero-flood-limit"),
        pytest.param({"max_recipients": 0}, id="zero-recipients"),
    ],
)
def test_invalid_configuration(kwargs: dict[str, float]) -> None:
    """Nonsensical rule settings are programming errors."""
    with pytest.raises(ValueError, match="must"):
        SendGuard(**kwargs)  # type: ignore[arg-type]


# --- parts deadline --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "sent", "parts", "refused"),
    [
        pytest.param(0.0, 1, 3, False, id="start"),
        pytest.param(59.9, 2, 3, False, id="59.9s-part-left"),
        pytest.param(60.0, 2, 3, True, id="60s-part-left"),
        pytest.param(75.0, 1, 6, True, id="late"),
        pytest.param(75.0, 3, 3, False, id="late-but-nothing-left"),
    ],
)
def test_parts_deadline(
    guard: SendGuard, clock: FakeClock, *, elapsed: float, sent: int, parts: int, refused: bool
) -> None:
    """No part may be submitted 60 s or more after the first one."""
    started = clock()
    deadline = guard.parts_deadline()
    assert deadline.started == started
    assert deadline.deadline == started + 60.0
    clock.advance(elapsed)
    assert deadline.expired() is (elapsed >= 60.0)
    if not refused:
        deadline.check(sent=sent, parts=parts)
        return
    with pytest.raises(PartsDeadlineError) as caught:
        deadline.check(sent=sent, parts=parts)
    err = caught.value
    assert err.translation_key == "parts_deadline"
    assert err.translation_placeholders == {
        "sent": str(sent),
        "parts": str(parts),
        "window": "60",
    }
    assert err.retry_after == 0.0


def test_parts_deadline_custom_window(clock: FakeClock) -> None:
    """A guard's parts window (e.g. with a safety margin) is honoured."""
    guard = SendGuard(clock=clock, parts_window=50.0)
    deadline = guard.parts_deadline()
    clock.advance(49.9)
    deadline.check(sent=1, parts=2)
    clock.advance(0.1)
    with pytest.raises(PartsDeadlineError) as caught:
        deadline.check(sent=1, parts=2)
    assert caught.value.translation_placeholders["window"] == "50"


def test_parts_deadline_standalone() -> None:
    """PartsDeadline works on its own with the real clock."""
    deadline = PartsDeadline(started=time.monotonic())
    assert 59.0 < deadline.deadline - time.monotonic() <= 60.0
    assert not deadline.expired()
    deadline.check(sent=1, parts=2)


# --- errors ----------------------------------------------------------------------------------


def test_error_hierarchy() -> None:
    """Guard refusals share the base with compose refusals but are not ValueErrors."""
    for cls in (DuplicateMessageError, FloodLimitError, PartsDeadlineError):
        assert issubclass(cls, GuardError)
    assert issubclass(GuardError, SmscRequestError)
    assert not issubclass(GuardError, ComposeError)
    assert not issubclass(GuardError, ValueError)


# --- model-based property --------------------------------------------------------------------


@dataclass
class Model:
    """The rules read literally, over the full history (no expiry, no bounds)."""

    duplicate_window: float
    flood_interval: float
    flood_limit: int
    history: list[tuple[float, str, str]] = field(default_factory=list)

    def verdict(self, now: float, recipient: str, text: str) -> str | None:
        mine = [(t, x) for t, r, x in self.history if r == recipient]
        if any(x == text and now - t < self.duplicate_window for t, x in mine):
            return "duplicate_message"
        if not mine or now - mine[-1][0] >= self.flood_interval:
            return None
        chain = 1
        for (earlier, _), (later, _) in itertools.pairwise(mine):
            chain = chain + 1 if later - earlier < self.flood_interval else 1
        return "flood_limit" if chain >= self.flood_limit else None


operations = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.5, 1.0, 4.0, 5.0, 9.0, 10.0, 25.0]),
        st.sampled_from(["r1", "r2"]),
        st.sampled_from(["a", "b", "c", "d"]),
    ),
    max_size=80,
)


@settings(max_examples=300)
@given(operations)
def test_guard_matches_literal_model(ops: list[tuple[float, str, str]]) -> None:
    """Try to send each message; the guard refuses exactly what the literal rules refuse."""
    clock = FakeClock()
    guard = SendGuard(clock=clock, duplicate_window=10.0, flood_interval=5.0, flood_limit=3)
    model = Model(duplicate_window=10.0, flood_interval=5.0, flood_limit=3)
    for gap, recipient, text in ops:
        clock.advance(gap)
        expected = model.verdict(clock(), recipient, text)
        try:
            guard.check(recipient, text)
        except GuardError as err:
            refusal: GuardError | None = err
        else:
            refusal = None
        if refusal is not None:
            assert refusal.translation_key == expected
            assert refusal.retry_after > 0
        else:
            assert expected is None
            guard.record(recipient, text)
            model.history.append((clock(), recipient, text))
    assert len(guard) <= 2


def test_export_and_restore_carry_the_rules_across_a_restart(clock: FakeClock) -> None:
    """Exported in wall time, restored on another monotonic clock: the rules still apply."""
    before = SendGuard(clock=clock)
    before.record("79991234567", "Same text")
    rows = before.export(wall_now=1_700_000_000.0)
    assert rows[0][1] == 1_700_000_000.0
    later = FakeClock(5.0)  # a restart resets the monotonic clock
    after = SendGuard(clock=later)
    after.restore([*rows, ["bad row"]], wall_now=1_700_000_010.0)
    assert len(after) == 1
    with pytest.raises(DuplicateMessageError) as err:
        after.check("79991234567", "Same text")
    assert err.value.retry_after == pytest.approx(50.0)
    later.advance(50.0)
    after.check("79991234567", "Same text")


def test_restore_drops_what_no_rule_applies_to(clock: FakeClock) -> None:
    """A state older than the rules' horizon is not restored; the size bound holds."""
    before = SendGuard(clock=clock)
    before.record("79991234567", "Old")
    rows = before.export(wall_now=1_700_000_000.0)
    after = SendGuard(clock=FakeClock(5.0), max_recipients=1)
    after.restore(rows, wall_now=1_700_000_000.0 + 61)
    assert len(after) == 0
    after.restore(
        [["79990000001", 1_700_000_000.0, 1, []], ["79990000002", 1_700_000_000.0, 1, []]],
        wall_now=1_700_000_001.0,
    )
    assert [row[0] for row in after.export(wall_now=1_700_000_001.0)] == ["79990000002"]


def test_a_snapshot_is_not_changed_by_later_sends(clock: FakeClock) -> None:
    """Another thread may build the rows while the loop sends on: states are replaced."""
    guard = SendGuard(clock=clock)
    guard.record("79991234567", "First")
    snapshot = guard.snapshot(wall_now=1_700_000_000.0)
    clock.advance(1.0)
    guard.record("79991234567", "Second")
    guard.record("79990000001", "Other")
    rows = SendGuard.rows(snapshot)
    assert [(row[0], row[1], row[2], len(row[3])) for row in rows] == [
        ("79991234567", 1_700_000_000.0, 1, 1)
    ]
    assert [row[2] for row in guard.export(wall_now=1_700_000_001.0)] == [2, 1]
