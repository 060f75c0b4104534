"""The deprecation guard (tests/deprecation_guard.py) catches what it claims to catch.

Planted deprecated uses run in a separate pytest process with only the guard loaded: Home
Assistant's own ``report_usage`` and ``deprecated_function`` reporting a call from a file under
``custom_components/smsc``, deprecation warnings from there (by file name, whatever the module
name; swallowed by a broad ``except``; attributed to our caller by ``stacklevel``), in a test and
in a fixture's teardown, and at import time outside any test. Each must fail; the controls must
pass. Then the integration's own modules are imported in a clean process and must not be
reported.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import logging
import os
from pathlib import Path
import subprocess
import sys
import warnings
from xml.etree import ElementTree as ET

import pytest

from tests import deprecation_guard as guard

REPO = Path(__file__).resolve().parent.parent
PLANTED = str(REPO / "custom_components" / "smsc" / "planted.py")
ELSEWHERE = str(REPO / "custom_components" / "other_integration" / "planted.py")

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = --strict-markers
filterwarnings =
    error::DeprecationWarning:custom_components.smsc.*
"""

# Code "in" our integration: compiled with a file name under custom_components/smsc, so Home
# Assistant's frame helper and the warnings machinery attribute it to us, but run with a module
# name of our choosing.
HELPERS = f"""\
import logging
import warnings

import pytest

from homeassistant.helpers import frame
from homeassistant.helpers.deprecation import deprecated_function

PLANTED = {PLANTED!r}
ELSEWHERE = {ELSEWHERE!r}


@deprecated_function("new_helper")
def old_helper() -> int:
    return 1


def run_as(filename: str, source: str, module: str = "planted_elsewhere", **names: object) -> None:
    namespace = {{"__name__": module, "warnings": warnings, **names}}
    exec(compile(source, filename, "exec"), namespace)


def old_library_call() -> None:
    warnings.warn("old_library_call is deprecated", DeprecationWarning, stacklevel=2)
"""

PLANTED_TESTS = (
    HELPERS
    + '''

async def test_report_usage(hass) -> None:
    source = "report_usage('uses a planted deprecated API')"
    run_as(PLANTED, source, report_usage=frame.report_usage)


async def test_deprecated_function(hass) -> None:
    run_as(PLANTED, "old_helper()", old_helper=old_helper)


def test_warning_by_file_name() -> None:
    run_as(PLANTED, "warnings.warn('planted by file name', DeprecationWarning)")


def test_warning_swallowed() -> None:
    """The module name matches pyproject's error filter; the raised warning is swallowed."""
    run_as(
        PLANTED,
        "try:\\n    warnings.warn('planted and swallowed', DeprecationWarning)\\n"
        "except Exception:\\n    pass\\n",
        module="custom_components.smsc.planted",
    )


def test_warning_from_library_stacklevel() -> None:
    run_as(PLANTED, "old_library_call()", old_library_call=old_library_call)


@pytest.fixture
async def reports_at_teardown(hass):
    yield
    run_as(PLANTED, "report_usage('uses a planted API at unload')", report_usage=frame.report_usage)


async def test_report_in_fixture_teardown(reports_at_teardown) -> None:
    pass


def test_logged_wording_only() -> None:
    logging.getLogger("homeassistant.helpers.frame").warning(
        "Detected that custom integration 'smsc' calls a planted API at "
        "custom_components/smsc/planted.py, line 1: x(). Please report it"
    )


async def test_fails_anyway(hass) -> None:
    source = "report_usage('uses a planted API, then fails')"
    run_as(PLANTED, source, report_usage=frame.report_usage)
    raise AssertionError("the test's own failure")


@pytest.mark.allow_deprecations
async def test_allowed(hass) -> None:
    run_as(PLANTED, "report_usage('uses an allowed API')", report_usage=frame.report_usage)
    run_as(PLANTED, "warnings.warn('allowed', DeprecationWarning)")


async def test_control_other_integration(hass) -> None:
    run_as(ELSEWHERE, "report_usage('uses something old')", report_usage=frame.report_usage)
    run_as(ELSEWHERE, "old_helper()", old_helper=old_helper)
    run_as(ELSEWHERE, "warnings.warn('control warning elsewhere', DeprecationWarning)")


async def test_control_clean(hass) -> None:
    assert hass.state.value == "RUNNING"


def test_control_recwarn_across_phases(recwarn) -> None:
    warnings.warn("a user warning", UserWarning)
    assert [str(w.message) for w in recwarn] == ["a user warning"]


def test_control_explicit_capture() -> None:
    with pytest.warns(DeprecationWarning, match="expected here"):
        run_as(PLANTED, "warnings.warn('expected here', DeprecationWarning)")
'''
)

