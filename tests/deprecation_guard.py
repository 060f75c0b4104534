"""Pytest plugin: fail a test in which the smsc integration uses something deprecated.

Home Assistant reports a custom integration's deprecated or incorrect use in its log rather
than by raising (in both the oldest supported release and the newest), so a suite can pass while
users get "please report it to the author" warnings. This plugin turns those reports into test
failures. It watches every phase of every test (fixture setup, the test, fixture teardown):

* **Log records**, through a handler on the root logger, that Home Assistant writes about us:

  - ``homeassistant.helpers.frame.report_usage`` (and the blocking-call and requirements
    checks), "Detected that custom integration 'smsc' ...", "Detected blocking call ... by
    custom integration 'smsc' ...";
  - ``homeassistant.helpers.deprecation`` (deprecated constants, functions, classes, enum
    members, aliases): "X was used from smsc, this is a deprecated constant ..." (2025.x) and
    "The deprecated constant X was used from smsc. ..." (newer);
  - any other deprecation notice that names our folder (``deprecated_substitute`` names the
    entity's file) or asks the user to report it to us (our issue tracker, or "the author of
    the 'smsc' custom integration");
  - "Detected code that ..." when its stack (``stack_info``) runs through our folder.

* **Warnings** of the deprecation categories (``DeprecationWarning``,
  ``PendingDeprecationWarning``, ``FutureWarning``) whose *file* is inside
  ``custom_components/smsc``, seen through ``warnings.showwarning`` while a test runs (inside
  pytest's own capture, so every warning still reaches pytest's summary). The file, not the
  module name, decides: pyproject's ``error::DeprecationWarning:custom_components.smsc.*``
  filter matches the ``__name__`` of the warning's frame, so it misses code whose module name
  differs, and where it does match it raises the warning at the call site, where a broad
  ``except`` in the integration (reconnect loops, the config flow's "unknown" error) can
  swallow it. During a test this plugin lets our modules' deprecation warnings be shown
  ("always") instead, and fails the test on them. A test that captures warnings itself
  (``pytest.warns``, ``recwarn``) keeps them.

Reports made outside any test (while test modules are imported at collection) fail the session
and are listed in a "deprecation guard" section of the summary.

``@pytest.mark.allow_deprecations`` turns the failure off for one test; only the plugin's own
self-test uses it. Load the plugin with ``pytest_plugins = ["tests.deprecation_guard"]`` in the
root conftest or ``-p tests.deprecation_guard``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
import json
import logging
from pathlib import Path
import re
from typing import TextIO
import warnings

import pytest

DOMAIN = "smsc"
INTEGRATION_DIR = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN
MARKER = "allow_deprecations"
DEPRECATION_CATEGORIES: tuple[type[Warning], ...] = (
    DeprecationWarning,
    PendingDeprecationWarning,
    FutureWarning,
)

# A path inside our integration folder, wherever the repository lives ("/" or "\").
_OUR_PATH = re.compile(rf"(?:^|[/\\])custom_components[/\\]{DOMAIN}(?:[/\\]|$)")
# frame.report_usage, util.loop (blocking calls), requirements: "Detected that custom
# integration 'smsc' ...", "Detected blocking call to ... by custom integration 'smsc' at ...".
_DETECTED = re.compile(rf"^Detected\b.*\bcustom integration '{DOMAIN}'", re.DOTALL)
# helpers.deprecation: "X was used from smsc, this is a deprecated constant" (2025.x),
# "The deprecated constant X was used from smsc." (newer).
_DEPRECATION_HELPER = re.compile(
    rf"\bdeprecated\b.*\bwas \w+ from {DOMAIN}\b"
    rf"|\bwas \w+ from {DOMAIN}, this is a deprecated\b",
    re.DOTALL,
)
_DEPRECAT = re.compile(r"deprecat", re.IGNORECASE)
_BLAME_US = re.compile(rf"custom integration '{DOMAIN}'|'{DOMAIN}' custom integration")


def _issue_tracker() -> str | None:
    try:
        manifest = json.loads((INTEGRATION_DIR / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tracker = manifest.get("issue_tracker")
    return tracker if isinstance(tracker, str) and tracker else None


_ISSUE_TRACKER = _issue_tracker()


def is_our_file(filename: str | None) -> bool:
    """Whether a source file name lies inside custom_components/smsc."""
    return bool(filename) and _OUR_PATH.search(str(filename)) is not None


def report_in_record(record: logging.LogRecord) -> str | None:
    """The message if this log record is Home Assistant reporting our integration, else None."""
    try:
        message = record.getMessage()
    except Exception:  # a record that cannot be formatted: judge its template
        message = str(record.msg)
    if _DETECTED.search(message) or _DEPRECATION_HELPER.search(message):
        return message
    if _DEPRECAT.search(message) and (
        _OUR_PATH.search(message)
        or _BLAME_US.search(message)
        or (_ISSUE_TRACKER is not None and _ISSUE_TRACKER in message)
    ):
        return message
    if (
        message.startswith("Detected code that")
        and record.stack_info
        and _OUR_PATH.search(record.stack_info)
    ):
        return message
    return None


def report_in_warning(warning: warnings.WarningMessage) -> str | None:
    """A description if this is a deprecation warning raised from our code, else None."""
    if not issubclass(warning.category, DEPRECATION_CATEGORIES):
        return None
    if not is_our_file(warning.filename):
        return None
    return f"{warning.category.__name__} at {warning.filename}:{warning.lineno}: {warning.message}"


class _ReportHandler(logging.Handler):
    """Collects Home Assistant's reports about us into the current sink."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.sink: list[str] = []
        self.outside: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if (message := report_in_record(record)) is not None:
            self.sink.append(f"log {record.levelname} {record.name}: {message}")


