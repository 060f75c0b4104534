"""Keep sent messages and SMSC's rate memory across reloads and restarts.

A report can come days after its message, and SMSC's duplicate and flood rules remember the
last minute: both must survive a reload or a restart of Home Assistant. One store per account.
"""

from __future__ import annotations

from datetime import datetime
import logging
import time
from typing import Any, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
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
        self._hass = hass
        self._store = _store(hass, entry_id)
        self._tracker = tracker
        self._guard = guard
        self._cancel_save: CALLBACK_TYPE | None = None

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
        """Write the state within SAVE_DELAY; changes in the meantime are written with it.

        A timer of our own: Store's delayed save starts its delay again at every call, so a
        steady flow of messages would put the write off for as long as it lasts.
        """
        if self._cancel_save is None:
            self._cancel_save = async_call_later(self._hass, SAVE_DELAY, self._save_now)

    @callback
    def _save_now(self, _now: datetime) -> None:
        self._cancel_save = None
        # Copied here, on the event loop that changes them: Store runs its data function in
        # an executor thread. The rows are built there, from the copies: a copy is one list
        # of references, so the loop spends well under a millisecond on thousands of messages.
        messages = self._tracker.snapshot()
        guard = self._guard.snapshot(time.time())
        self._store.async_delay_save(
            lambda: StoredData(messages=MessageTracker.rows(messages), guard=SendGuard.rows(guard)),
            0,
        )

    async def async_save(self) -> None:
        """Write the current state now (the account stops: its next hub reads it)."""
        if self._cancel_save is not None:
            self._cancel_save()
            self._cancel_save = None
        await self._store.async_save(self._data())

    def _data(self) -> StoredData:
        return {"messages": self._tracker.export(), "guard": self._guard.export(time.time())}


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete what a removed account stored."""
    await _store(hass, entry_id).async_remove()
