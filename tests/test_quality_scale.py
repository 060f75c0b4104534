"""quality_scale.yaml against the rules of the running Home Assistant, and the README's tier.

The rule set is read from the installed ``homeassistant`` package, not copied here: hassfest
makes every core integration's quality_scale.yaml list every rule, so the rules those files name
are the rules of that version. A rule the newest Home Assistant adds therefore fails this test
until our file says where the integration stands on it (and `TIERS` says which tier it is of).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
import re
from typing import Any

import homeassistant
from homeassistant.const import __version__ as ha_version
from homeassistant.util.yaml import load_yaml_dict

REPO = Path(__file__).resolve().parent.parent
OURS = REPO / "custom_components" / "smsc" / "quality_scale.yaml"
STATUSES = frozenset({"done", "todo", "exempt"})
# Core's integrations, each with a quality_scale.yaml: 2025.4 ships about a hundred.
FEWEST_CORE_FILES = 50

# The tier of each rule, as core's script/hassfest/quality_scale.py (ALL_RULES) gives it; the
# wheel ships the rules' names but not their tiers, and the README states the tier reached.
TIERS: dict[str, str] = {
    **dict.fromkeys(
        [
            "action-setup",
            "appropriate-polling",
            "brands",
            "common-modules",
            "config-flow",
            "config-flow-test-coverage",
            "dependency-transparency",
            "docs-actions",
            "docs-conditions",
            "docs-high-level-description",
            "docs-installation-instructions",
            "docs-removal-instructions",
            "docs-triggers",
            "entity-event-setup",
            "entity-unique-id",
            "has-entity-name",
            "runtime-data",
            "test-before-configure",
            "test-before-setup",
            "unique-config-entry",
        ],
        "bronze",
    ),
    **dict.fromkeys(
        [
            "action-exceptions",
            "config-entry-unloading",
            "docs-configuration-parameters",
            "docs-installation-parameters",
            "entity-unavailable",
            "integration-owner",
            "log-when-unavailable",
            "parallel-updates",
            "reauthentication-flow",
            "test-coverage",
        ],
        "silver",
    ),
    **dict.fromkeys(
        [
            "devices",
            "diagnostics",
            "discovery",
            "discovery-update-info",
            "docs-data-update",
            "docs-examples",
            "docs-known-limitations",
            "docs-supported-devices",
            "docs-supported-functions",
            "docs-troubleshooting",
            "docs-use-cases",
            "dynamic-devices",
            "entity-category",
            "entity-device-class",
            "entity-disabled-by-default",
            "entity-translations",
            "exception-translations",
            "icon-translations",
            "reconfiguration-flow",
            "repair-issues",
            "stale-devices",
        ],
        "gold",
    ),
    **dict.fromkeys(["async-dependency", "inject-websession", "strict-typing"], "platinum"),
}
TIER_ORDER = ("bronze", "silver", "gold", "platinum")


@cache
def installed_rules() -> frozenset[str]:
    """Every rule the installed Home Assistant's integrations name in their quality_scale.yaml."""
    files = sorted(Path(homeassistant.__file__).parent.glob("components/*/quality_scale.yaml"))
    assert len(files) >= FEWEST_CORE_FILES, f"Home Assistant {ha_version} ships {len(files)}"
    rules: set[str] = set()
    for path in files:
        rules.update(load_yaml_dict(str(path)).get("rules") or {})
    return frozenset(rules)


def our_rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_yaml_dict(str(OURS))["rules"]
    return rules


def status_of(value: Any) -> str:
    return str(value["status"] if isinstance(value, Mapping) else value)


def tier_reached(rules: Mapping[str, Any]) -> str:
    """The highest tier whose rules, and every lower tier's, are all done or exempt."""
    reached = "none"
    for tier in TIER_ORDER:
        if any(status_of(rules[rule]) == "todo" for rule, of in TIERS.items() if of == tier):
            break
        reached = tier
    return reached


def test_every_rule_of_the_running_home_assistant_is_in_our_file() -> None:
    """A rule this Home Assistant knows and our file does not fails here, by name."""
    missing = installed_rules() - set(our_rules())
    assert not missing, f"quality_scale.yaml lacks rules of Home Assistant {ha_version}"


def test_every_rule_has_a_known_tier() -> None:
    """A new rule needs its tier here (from core's hassfest) before the README's tier is true."""
    assert not installed_rules() - set(TIERS)
    assert set(our_rules()) == set(TIERS)


def test_each_rule_states_where_it_stands() -> None:
    """done, todo, or exempt; todo and exempt say why."""
    for rule, value in our_rules().items():
        assert status_of(value) in STATUSES, rule
        if status_of(value) != "done":
            assert isinstance(value, Mapping), rule
            assert value.get("comment"), rule


def test_the_readme_states_the_tier_the_file_reaches() -> None:
    """The README's claim follows the rules: every rule of a tier and those below it met."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [claimed] = re.findall(r"quality_scale\.yaml` reaches \*\*(\w+)\*\*", readme)
    assert claimed.lower() == tier_reached(our_rules())
