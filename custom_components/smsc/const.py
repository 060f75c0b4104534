"""Constants of the SMSC integration."""

from __future__ import annotations

from typing import Final

from .smpp.session import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TLS_PORT

DOMAIN: Final = "smsc"
MANUFACTURER: Final = "SMSC"

CONF_SENDER: Final = "sender"
CONF_USE_TLS: Final = "use_tls"
CONF_LATIN1: Final = "latin1"
CONF_PHONE_NUMBER: Final = "phone_number"
CONF_CHANNELS: Final = "channels"

CONF_MAX_PARTS: Final = "max_parts"
CONF_USE_MESSAGE_PAYLOAD: Final = "use_message_payload"
CONF_SUBMIT_WINDOW: Final = "submit_window"
DEFAULT_MAX_PARTS: Final = 6
DEFAULT_SUBMIT_WINDOW: Final = 10

SUBENTRY_RECIPIENT: Final = "recipient"
# The kinds a recipient can be reached by through a notify entity.
CHANNELS: Final = ("sms", "call", "viber")

EVENT_DELIVERY_REPORT: Final = "smsc_delivery_report"
EVENT_HLR_RESULT: Final = "smsc_hlr_result"
EVENT_MESSAGE_RECEIVED: Final = "smsc_message_received"

__all__ = [
    "CHANNELS",
    "CONF_CHANNELS",
    "CONF_LATIN1",
    "CONF_MAX_PARTS",
    "CONF_PHONE_NUMBER",
    "CONF_SENDER",
    "CONF_SUBMIT_WINDOW",
    "CONF_USE_MESSAGE_PAYLOAD",
    "CONF_USE_TLS",
    "DEFAULT_HOST",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_PORT",
    "DEFAULT_SUBMIT_WINDOW",
    "DEFAULT_TLS_PORT",
    "DOMAIN",
    "EVENT_DELIVERY_REPORT",
    "EVENT_HLR_RESULT",
    "EVENT_MESSAGE_RECEIVED",
    "MANUFACTURER",
    "SUBENTRY_RECIPIENT",
]
