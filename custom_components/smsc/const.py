"""Constants of the SMSC integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "smsc"
MANUFACTURER: Final = "SMSC"

# What the config flow offers for a new account: SMSC's main SMPP server, without TLS.
DEFAULT_HOST: Final = "smpp.smsc.ru"
DEFAULT_PORT: Final = 3700

CONF_SENDER: Final = "sender"
CONF_USE_TLS: Final = "use_tls"
CONF_LATIN1: Final = "latin1"
CONF_PHONE_NUMBER: Final = "phone_number"
CONF_CHANNELS: Final = "channels"

CONF_MAX_PARTS: Final = "max_parts"
CONF_USE_MESSAGE_PAYLOAD: Final = "use_message_payload"
CONF_SUBMIT_WINDOW: Final = "submit_window"
CONF_SMS_ENCODING: Final = "sms_encoding"
CONF_MAX_RATE: Final = "max_rate"
DEFAULT_MAX_PARTS: Final = 6
# SMSC's own client settings: 30 messages a second, up to 300 submits awaiting an answer.
DEFAULT_MAX_RATE: Final = 30
MAX_RATE_LIMIT: Final = 100
# A second's worth of submits in flight, so a burst at the full rate is written at once.
DEFAULT_SUBMIT_WINDOW: Final = DEFAULT_MAX_RATE
MAX_SUBMIT_WINDOW: Final = 300
# `sms_encoding`: GSM 7-bit where every character fits, or always UCS-2.
SMS_ENCODING_AUTO: Final = "auto"
SMS_ENCODING_UCS2: Final = "ucs2"
SMS_ENCODINGS: Final = (SMS_ENCODING_AUTO, SMS_ENCODING_UCS2)

SUBENTRY_RECIPIENT: Final = "recipient"
# A recipient who may talk to Assist by SMS, and the PIN that must start each such message.
CONF_ASSIST: Final = "assist"
CONF_PIN: Final = "pin"
# The account's Assist options: which agent answers, in which language, how often at most.
CONF_ASSIST_AGENT: Final = "assist_agent"
CONF_ASSIST_LANGUAGE: Final = "assist_language"
CONF_ASSIST_ANSWERS_PER_HOUR: Final = "assist_answers_per_hour"
DEFAULT_ASSIST_AGENT: Final = "conversation.home_assistant"  # Home Assistant's own agent
DEFAULT_ASSIST_ANSWERS_PER_HOUR: Final = 20
MAX_ASSIST_ANSWERS_PER_HOUR: Final = 100
# All recipients' answers together, so that a loop with several numbers is bounded too.
CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: Final = "assist_account_answers_per_hour"
DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: Final = 60
MAX_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: Final = 1000
# The kinds a recipient can be reached by through a notify entity.
CHANNELS: Final = ("sms", "call", "viber")

EVENT_DELIVERY_REPORT: Final = "smsc_delivery_report"
EVENT_HLR_RESULT: Final = "smsc_hlr_result"
EVENT_MESSAGE_RECEIVED: Final = "smsc_message_received"
EVENT_ASSIST_HANDLED: Final = "smsc_assist_handled"
EVENT_ESCALATION_STEP: Final = "smsc_escalation_step"
EVENT_ESCALATION_ENDED: Final = "smsc_escalation_ended"
EVENT_SEND_FAILED: Final = "smsc_send_failed"

__all__ = [
    "CHANNELS",
    "CONF_ASSIST",
    "CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR",
    "CONF_ASSIST_AGENT",
    "CONF_ASSIST_ANSWERS_PER_HOUR",
    "CONF_ASSIST_LANGUAGE",
    "CONF_CHANNELS",
    "CONF_LATIN1",
    "CONF_MAX_PARTS",
    "CONF_MAX_RATE",
    "CONF_PHONE_NUMBER",
    "CONF_PIN",
    "CONF_SENDER",
    "CONF_SMS_ENCODING",
    "CONF_SUBMIT_WINDOW",
    "CONF_USE_MESSAGE_PAYLOAD",
    "CONF_USE_TLS",
    "DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR",
    "DEFAULT_ASSIST_AGENT",
    "DEFAULT_ASSIST_ANSWERS_PER_HOUR",
    "DEFAULT_HOST",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_MAX_RATE",
    "DEFAULT_PORT",
    "DEFAULT_SUBMIT_WINDOW",
    "DOMAIN",
    "EVENT_ASSIST_HANDLED",
    "EVENT_DELIVERY_REPORT",
    "EVENT_ESCALATION_ENDED",
    "EVENT_ESCALATION_STEP",
    "EVENT_HLR_RESULT",
    "EVENT_MESSAGE_RECEIVED",
    "EVENT_SEND_FAILED",
    "MANUFACTURER",
    "MAX_ASSIST_ACCOUNT_ANSWERS_PER_HOUR",
    "MAX_ASSIST_ANSWERS_PER_HOUR",
    "MAX_RATE_LIMIT",
    "MAX_SUBMIT_WINDOW",
    "SMS_ENCODINGS",
    "SMS_ENCODING_AUTO",
    "SMS_ENCODING_UCS2",
    "SUBENTRY_RECIPIENT",
]
