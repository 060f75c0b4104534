"""Constants of the SMSC integration."""

from __future__ import annotations

from typing import Final

from .smpp.session import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TLS_PORT

DOMAIN: Final = "smsc"
MANUFACTURER: Final = "SMSC"

CONF_SENDER: Final = "sender"
CONF_USE_TLS: Final = "use_tls"
CONF_LATIN1: Final = "latin1"

__all__ = [
    "CONF_LATIN1",
    "CONF_SENDER",
    "CONF_USE_TLS",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TLS_PORT",
    "DOMAIN",
    "MANUFACTURER",
]
