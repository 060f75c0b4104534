"""Remember one Assist conversation per sender for a few minutes, so follow-ups keep context."""

from __future__ import annotations

from collections.abc import Callable
import time
from typing import Final

IDLE_TIMEOUT: Final = 300.0  # seconds without a message after which a conversation starts anew


class ConversationIds:
    """Sender number → the conversation id of its last exchange, until it has been idle."""

    def __init__(
        self, idle_timeout: float = IDLE_TIMEOUT, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._idle_timeout = idle_timeout
        self._clock = clock
        self._ids: dict[str, tuple[str, float]] = {}

    def get(self, number: str) -> str | None:
        """The conversation to continue with this number, or None to start a new one."""
        self._forget_idle()
        found = self._ids.get(number)
        return found[0] if found else None

    def remember(self, number: str, conversation_id: str | None) -> None:
        """Keep the conversation an answer belongs to, from now on."""
        self._forget_idle()
        if conversation_id:
            self._ids[number] = (conversation_id, self._clock())

    def __len__(self) -> int:
        return len(self._ids)

    def _forget_idle(self) -> None:
        # Every call sweeps, so the dict never holds more than the senders of the last minutes.
        now = self._clock()
        for number in [n for n, (_, at) in self._ids.items() if now - at >= self._idle_timeout]:
            del self._ids[number]
