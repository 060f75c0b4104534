"""What a report means: SMSC's `err` code as a stable slug, and a voice call's result.

Pure functions, run on whichever thread calls them (the event loop, in practice). The table is
SMSC's status error codes (see the project's provider notes); a code it does not list is
``other``, and callers keep the raw number beside the slug.
"""

from __future__ import annotations

from typing import Final

from .receipts import DeliveryState

ERROR_OTHER: Final = "other"

ERROR_SLUGS: Final[dict[int, str]] = {
    1: "no_such_number",
    6: "subscriber_offline",
    11: "no_sms_service",
    12: "phone_or_sim_error",
    13: "subscriber_blocked",
    21: "not_supported_by_device",
    200: "test_mode",
    219: "sim_replaced",
    220: "operator_queue_full",
    237: "no_answer",
    238: "no_template",
    239: "ip_not_allowed",
    240: "busy",
    241: "conversion_error",
    242: "answering_machine",
    243: "no_contract",
    244: "mass_sending_forbidden",
    245: "no_operator_status",
    246: "outside_sending_hours",
    247: "daily_limit_exceeded",
    248: "no_route",
    249: "invalid_number_format",
    250: "number_forbidden_by_settings",
    251: "number_daily_limit_exceeded",
    252: "number_forbidden",
    253: "spam_filter",
    254: "unregistered_sender",
    255: "operator_rejected",
}
"""SMSC's `err` code → the slug Home Assistant shows (translated) and fires."""

ERRORS: Final[tuple[str, ...]] = (*dict.fromkeys(ERROR_SLUGS.values()), ERROR_OTHER)

CALL_ANSWERED: Final = "answered"
CALL_NO_ANSWER: Final = "no_answer"
CALL_BUSY: Final = "busy"
CALL_ANSWERING_MACHINE: Final = "answering_machine"
CALL_FAILED: Final = "failed"
CALL_RESULTS: Final[tuple[str, ...]] = (
    CALL_ANSWERED,
    CALL_NO_ANSWER,
    CALL_BUSY,
    CALL_ANSWERING_MACHINE,
    CALL_FAILED,
)

# The err codes that say how a call that reached the network ended; any other is a failure.
_CALL_ENDINGS: Final[dict[int, str]] = {
    237: CALL_NO_ANSWER,
    240: CALL_BUSY,
    242: CALL_ANSWERING_MACHINE,
}


def error_slug(error_code: int | None) -> str | None:
    """The slug of a report's `err`; None when there was no error (none given, or 0)."""
    if not error_code:
        return None
    return ERROR_SLUGS.get(error_code, ERROR_OTHER)


def call_result(state: DeliveryState, error_code: int | None) -> str | None:
    """How a voice call ended, from its report; None while it has not ended.

    SMSC reports an answered call as delivered; a call that did not reach anyone carries the
    reason in its `err` (237 no answer, 240 busy or declined, 242 answering machine).
    """
    if not state.is_final:
        return None
    if state is DeliveryState.DELIVERED:
        return CALL_ANSWERED
    return _CALL_ENDINGS.get(error_code or 0, CALL_FAILED)
