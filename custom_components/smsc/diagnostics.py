"""Diagnostics: session state, counters and recent errors, with secrets and numbers redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_NAME, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_PHONE_NUMBER, CONF_PIN, CONF_SENDER
from .hub import SmscConfigEntry
from .notify_names import CONF_NOTIFY_SUFFIX

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_NAME,
    CONF_PHONE_NUMBER,
    CONF_PIN,
    CONF_SENDER,
    CONF_NOTIFY_SUFFIX,  # the login, slugified, in the YAML notify names
    "title",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmscConfigEntry
) -> dict[str, Any]:
    """What a bug report needs, and nothing that identifies the account or its recipients."""
    hub = entry.runtime_data
    session = hub.session
    numbers = {*hub.recipients, *hub.recipient_phones().values()}
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "session": {
            "state": session.state.value,
            "host": session.config.host,
            "port": session.config.port,
            "use_tls": session.config.use_tls,
            "latin1": session.config.latin1,
            "max_rate": session.config.max_rate,
            "submit_window": session.config.submit_window,
            "in_flight": session.in_flight,
            "counters": _scrub(asdict(session.counters), numbers, entry),
        },
        "hub": {
            "counters": asdict(hub.counters),
            "tracked_messages": len(hub.tracker),
            "recipients_with_reports": len(hub.recipients),
        },
    }


def _scrub(value: dict[str, Any], numbers: set[str], entry: SmscConfigEntry) -> dict[str, Any]:
    """Error texts can quote a number, the login or a message opened with a PIN; cut them out."""
    pins = [subentry.data.get(CONF_PIN) for subentry in entry.subentries.values()]
    secrets = [
        s
        for s in (*numbers, *pins, entry.data.get(CONF_USERNAME), entry.data.get(CONF_PASSWORD))
        if s
    ]
    scrubbed: dict[str, Any] = {}
    for key, item in value.items():
        text = item
        if isinstance(text, str):
            for secret in secrets:
                text = text.replace(str(secret), REDACTED)
        scrubbed[key] = text
    return scrubbed