_HANDLER = _ReportHandler()


# Module names whose deprecation warnings pyproject's filter turns into errors (see above).
_OUR_MODULES = rf"custom_components\.{DOMAIN}(?:\.|$)"


def _bullets(findings: list[str]) -> str:
    return "\n".join(f"  - {finding}" for finding in dict.fromkeys(findings))


def _showwarning_through(previous: Callable[..., None]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that notes our deprecation warnings, then passes each on."""

    def showwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        warning = warnings.WarningMessage(message, category, filename, lineno, file, line)
        if (found := report_in_warning(warning)) is not None:
            _HANDLER.sink.append(found)
        previous(message, category, filename, lineno, file, line)

    return showwarning


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Around the whole test, inside pytest's own warning capture: see every shown warning.

    Deprecation warnings from our modules are shown ("always") rather than raised where they
    happen, so that no ``except`` can swallow them; every warning still reaches pytest. One
    context for setup, call and teardown, so fixtures that capture warnings across phases nest.
    """
    with warnings.catch_warnings():
        for category in DEPRECATION_CATEGORIES:
            warnings.filterwarnings("always", category=category, module=_OUR_MODULES)
        warnings.showwarning = _showwarning_through(warnings.showwarning)
        return (yield)


@contextmanager
def _watched(item: pytest.Item, when: str) -> Iterator[None]:
    """Collect reports during one phase of a test and fail the phase on any."""
    findings: list[str] = []
    previous_sink = _HANDLER.sink
    _HANDLER.sink = findings
    try:
        yield
    except BaseException:
        if findings:  # the phase fails anyway: show the reports next to its own error
            item.add_report_section(when, "deprecation guard", _bullets(findings))
        raise
    finally:
        _HANDLER.sink = previous_sink
    if not findings:
        return
    if item.get_closest_marker(MARKER) is not None:
        item.add_report_section(when, "deprecation guard", _bullets(findings))
        return
    pytest.fail(
        f"Home Assistant reported the {DOMAIN} integration for deprecated use during {when}:\n"
        f"{_bullets(findings)}",
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Watch fixture setup (the integration is mostly set up by fixtures)."""
    with _watched(item, "setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Watch the test itself."""
    with _watched(item, "call"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Watch fixture teardown (unload, stop)."""
    with _watched(item, "teardown"):
        return (yield)


def pytest_configure(config: pytest.Config) -> None:
    """Register the opt-out marker and start listening for reports outside tests."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}: do not fail this test when Home Assistant reports the {DOMAIN} "
        "integration for deprecated use (only for the deprecation guard's self-test)",
    )
    _HANDLER.sink = _HANDLER.outside
    logging.getLogger().addHandler(_HANDLER)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop listening."""
    logging.getLogger().removeHandler(_HANDLER)


def pytest_warning_recorded(
    warning_message: warnings.WarningMessage, when: str, nodeid: str, location: object
) -> None:
    """Deprecation warnings from our code outside tests (collection, imports)."""
    if when != "runtest" and (found := report_in_warning(warning_message)) is not None:
        where = f" ({nodeid})" if nodeid else ""
        _HANDLER.outside.append(f"during {when}{where}: {found}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Reports made outside any test fail the run."""
    if _HANDLER.outside and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List reports made outside any test."""
    if not _HANDLER.outside:
        return
    terminalreporter.section("deprecation guard", red=True)
    terminalreporter.line(
        f"Home Assistant reported the {DOMAIN} integration for deprecated use outside tests "
        "(while importing or collecting):"
    )
    for finding in dict.fromkeys(_HANDLER.outside):
        terminalreporter.line(f"  - {finding}")