SHOULD_FAIL = {
    "test_report_usage": "Detected that custom integration 'smsc' uses a planted deprecated API",
    "test_deprecated_function": "old_helper",
    "test_warning_by_file_name": "DeprecationWarning at " + PLANTED,
    "test_warning_swallowed": "planted and swallowed",
    "test_warning_from_library_stacklevel": "old_library_call is deprecated",
    "test_report_in_fixture_teardown": "uses a planted API at unload",
    "test_logged_wording_only": "Detected that custom integration 'smsc' calls a planted API",
}
SHOULD_PASS = (
    "test_allowed",
    "test_control_other_integration",
    "test_control_clean",
    "test_control_recwarn_across_phases",
    "test_control_explicit_capture",
)

OUTSIDE_TESTS = (
    HELPERS
    + """
# At import, i.e. while pytest collects this module: no test is running.
run_as(PLANTED, "old_helper()", old_helper=old_helper)
run_as(PLANTED, "warnings.warn('planted at import', DeprecationWarning)")


def test_passes() -> None:
    pass
"""
)


@dataclass
class Run:
    """A finished pytest run on planted tests."""

    returncode: int
    output: str
    outcomes: dict[str, tuple[str, str]]  # test name -> ("passed" | "failed", text)


def _environment_without_coverage() -> dict[str, str]:
    """This process's environment minus pytest-cov's subprocess hooks.

    Measured children would write statement-only data beside the suite's branch data, and
    coverage then refuses to combine the two.
    """
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COV_CORE_", "COVERAGE_"))
    }


def _start_pytest(directory: Path, source: str) -> subprocess.Popen[str]:
    """Start pytest, with only the guard (and the installed plugins), on one planted file."""
    directory.mkdir()
    (directory / "pytest.ini").write_text(INI, encoding="utf-8")
    (directory / "test_planted.py").write_text(source, encoding="utf-8")
    env = {
        **_environment_without_coverage(),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.Popen(  # noqa: S603 - this interpreter, on files this test wrote
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.deprecation_guard",
            "-p",
            "no:cacheprovider",
            "-c",
            str(directory / "pytest.ini"),
            "--rootdir",
            str(directory),
            f"--junitxml={directory / 'report.xml'}",
            "-rA",
            "test_planted.py",
        ],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str], directory: Path) -> Run:
    """Wait for a run started by _start_pytest and read its per-test outcomes."""
    try:
        output, _ = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    outcomes: dict[str, tuple[str, str]] = {}
    report = directory / "report.xml"
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - pytest's own
            problems = [*case.iter("failure"), *case.iter("error")]
            text = "\n".join(f"{p.get('message', '')}\n{p.text or ''}" for p in problems)
            outcomes[case.get("name", "")] = ("failed" if problems else "passed", text)
    return Run(process.returncode, output, outcomes)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The planted tests and the import-time plants, run side by side once for the module."""
    base = tmp_path_factory.mktemp("guard")
    sources = {"planted": PLANTED_TESTS, "outside": OUTSIDE_TESTS}
    started = {name: _start_pytest(base / name, source) for name, source in sources.items()}
    return {name: _finish(process, base / name) for name, process in started.items()}


@pytest.fixture
def planted_run(runs: dict[str, Run]) -> Run:
    """The run of the planted tests."""
    return runs["planted"]


@pytest.mark.parametrize(("name", "expected"), SHOULD_FAIL.items())
def test_planted_deprecated_use_fails(planted_run: Run, name: str, expected: str) -> None:
    """Each planted deprecated use fails its test, with Home Assistant's report in the message."""
    outcome, text = planted_run.outcomes.get(name, ("missing", planted_run.output))
    assert outcome == "failed", planted_run.output
    assert "reported the smsc integration for deprecated use" in text
    assert expected in text


@pytest.mark.parametrize("name", SHOULD_PASS)
def test_controls_pass(planted_run: Run, name: str) -> None:
    """Allowed uses, other integrations' uses and clean tests pass."""
    outcome, text = planted_run.outcomes.get(name, ("missing", planted_run.output))
    assert outcome == "passed", text or planted_run.output


def test_a_failing_test_keeps_its_own_error(planted_run: Run) -> None:
    """A test that fails by itself keeps its error; the reports are shown beside it."""
    outcome, text = planted_run.outcomes["test_fails_anyway"]
    assert outcome == "failed"
    assert "the test's own failure" in text
    assert "deprecation guard" in planted_run.output
    assert "uses a planted API, then fails" in planted_run.output


def test_other_warnings_reach_pytest(planted_run: Run) -> None:
    """Warnings that are not ours still show in pytest's warnings summary."""
    assert planted_run.returncode == 1
    assert "warnings summary" in planted_run.output
    assert "control warning elsewhere" in planted_run.output


def test_reports_outside_tests_fail_the_session(runs: dict[str, Run]) -> None:
    """A deprecated use at import time (collection) fails the run though every test passes."""
    run = runs["outside"]
    assert run.outcomes == {"test_passes": ("passed", "")}, run.output
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.output
    assert "deprecation guard" in run.output
    assert "old_helper" in run.output
    assert "planted at import" in run.output


