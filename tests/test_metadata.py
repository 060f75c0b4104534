"""Hassfest's checks of our files, written out here because hassfest cannot run here.

hassfest lives in Home Assistant core's source tree (``script/hassfest``), not in the
``homeassistant`` package the tests install, and validates integrations inside a core checkout
(its action, which .github/workflows/validate.yml runs, needs Docker and the network). This file
keeps, as lean as it can, only the checks of it that apply to a custom integration: the manifest
(and HACS' hacs.json), the shape of strings.json and its ``[%key:…%]`` references, services.yaml
with its strings and icons (quality_scale.yaml: tests/test_quality_scale.py). Plus the step
core's build does for its own integrations and a custom one must do by hand: translations/en.json
is strings.json with every reference resolved, and ru.json has the same strings, translated,
with the same placeholders.

Strings the code shows at run time are checked elsewhere: forms, flow errors and aborts, repair
issues and action errors in every test by tests/translation_guard.py; entity names, states and
device triggers by tests/test_translations.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
import homeassistant
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import service as service_helper
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "smsc"
INTEGRATION = REPO / "custom_components" / DOMAIN
HACS_MINIMUM_HA = "2025.4.0"

# Names of products, protocols and encodings, which Russian writes as English does.
SAME_IN_RUSSIAN = frozenset(
    {"SMS", "MMS", "Viber", "SMSC", "HLR", "TLS", "GSM", "Latin-1", "UCS-2", "Ping-SMS"}
)
# Core reworded some common strings after our minimum version. en.json keeps the wording of the
# minimum (2025.4.4, what the suite pins), so references resolve to it on a newer one too.
WORDING_OF_THE_MINIMUM = {
    "common::config_flow::abort::reconfigure_successful": "Re-configuration was successful",
}

REFERENCE = re.compile(r"\[%key:([a-z0-9_]+(?:::[a-z0-9_-]+)+)%\]")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
KEY = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@cache
def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def strings() -> dict[str, Any]:
    """strings.json, the English source with its references."""
    return _json(INTEGRATION / "strings.json")


def translation(language: str) -> dict[str, Any]:
    """translations/<language>.json, what Home Assistant loads for a custom integration."""
    return _json(INTEGRATION / "translations" / f"{language}.json")


@cache
def services_yaml() -> dict[str, Any]:
    """services.yaml."""
    return yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8")) or {}


def leaves(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested dict by its dotted path."""
    found: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            found.update(leaves(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def _at(tree: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(tree, Mapping) or key not in tree:
            return None
        tree = tree[key]
    return tree


def resolve(text: str) -> str:
    """A string with its references replaced, as core's build does for en.json."""

    def replace(match: re.Match[str]) -> str:
        scope, *keys = match.group(1).split("::")
        if scope == "common":
            core = _json(Path(homeassistant.__file__).parent / "strings.json")
            target = _at(core, ["common", *keys])
            if isinstance(target, str):
                target = WORDING_OF_THE_MINIMUM.get(match.group(1), target)
        elif scope == "component" and keys[:1] == [DOMAIN]:
            target = _at(strings(), keys[1:])
        else:
            target = None
        if not isinstance(target, str):
            raise KeyError(f"{match.group(0)} does not lead to a string")
        return resolve(target)

    return REFERENCE.sub(replace, text)


def english() -> dict[str, str]:
    """strings.json resolved: every English string by its dotted path."""
    return {path: resolve(text) for path, text in leaves(strings()).items()}


def test_english_translation_is_strings_json_resolved() -> None:
    """en.json holds the English text itself: a custom integration has no build that resolves."""
    assert leaves(translation("en")) == english()


def test_russian_translation_is_complete() -> None:
    """Every English string and nothing else; the same placeholders; no English left over."""
    source, russian = english(), leaves(translation("ru"))
    assert sorted(source.keys() - russian.keys()) == [], "missing in ru.json"
    assert sorted(russian.keys() - source.keys()) == [], "not in strings.json"
    assert [
        path
        for path, text in source.items()
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(russian[path]))
    ] == [], "placeholders differ"
    assert [
        path
        for path, text in source.items()
        if russian[path] == text
        and text not in SAME_IN_RUSSIAN
        and re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text))
    ] == [], "left in English"


