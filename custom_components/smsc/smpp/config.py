"""The session's shared records: config, counters, what it hands over; no thread runs them.

Both the event loop's side (:mod:`.session`) and the I/O thread (:mod:`.connection`) read these,
so they live here, below both: the two modules import this one and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import ssl

from .incoming import IncomingMessage
from .receipts import DeliveryReceipt, HlrResult, UnparsedReport


class BindMode(StrEnum):
    """Which bind the session sends.

    A transceiver both sends and receives (reports, incoming SMS): the hub's session. A
    transmitter only sends, so SMSC hands it nothing it could lose: the config flow's login check.
    """

    TRANSCEIVER = "transceiver"
    TRANSMITTER = "transmitter"


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How to reach and bind to SMSC."""

    host: str
    port: int
    login: str
    password: str = field(repr=False)
    use_tls: bool = False
    latin1: bool = False
    enquire_link_interval: float = 30.0
    response_timeout: float = 10.0
    submit_timeout: float = 30.0
    # SMSC's own client: 30 submits a second, up to 300 awaiting an answer. A second's worth in
    # flight lets a burst at the full rate be written at once.
    max_rate: int = 30
    submit_window: int = 30
    reconnect_min_delay: float = 1.0
    reconnect_max_delay: float = 60.0
    throttle_delay: float = 1.0
    # None with `use_tls`: the session builds one default context, once, for all its reconnects.
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)
    bind_mode: BindMode = BindMode.TRANSCEIVER

    @property
    def system_type(self) -> str:
        """SMSC switches data_coding 4 to Latin-1 only for binds with system_type ISO."""
        return "ISO" if self.latin1 else ""


# What the session hands over for each deliver_sm: parsed in the I/O thread, so a burst of
# receipts costs the event loop only the dispatch.
type Received = DeliveryReceipt | HlrResult | IncomingMessage | UnparsedReport


@dataclass(slots=True)
class SessionCounters:
    """What the session has done since it started; read by diagnostics.

    `submits`, `submit_errors` and `throttled` are counted on the event loop, the rest on the
    I/O thread; each has that one writer, so they need no lock.
    """

    connects: int = 0
    disconnects: int = 0
    submits: int = 0
    submit_errors: int = 0
    throttled: int = 0
    delivers: int = 0
    unparsable_pdus: int = 0
    last_error: str | None = None
