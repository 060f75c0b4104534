"""Pytest plugin: fail a test in which the smsc integration shows a string it has not translated.

Core's own test suite checks this in every test (``check_translations`` in core's
``tests/components/conftest.py``); pytest-homeassistant-custom-component does not ship that
fixture, so this is our version of it. While each test runs it watches what a user would see:

* every form, error and abort of our config, options and recipient (subentry) flows: the step's
  title and description with the placeholders the flow gives, each field's label (also inside
  sections), each error and abort reason;
* every repair issue we create: title and description with its placeholders;
* every ``HomeAssistantError`` of ours that an action raises: its message and placeholders;

and looks each up in ``translations/en.json`` and ``translations/ru.json``, the files Home
Assistant loads for a custom integration. A missing string or a placeholder the caller does not
fill fails the test. Load it with ``pytest_plugins = ["tests.translation_guard"]``.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from functools import cache
import json
from pathlib import Path
import string
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    ConfigEntriesFlowManager,
    ConfigSubentryFlowManager,
    OptionsFlowManager,
)
from homeassistant.core import ServiceRegistry
from homeassistant.data_entry_flow import FlowManager, FlowResultType, section
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest

DOMAIN = "smsc"
TRANSLATIONS = (
    Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN / "translations"
)
LANGUAGES = ("en", "ru")


@cache
def _translation(language: str) -> dict[str, Any]:
    return json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))


def _lookup(language: str, path: str) -> Any:
    node: Any = _translation(language)
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class TranslationProblems(list[str]):
    """What one test showed without a translation."""

    def check(
        self, path: str, placeholders: Mapping[str, Any] | None, *, required: bool = True
    ) -> None:
        """The string at `path` exists in every language and gets all its placeholders."""
        given = set(placeholders or {})
        for language in LANGUAGES:
            text = _lookup(language, path)
            if text is None:
                if required:
                    self.append(f"{language}.json lacks {path}")
                continue
            if missing := _placeholders(str(text)) - given:
                self.append(
                    f"{language}.json {path} needs {sorted(missing)}, given {sorted(given)}"
                )

    def check_flow_result(self, manager: FlowManager, flow: Any, result: Mapping[str, Any]) -> None:
        """A form, error or abort of one of our flows."""
        category = self._flow_category(manager, flow)
        if category is None or result.get("translation_domain") not in (None, DOMAIN):
            return
        placeholders = result.get("description_placeholders")
        if result["type"] is FlowResultType.ABORT:
            self.check(f"{category}.abort.{result['reason']}", placeholders)
        if result["type"] is not FlowResultType.FORM:
            return
        step = f"{category}.step.{result['step_id']}"
        for header in ("title", "description"):
            self.check(f"{step}.{header}", placeholders, required=False)
        for error in (result.get("errors") or {}).values():
            self.check(f"{category}.error.{error}", placeholders)
        if (schema := result.get("data_schema")) is not None:
            self._check_fields(step, "data", schema.schema)

    def _check_fields(self, step: str, labels: str, schema: Mapping[Any, Any]) -> None:
        for marker, value in schema.items():
            if isinstance(value, section):
                self.check(f"{step}.sections.{marker}.name", None)
                self._check_fields(step, f"sections.{marker}.data", value.schema.schema)
            else:
                self.check(f"{step}.{labels}.{marker}", None)

    @staticmethod
    def _flow_category(manager: FlowManager, flow: Any) -> str | None:
        hass = manager.hass
        if isinstance(manager, ConfigEntriesFlowManager):
            return "config" if flow.handler == DOMAIN else None
        if isinstance(manager, OptionsFlowManager):
            entry = hass.config_entries.async_get_entry(flow.handler)
            return "options" if entry and entry.domain == DOMAIN else None
        if isinstance(manager, ConfigSubentryFlowManager):
            entry_id, subentry_type = flow.handler
            entry = hass.config_entries.async_get_entry(entry_id)
            return (
                f"config_subentries.{subentry_type}" if entry and entry.domain == DOMAIN else None
            )
        return None

    def check_exception(self, err: HomeAssistantError) -> None:
        """An error of ours that reached the caller of an action."""
        if err.translation_domain == DOMAIN and err.translation_key:
            self.check(f"exceptions.{err.translation_key}.message", err.translation_placeholders)


@pytest.fixture(autouse=True)
def check_translations() -> Generator[TranslationProblems]:
    """Watch the test; fail it if it showed a string that is not translated."""
    problems = TranslationProblems()
    handle_step = FlowManager._async_handle_step
    get_or_create_issue = ir.IssueRegistry.async_get_or_create
    call_service = ServiceRegistry.async_call

    async def watched_step(self: FlowManager, flow: Any, *args: Any, **kwargs: Any) -> Any:
        result = await handle_step(self, flow, *args, **kwargs)
        problems.check_flow_result(self, flow, result)
        return result

    def watched_issue(self: ir.IssueRegistry, domain: str, *args: Any, **kwargs: Any) -> Any:
        issue = get_or_create_issue(self, domain, *args, **kwargs)
        if domain == DOMAIN and issue.translation_key:
            for part in ("title", "description"):
                problems.check(
                    f"issues.{issue.translation_key}.{part}", issue.translation_placeholders
                )
        return issue

    async def watched_call(self: ServiceRegistry, *args: Any, **kwargs: Any) -> Any:
        try:
            return await call_service(self, *args, **kwargs)
        except HomeAssistantError as err:
            problems.check_exception(err)
            raise

    with (
        patch.object(FlowManager, "_async_handle_step", watched_step),
        patch.object(ir.IssueRegistry, "async_get_or_create", watched_issue),
        patch.object(ServiceRegistry, "async_call", watched_call),
    ):
        yield problems
    if problems:
        pytest.fail("Untranslated strings:\n" + "\n".join(dict.fromkeys(problems)))
