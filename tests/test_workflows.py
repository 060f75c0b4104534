"""The GitHub workflows and issue template (they cannot run here): valid, pinned, complete.

CI runs hassfest, HACS' validation and the test suite (.github/workflows/); this reads those
files as GitHub would, and checks that every action is pinned to a commit, that the tests run
`scripts/test` on the minimum and `scripts/test --newest` on Python 3.14, and that a bug report
asks for diagnostics and the Home Assistant version.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
# owner/repo[/path]@<40 hex digits>: a commit, which, unlike a tag, cannot be moved.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


def jobs() -> dict[str, dict[str, Any]]:
    """Every job of every workflow, by workflow file and job id."""
    found: dict[str, dict[str, Any]] = {}
    for path in WORKFLOWS:
        workflow = load(path)
        # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as "on".
        assert workflow.get("on", workflow.get(True)), path
        for job_id, job in workflow["jobs"].items():
            assert job["runs-on"], (path.name, job_id)
            assert job["steps"], (path.name, job_id)
            found[f"{path.name}:{job_id}"] = job
    return found


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def python_of(job: dict[str, Any]) -> str | None:
    for step in job["steps"]:
        if step.get("uses", "").startswith("actions/setup-python@"):
            return str(step["with"]["python-version"])
    return None


def test_every_action_is_pinned_to_a_commit() -> None:
    """A `uses:` with a tag or a branch would run whatever the tag points at tomorrow."""
    every = [action for job in jobs().values() for action in uses(job)]
    assert every
    assert [action for action in every if not PINNED.match(action)] == []


def test_hassfest_and_hacs_validate_the_integration() -> None:
    """The two checks of a HACS integration, HACS' with the category integration."""
    steps = [step for job in jobs().values() for step in job["steps"]]
    assert any(s.get("uses", "").startswith("home-assistant/actions/hassfest@") for s in steps)
    [hacs] = [s for s in steps if s.get("uses", "").startswith("hacs/action@")]
    assert hacs["with"]["category"] == "integration"


def test_the_tests_run_the_readmes_command_on_both_versions() -> None:
    """`scripts/test` on Python 3.13 (the minimum) and `scripts/test --newest` on 3.14."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "scripts/test " in readme
    assert "scripts/test --newest" in readme
    commands = {command: python_of(job) for job in jobs().values() for command in runs(job)}
    assert commands["scripts/test"] == "3.13"
    assert commands["scripts/test --newest"] == "3.14"
    assert "scripts/lint" in commands


def test_a_bug_report_asks_for_diagnostics_and_the_home_assistant_version() -> None:
    """Both required: without them a report about an SMPP session can rarely be answered."""
    template = load(REPO / ".github" / "ISSUE_TEMPLATE" / "bug_report.yml")
    assert template["name"]
    assert template["description"]
    fields = {item["id"]: item for item in template["body"] if "id" in item}
    for field_id in ("ha_version", "diagnostics"):
        assert fields[field_id]["validations"]["required"] is True, field_id
    assert "diagnostics" in fields["diagnostics"]["attributes"]["description"].lower()
