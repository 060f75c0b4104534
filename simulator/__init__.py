"""SMSC (smsc.ru) SMPP gateway simulator.

An asyncio SMPP 3.4 server that answers the way SMSC does: password check on bind, message
kinds chosen by text prefix, SMSC's duplicate and flood rules, long-message reassembly,
delivery receipts and HLR results. Used by the integration's tests and for running Home
Assistant against a fake provider (``python -m simulator``).

It shares no code with the integration and does not use smpplib: its PDU codec and GSM 03.38
tables are its own, so a bug in the client's codec cannot cancel itself out across the wire.
"""

from .codec import CodecError, decode_text, gsm_decode, gsm_encode
from .kinds import COMMENT_MARKER, KINDS, ParsedText, parse_text
from .pdu import CommandId, MessageState, Pdu, PduError, Status, Tag
from .server import BindRecord, ReceivedMessage, Refusal, SmscSimulator
from .thread import SimulatorThread

__all__ = [
    "COMMENT_MARKER",
    "KINDS",
    "BindRecord",
    "CodecError",
    "CommandId",
    "MessageState",
    "ParsedText",
    "Pdu",
    "PduError",
    "ReceivedMessage",
    "Refusal",
    "SimulatorThread",
    "SmscSimulator",
    "Status",
    "Tag",
    "decode_text",
    "gsm_decode",
    "gsm_encode",
    "parse_text",
]
