"""Resolve an action's target (entities, devices, areas, floors, labels) to recipients' numbers.

Home Assistant's own helper expands the target, as it does for core actions; each recipient
found brings its own account along. Each part of the target must hold at least one recipient,
or the call is refused with a translated reason rather than sending to fewer people than the
caller meant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import importlib
from types import ModuleType
from typing import Any, Final, Protocol, cast

from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    label_registry as lr,
    service as service_helper,
)

from .const import DOMAIN
from .recipients import device_owner

TARGET_KINDS: Final = (ATTR_ENTITY_ID, ATTR_DEVICE_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
# An entity or device that is no recipient is `not_a_recipient`; areas, floors and labels are
# containers, and one that holds no recipient has an error of its own, naming it.
_EMPTY_CONTAINER_KEYS: Final = {
    ATTR_AREA_ID: "no_recipient_in_area",
    ATTR_FLOOR_ID: "no_recipient_on_floor",
    ATTR_LABEL_ID: "no_recipient_with_label",
}


class _Referenced(Protocol):
    """What Home Assistant's helper returns (its class moved between versions)."""

    referenced: set[str]
    indirectly_referenced: set[str]
    referenced_devices: set[str]


def _target_helper() -> ModuleType | None:
    """`homeassistant.helpers.target`, home of the helper in newer versions; None in 2025.4."""
    try:
        return importlib.import_module("homeassistant.helpers.target")
    except ImportError:
        return None


_TARGET_HELPER: Final = _target_helper()


@callback
def _extract(hass: HomeAssistant, data: Mapping[str, Any]) -> _Referenced:
    """Home Assistant's expansion of a target: groups, devices, areas, floors and labels."""
    if _TARGET_HELPER is None:  # Home Assistant 2025.4 reads the target from a service call
        call = ServiceCall(hass, DOMAIN, "target", dict(data))
        return service_helper.async_extract_referenced_entity_ids(hass, call)
    selection = getattr(_TARGET_HELPER, "TargetSelection", None) or (
        _TARGET_HELPER.TargetSelectorData  # its earlier name, deprecated in 2026.x
    )
    return cast(
        _Referenced, _TARGET_HELPER.async_extract_referenced_entity_ids(hass, selection(data))
    )


@callback
def async_target_recipients(
    hass: HomeAssistant, accounts: Mapping[str, Mapping[str, str]], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(entry id, phone number) of each recipient an action's target names, in order, once each.

    `accounts` maps each loaded account's entry id to its recipients' numbers by subentry id.
    A recipient's entity or device names its account (the entity's config entry, the device's
    identifier), so a target may span accounts and needs no `config_entry_id`. An entity or
    device that is no recipient raises `not_a_recipient`; an area, floor or label without any
    raises its own error; a recipient of an account that is set up but not loaded raises
    `entry_not_loaded` rather than being skipped. Recipients of a disabled account are none.
    """
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)

    def recipients_in(selected: _Referenced) -> list[tuple[str, str]]:
        found: list[tuple[str, str | None]] = []
        for entity_id in sorted(selected.referenced | selected.indirectly_referenced):
            entity = entity_registry.async_get(entity_id)
            if entity is not None and entity.platform == DOMAIN and entity.config_entry_id:
                found.append((entity.config_entry_id, entity.config_subentry_id))
        for device_id in sorted(selected.referenced_devices):
            device = device_registry.async_get(device_id)
            if device is not None and (owner := device_owner(device)) is not None:
                found.append(owner)
        return [
            (entry_id, subentry_id)
            for entry_id, subentry_id in found
            if subentry_id is not None and _is_recipient(hass, accounts, entry_id, subentry_id)
        ]

    targeted: list[tuple[str, str]] = []
    for kind in TARGET_KINDS:
        for target in _ids(data.get(kind)):
            found = recipients_in(_extract(hass, {kind: [target]}))
            if not found:
                raise _nobody_in(hass, kind, target)
            targeted.extend(found)
    return [
        (entry_id, accounts[entry_id][subentry_id])
        for entry_id, subentry_id in dict.fromkeys(targeted)
    ]


def _is_recipient(
    hass: HomeAssistant, accounts: Mapping[str, Mapping[str, str]], entry_id: str, subentry_id: str
) -> bool:
    """Whether the subentry is a recipient of a loaded account; raise for one not loaded."""
    if (phones := accounts.get(entry_id)) is not None:
        return subentry_id in phones
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.disabled_by is not None:
        return False
    if subentry_id not in entry.subentries:
        return False
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="entry_not_loaded",
        translation_placeholders={"title": entry.title},
    )


def _ids(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _nobody_in(hass: HomeAssistant, kind: str, target: str) -> ServiceValidationError:
    if (key := _EMPTY_CONTAINER_KEYS.get(kind)) is None:
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_recipient",
            translation_placeholders={"target": target},
        )
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"name": _name_of(hass, kind, target)},
    )


def _name_of(hass: HomeAssistant, kind: str, target: str) -> str:
    """The name the user gave an area, floor or label; its id when there is none."""
    item: ar.AreaEntry | fr.FloorEntry | lr.LabelEntry | None
    if kind == ATTR_AREA_ID:
        item = ar.async_get(hass).async_get_area(target)
    elif kind == ATTR_FLOOR_ID:
        item = fr.async_get(hass).async_get_floor(target)
    else:
        item = lr.async_get(hass).async_get_label(target)
    return item.name if item is not None else target
