"""The rate window: never more than the rate in any one-second window, on a fake clock."""

from __future__ import annotations

from bisect import bisect_right

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smsc.smpp.pacing import RateWindow


def _most_in_any_window(times: list[float], period: float) -> int:
    """The largest number of `times` inside any half-open window (t - period, t]."""
    ordered = sorted(times)
    most = 0
    for index, end in enumerate(ordered):
        start = bisect_right(ordered, end - period)
        most = max(most, index + 1 - start)
    return most


def _write_all(pacer: RateWindow, arrivals: list[float]) -> list[float]:
    """Write each submit as soon as the pacer lets it, in arrival order (a fake clock)."""
    now = 0.0
    written: list[float] = []
    for arrival in sorted(arrivals):
        now = max(now, arrival, pacer.next_slot())
        pacer.record(now)
        written.append(now)
    return written


def test_a_burst_is_written_a_rate_at_a_time() -> None:
    """90 submits at once at 30/s: 30 now, 30 a second later, 30 two seconds later."""
    pacer = RateWindow(30)
    written = _write_all(pacer, [0.0] * 90)
    assert written[:30] == [0.0] * 30
    assert written[30:60] == [1.0] * 30
    assert written[60:] == [2.0] * 30
    assert _most_in_any_window(written, 1.0) == 30


def test_no_burst_above_the_rate_after_a_quiet_second() -> None:
    """Unlike a token bucket, a refilled window does not add a burst to the previous one."""
    pacer = RateWindow(10)
    written = _write_all(pacer, [0.5] * 10 + [1.2] * 10)
    assert written[10:] == [1.5] * 10
    assert _most_in_any_window(written, 1.0) == 10


def test_the_next_slot_is_a_period_after_the_oldest_of_the_window() -> None:
    pacer = RateWindow(2)
    assert pacer.next_slot() == float("-inf")
    pacer.record(0.0)
    assert pacer.next_slot() == float("-inf")
    pacer.record(0.4)
    assert pacer.next_slot() == 1.0
    pacer.record(1.0)
    assert pacer.next_slot() == 1.4


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateWindow(0)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(min_value=1, max_value=100),
    arrivals=st.lists(st.integers(min_value=0, max_value=5_000), max_size=400),
)
def test_no_window_ever_holds_more_than_the_rate(rate: int, arrivals: list[int]) -> None:
    """A fake clock in whole milliseconds, so the window's edges are exact."""
    written = _write_all(RateWindow(rate, period=1_000), [float(ms) for ms in arrivals])
    assert _most_in_any_window(written, 1_000) <= rate
    # Pacing only ever delays: nothing is written before it arrived.
    assert all(w >= a for w, a in zip(written, sorted(arrivals), strict=True))


def test_set_rate_keeps_the_recent_events() -> None:
    """A lower rate counts the events already in the window; a higher one makes room at once."""
    pacer = RateWindow(3)
    for now in (0.0, 0.1, 0.2):
        pacer.record(now)
    assert pacer.next_slot() == 1.0
    pacer.set_rate(2)
    assert pacer.rate == 2
    assert pacer.next_slot() == pytest.approx(1.1)  # the two newest stay
    pacer.set_rate(10)
    assert pacer.next_slot() == float("-inf")
    with pytest.raises(ValueError, match="at least 1"):
        pacer.set_rate(0)