IMPORT_ALL = """\
import importlib, json, logging, pkgutil, sys, warnings

from tests.deprecation_guard import report_in_record, report_in_warning

found, modules = [], []


class Handler(logging.Handler):
    def emit(self, record):
        if (message := report_in_record(record)) is not None:
            found.append(message)


logging.getLogger().addHandler(Handler())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import custom_components.smsc as package

    modules.append(package.__name__)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        modules.append(info.name)
found += [message for w in caught if (message := report_in_warning(w)) is not None]
print(json.dumps({"found": found, "modules": modules}))
"""


def test_importing_the_integration_reports_nothing() -> None:
    """No module of the integration uses a deprecated name at import time."""
    result = subprocess.run(  # noqa: S603 - this interpreter, on a constant script
        [sys.executable, "-c", IMPORT_ALL],
        cwd=REPO,
        env={**_environment_without_coverage(), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert "custom_components.smsc.config_flow" in outcome["modules"]
    assert "custom_components.smsc.smpp.session" in outcome["modules"]
    assert "custom_components.smsc.smpp.connection" in outcome["modules"]
    assert outcome["found"] == []


def _record(message: str, *args: object, stack_info: str | None = None) -> logging.LogRecord:
    record = logging.LogRecord(
        "homeassistant.helpers.x", logging.WARNING, "x.py", 1, message, args, None
    )
    record.stack_info = stack_info
    return record


@pytest.mark.parametrize(
    "message",
    [
        # helpers/frame.py, by frame and by domain
        "Detected that custom integration 'smsc' uses X at custom_components/smsc/hub.py, "
        "line 3: x(). This will stop working in Home Assistant 2026.1, please create a bug report",
        "Detected that custom integration 'smsc' calls X. Please create a bug report at ...",
        # util/loop.py
        "Detected blocking call to open with args ('x',) inside the event loop by custom "
        "integration 'smsc' at custom_components/smsc/hub.py, line 3: x(), please create ...",
        # helpers/deprecation.py, 2025.4 and 2026 wording
        "ATTR_X was used from smsc, this is a deprecated constant which will be removed in HA "
        "Core 2026.1. Use ATTR_Y instead, please report it to the author of the 'smsc' custom "
        "integration",
        "The deprecated constant ATTR_X was used from smsc. It will be removed in HA Core "
        "2026.1. Use ATTR_Y instead, please create a bug report at https://example.org",
        "The deprecated function old was called from smsc. Use new instead, please report it",
        # deprecated_substitute names the entity's file
        "'old_prop' is deprecated. Please rename 'old_prop' to 'new_prop' in "
        "'/x/custom_components/smsc/sensor.py' to ensure future support.",
        # some other deprecation notice that asks for a report to us
        "Entity sensor.x uses deprecated Y; please report it to the author of the 'smsc' "
        "custom integration",
    ],
)
def test_records_reporting_us(message: str) -> None:
    """Home Assistant's wordings of a report about us are recognised."""
    assert guard.report_in_record(_record(message)) == message


def test_record_with_our_stack() -> None:
    """A report that found no integration counts when its stack runs through our folder."""
    stack = 'File "/x/custom_components/smsc/hub.py", line 3, in start\n    x()'
    record = _record("Detected code that calls X. Please report this issue", stack_info=stack)
    assert guard.report_in_record(record) is not None
    assert guard.report_in_record(_record("Detected code that calls X.")) is None


@pytest.mark.parametrize(
    "message",
    [
        "We found a custom integration smsc which has not been tested by Home Assistant.",
        "Setup failed for custom integration 'smsc': Integration failed to initialize.",
        "Detected that custom integration 'smsc_other' calls X. Please report it",
        "Detected that custom integration 'other' uses X at custom_components/other/a.py",
        "The deprecated constant ATTR_X was used from smsc_other. Use ATTR_Y instead",
        "Error while sending: connection from smsc closed",
    ],
)
def test_records_not_about_us(message: str) -> None:
    """Other integrations' reports and ordinary messages about us are not."""
    assert guard.report_in_record(_record(message)) is None


def _warning(category: type[Warning], filename: str) -> warnings.WarningMessage:
    return warnings.WarningMessage(category("old"), category, filename, 7)


@pytest.mark.parametrize(
    ("category", "filename", "ours"),
    [
        (DeprecationWarning, "/r/custom_components/smsc/hub.py", True),
        (DeprecationWarning, "C:\\r\\custom_components\\smsc\\smpp\\session.py", True),
        (PendingDeprecationWarning, "/r/custom_components/smsc/hub.py", True),
        (FutureWarning, "/r/custom_components/smsc/hub.py", True),
        (UserWarning, "/r/custom_components/smsc/hub.py", False),
        (DeprecationWarning, "/r/custom_components/smsc_x/hub.py", False),
        (DeprecationWarning, "/r/homeassistant/helpers/frame.py", False),
        (DeprecationWarning, "/r/tests/test_init.py", False),
    ],
)
def test_warnings_by_file(category: type[Warning], filename: str, ours: bool) -> None:
    """Deprecation warnings count by the file they point at."""
    assert (guard.report_in_warning(_warning(category, filename)) is not None) is ours
