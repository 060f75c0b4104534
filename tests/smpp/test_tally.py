"""Tests of the log-once failure tally."""

from __future__ import annotations

from custom_components.smsc.smpp.receipts import UnparsedReason
from custom_components.smsc.smpp.tally import FailureTally


def test_failure_tally_reports_each_kind_once() -> None:
    """The first failure of a kind is new, later ones are not."""
    tally = FailureTally()
    assert tally.record(UnparsedReason.NO_MESSAGE_ID) is True
    assert tally.record(UnparsedReason.NO_MESSAGE_ID) is False
    assert tally.record(UnparsedReason.BAD_UDH) is True
    assert tally.record("no_message_id") is False


def test_failure_tally_is_bounded() -> None:
    """Kinds beyond the cap are never new."""
    tally = FailureTally(max_kinds=2)
    assert tally.record("a") is True
    assert tally.record("b") is True
    assert tally.record("c") is False
    assert tally.record("d") is False
    assert tally.record("a") is False