@pytest.mark.parametrize("name", ["strings.json", "ru.json"])
def test_strings_are_well_formed(name: str) -> None:
    """What hassfest refuses: empty strings, HTML, padding, keys other than [a-z0-9_-]."""
    tree = strings() if name == "strings.json" else translation("ru")
    problems = []
    for path, value in leaves(tree).items():
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            problems.append(f"{path}: empty, padded or not a string")
        elif re.search(r"<[a-z].*?>", value, re.IGNORECASE):
            problems.append(f"{path}: HTML")
        problems += [f"{path}: key {key!r}" for key in path.split(".") if not KEY.match(key)]
    assert problems == []


def _fields(spec: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """An action's fields, those inside sections included."""
    found: dict[str, Mapping[str, Any]] = {}
    for name, given in ((spec or {}).get("fields") or {}).items():
        value = given or {}
        if "fields" in value and "selector" not in value:
            found.update(_fields(value))
        else:
            found[name] = value
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_actions_are_described(language: str) -> None:
    """Each action and field named and described, nothing stale; select options labelled."""
    tree = translation(language)
    described = tree.get("services", {})
    assert set(described) == set(services_yaml())
    for action, spec in services_yaml().items():
        texts = described[action]
        assert texts.get("name"), action
        assert texts.get("description"), action
        fields = _fields(spec)
        assert set(texts.get("fields", {})) == set(fields), action
        for field, field_spec in fields.items():
            assert set(texts["fields"][field]) >= {"name", "description"}, (action, field)
            select = (field_spec.get("selector") or {}).get("select") or {}
            if key := select.get("translation_key"):
                options = [o["value"] if isinstance(o, Mapping) else o for o in select["options"]]
                assert set(options) <= set(tree["selector"][key]["options"]), (action, field)


def test_actions_have_icons() -> None:
    """icons.json has an icon for each action and none for actions that are gone."""
    icons = _json(INTEGRATION / "icons.json")
    assert set(icons.get("services", {})) == set(services_yaml())
    assert all(value.get("service") for value in icons["services"].values())


def test_home_assistant_accepts_services_yaml() -> None:
    """services.yaml passes the schema Home Assistant (and hassfest) reads it with."""
    schema = getattr(service_helper, "_SERVICES_SCHEMA", None)
    if schema is None:
        pytest.skip("this Home Assistant has no _SERVICES_SCHEMA")
    loaded = schema(load_yaml_dict(str(INTEGRATION / "services.yaml")))
    assert {action: set(_fields(spec)) for action, spec in loaded.items()} == {
        action: set(_fields(spec)) for action, spec in services_yaml().items()
    }


async def test_registered_actions_are_services_yaml(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The actions the integration registers are exactly those services.yaml describes."""
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(services_yaml())


def test_manifest() -> None:
    """A custom integration's manifest: the keys, in hassfest's order, with valid values."""
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] in {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
    assert manifest["integration_type"] in {"device", "entity", "hardware", "hub", "service"}
    assert AwesomeVersion(manifest["version"]).valid
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[^=<>~!,;\s]+", r) for r in manifest["requirements"])
    assert all(c.startswith("@") for c in manifest["codeowners"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert "smpplib" in manifest["loggers"]


def test_hacs_json() -> None:
    """hacs.json (what HACS' own check reads): the minimum Home Assistant, the README shown."""
    hacs = json.loads((REPO / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["name"]
    assert hacs["homeassistant"] == HACS_MINIMUM_HA
    assert AwesomeVersion(HACS_MINIMUM_HA) <= AwesomeVersion(ha_version)
    assert hacs.get("render_readme") is True
    assert (REPO / "README.md").exists()
