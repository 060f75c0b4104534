"""Keep sent messages and SMSC's rate memory across reloads and restarts.

A report can come days after its message, and SMSC's duplicate and flood rules remember the
last minute: both must survive a reload or a restart of Home Assistant. One store per account.
"""

from __future__ import annotations

import logging
import time
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .smpp.guard import SendGuard
from .tracking import MessageTracker

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 10.0
"""Seconds a change waits before it is written, so a burst of sends is written once."""


class StoredData(TypedDict):
    """What is stored: compact rows, not a mapping per message."""

    messages: list[list[Any]]
    guard: list[list[Any]]


def _store(hass: HomeAssistant, entry_id: str) -> Store[StoredData]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


class HubStore:
    """The stored sent messages and rate memory of one account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        tracker: MessageTracker,
        guard: SendGuard,
    ) -> None:
        self._store = _store(hass, entry_id)
        self._tracker = tracker
        self._guard = guard

    async def async_load(self) -> None:
        """Read back what an earlier run of this account stored."""
        data = await self._store.async_load()
        if not isinstance(data, dict):
            return
        messages = data.get("messages")
        guard = data.get("guard")
        if isinstance(messages, list):
            self._tracker.restore(messages)
        if isinstance(guard, list):
            self._guard.restore(guard, time.time())
        _LOGGER.debug(
            "Restored %d sent messages and %d recipients' rate memory",
            len(self._tracker),
            len(self._guard),
        )

    @callback
    def schedule_save(self) -> None:
        """Write the current state soon; changes in the meantime are written with it."""
        self._store.async_delay_save(self._data, SAVE_DELAY)

    async def async_save(self) -> None:
        """Write the current state now (the account stops: its next hub reads it)."""
        await self._store.async_save(self._data())

    def _data(self) -> StoredData:
        return {"messages": self._tracker.export(), "guard": self._guard.export(time.time())}


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete what a removed account stored."""
    await _store(hass, entry_id).async_remove()
