"""Keep a platform's recipient entities in step with the recipient subentries, live.

Each platform builds a recipient's entities from its subentry. They are added at setup, added
for a recipient added later, and built anew for an edited one (its number, name or channels
may have changed); the entity registry keeps its entries, so the user's changes to them stay.
A removed recipient's entities and device are removed by Home Assistant itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmscRecipientEntity
from .hub import RecipientChanges, recipients_signal
from .recipients import recipient_subentries

type RecipientEntitiesFactory = Callable[[ConfigSubentry], Sequence[SmscRecipientEntity]]


class RecipientEntities:
    """One platform's entities of an account's recipients, by subentry id."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        domain: str,
        async_add_entities: AddConfigEntryEntitiesCallback,
        build: RecipientEntitiesFactory,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._domain = domain
        self._add_entities = async_add_entities
        self._build = build
        self._entities: dict[str, Sequence[SmscRecipientEntity]] = {}
        # Two edits in quick succession: the second waits until the first has re-added.
        self._applying = asyncio.Lock()

    def add(self, subentry: ConfigSubentry) -> None:
        """Add a recipient's entities; a registry entry no longer built is removed."""
        subentry_id = subentry.subentry_id
        entities = self._build(subentry)
        # A channel taken away in the recipient's settings takes its entity with it.
        wanted = {entity.unique_id for entity in entities}
        registry = er.async_get(self._hass)
        for registered in er.async_entries_for_config_entry(registry, self._entry.entry_id):
            if (
                registered.domain == self._domain
                and registered.config_subentry_id == subentry_id
                and registered.unique_id not in wanted
            ):
                registry.async_remove(registered.entity_id)
        self._entities[subentry_id] = entities
        self._add_entities(entities, config_subentry_id=subentry_id)

    async def async_apply(self, changes: RecipientChanges) -> None:
        """Follow the recipients added, edited and removed since the last change."""
        async with self._applying:
            for subentry_id in changes.removed | changes.edited:
                for entity in self._entities.pop(subentry_id, ()):
                    # A disabled entity was never added (it has no hass): nothing to remove.
                    if getattr(entity, "hass", None) is not None:
                        await entity.async_remove(force_remove=True)
            for subentry_id in changes.added | changes.edited:
                if (subentry := self._entry.subentries.get(subentry_id)) is not None:
                    self.add(subentry)


def async_setup_recipient_entities(
    hass: HomeAssistant,
    entry: ConfigEntry,
    domain: str,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: RecipientEntitiesFactory,
) -> None:
    """Add every recipient's entities of a platform, and follow the recipients from now on."""
    entities = RecipientEntities(hass, entry, domain, async_add_entities, build)
    for subentry in recipient_subentries(entry):
        entities.add(subentry)
    entry.async_on_unload(
        async_dispatcher_connect(hass, recipients_signal(entry.entry_id), entities.async_apply)
    )
