"""Drift checks: translations, actions, icons, the manifest and hacs.json agree with the code.

What hassfest would check for a core integration, as our own tests, plus the Russian translation.
The checks are pure functions over the loaded files (or the parsed source) so that the tests at
the end can plant a drift and show that each check reports it. Where reading the code statically
would be guesswork, the integration is set up on the simulator and asked: the actions it
registers, the entities it creates, the forms its flows show, the triggers its devices offer, and
what Home Assistant's own translation loader makes of our files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
import copy
from dataclasses import dataclass, field
from functools import cache
import importlib
import importlib.metadata
import json
from pathlib import Path
import re
from types import ModuleType
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionException, AwesomeVersionStrategy
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigFlow,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import Platform, __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    service as service_helper,
)
from homeassistant.helpers.selector import SelectSelector, SelectSelectorConfig
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "smsc"
INTEGRATION = REPO / "custom_components" / DOMAIN
PACKAGE = f"custom_components.{DOMAIN}"
LANGUAGES = ("en", "ru")
HACS_MINIMUM_HA = "2025.4.0"

MANIFEST_KEYS = (
    "domain",
    "name",
    "after_dependencies",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "requirements",
    "version",
)
HACS_KEYS = frozenset(
    {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }
)
IOT_CLASSES = frozenset(
    {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
)
INTEGRATION_TYPES = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system", "virtual"}
)

# Russian values that may equal the English ones: names of products, encodings, protocols.
SAME_IN_RUSSIAN = frozenset(
    {"SMS", "MMS", "Viber", "SMSC", "HLR", "TLS", "GSM", "Latin-1", "UCS-2", "Ping-SMS"}
)

Tree = Mapping[str, Any]

# --- the files ----------------------------------------------------------------------------


@cache
def _json(relative: str) -> Any:
    return json.loads((INTEGRATION / relative).read_text(encoding="utf-8"))


def strings() -> Tree:
    """strings.json: the English source of the translations."""
    return _json("strings.json")


def translation(language: str) -> Tree:
    """translations/<language>.json, what Home Assistant loads for a custom integration."""
    return _json(f"translations/{language}.json")


def manifest() -> Tree:
    """manifest.json."""
    return _json("manifest.json")


def icons() -> Tree:
    """icons.json."""
    return _json("icons.json")


@cache
def services_yaml() -> dict[str, Any]:
    """services.yaml, the actions' fields and selectors."""
    return yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8")) or {}


@cache
def sources() -> dict[str, str]:
    """Every module of the integration: dotted name -> source."""
    found = {}
    for path in sorted(INTEGRATION.rglob("*.py")):
        parts = path.relative_to(INTEGRATION).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path.read_text(encoding="utf-8")
    return found


# --- pure checks over translation trees ---------------------------------------------------

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
HTML = re.compile(r"<[a-z].*?>", re.IGNORECASE)
SINGLE_QUOTED_PLACEHOLDER = re.compile(r"'[^']*\{[^}]+\}[^']*'")
TRANSLATION_KEY = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def leaf_paths(tree: Tree, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested dict by its dotted path."""
    leaves: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            leaves.update(leaf_paths(value, f"{path}."))
        else:
            leaves[path] = value
    return leaves


def node(tree: Any, path: str | Iterable[str]) -> Any:
    """The value at a dotted path (or sequence of keys), None when absent."""
    keys = path.split(".") if isinstance(path, str) else path
    for key in keys:
        if not isinstance(tree, Mapping) or key not in tree:
            return None
        tree = tree[key]
    return tree


def placeholders(text: str) -> set[str]:
    """The {names} in a translation string."""
    return set(PLACEHOLDER.findall(text))


def key_tree_problems(reference: Tree, other: Tree, name: str) -> list[str]:
    """Leaves the other tree lacks, and leaves it has that the reference does not."""
    expected, present = leaf_paths(reference), leaf_paths(other)
    return [f"{name} lacks {path}" for path in sorted(expected.keys() - present.keys())] + [
        f"{name} has extra {path}" for path in sorted(present.keys() - expected.keys())
    ]


def placeholder_problems(english: Tree, other: Tree, name: str) -> list[str]:
    """Strings whose placeholders differ from the English ones."""
    others = leaf_paths(other)
    problems = []
    for path, text in leaf_paths(english).items():
        theirs = others.get(path)
        if not isinstance(text, str) or not isinstance(theirs, str):
            continue
        if placeholders(text) != placeholders(theirs):
            problems.append(
                f"{name} {path}: placeholders {sorted(placeholders(theirs))}, "
                f"English has {sorted(placeholders(text))}"
            )
    return problems


def _has_words(text: str) -> bool:
    return re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text)) is not None


def untranslated_problems(
    english: Tree, other: Tree, name: str, allowed: Iterable[str] = SAME_IN_RUSSIAN
) -> list[str]:
    """Strings left in English: equal to the English text, not a name or number."""
    keep = set(allowed)
    others = leaf_paths(other)
    return [
        f"{name} {path} is not translated: {text!r}"
        for path, text in leaf_paths(english).items()
        if isinstance(text, str) and others.get(path) == text and _has_words(text)
        if text not in keep
    ]


def value_problems(tree: Tree, name: str) -> list[str]:
    """What hassfest refuses in a strings file: empty or non-string values, HTML, bad keys."""
    problems = []
    for path, value in leaf_paths(tree).items():
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} {path} is empty or not a string")
        elif value != value.strip():
            problems.append(f"{name} {path} starts or ends with whitespace")
        elif HTML.search(value):
            problems.append(f"{name} {path} contains HTML")
        elif SINGLE_QUOTED_PLACEHOLDER.search(value):
            problems.append(f"{name} {path} has a placeholder in single quotes")
        if bad := [key for key in path.split(".") if not TRANSLATION_KEY.match(key)]:
            problems.append(f"{name} {path}: keys {bad} are not [a-z0-9_-]")
    return problems


def missing_problems(tree: Tree, paths: Iterable[str], name: str) -> list[str]:
    """Paths (to a string or to a group) that are not in the tree."""
    return [f"{name} lacks {path}" for path in sorted(set(paths)) if node(tree, path) is None]


def message_problems(messages: Mapping[str, str], english: Tree) -> list[str]:
    """The pure library's refusal texts must be the English exception messages, word for word."""
    problems = []
    for key, text in sorted(messages.items()):
        ours = node(english, ("exceptions", key, "message"))
        if ours is None:
            problems.append(f"exceptions.{key}.message is missing (smpp.errors.MESSAGES has it)")
        elif ours != text:
            problems.append(
                f"exceptions.{key}.message differs from smpp.errors.MESSAGES: {ours!r} != {text!r}"
            )
    return problems


# --- pure checks over services.yaml and icons.json ----------------------------------------


def _fields(spec: Mapping[str, Any] | None) -> Iterator[tuple[str, Mapping[str, Any], str | None]]:
    """(field, its spec, its section or None) of an action, sections unfolded."""
    for name, given in ((spec or {}).get("fields") or {}).items():
        value = given or {}
        if "fields" in value and "selector" not in value:
            for inner, inner_value in (value.get("fields") or {}).items():
                yield inner, inner_value or {}, name
        else:
            yield name, value, None


def service_problems(services: Mapping[str, Any], tree: Tree, name: str) -> list[str]:
    """Every action, field and section named and described; nothing stale in the strings."""
    problems = []
    described = node(tree, "services") or {}
    for action, spec in services.items():
        for key in ("name", "description"):
            if not node(tree, ("services", action, key)):
                problems.append(f"{name} lacks services.{action}.{key}")
        fields = set()
        for field_name, _, section_name in _fields(spec):
            fields.add(field_name)
            for key in ("name", "description"):
                if not node(tree, ("services", action, "fields", field_name, key)):
                    problems.append(f"{name} lacks services.{action}.fields.{field_name}.{key}")
            if section_name and not node(tree, ("services", action, "sections", section_name)):
                problems.append(f"{name} lacks services.{action}.sections.{section_name}")
        stale = set(node(described, (action, "fields")) or {}) - fields
        problems += [f"{name} services.{action}.fields.{f} is not in services.yaml" for f in stale]
    problems += [
        f"{name} services.{action} is not in services.yaml"
        for action in set(described) - set(services)
    ]
    return problems


def _option_values(options: Iterable[Any]) -> list[str]:
    return [str(o["value"]) if isinstance(o, Mapping) else str(o) for o in options]


def selector_problems(services: Mapping[str, Any], tree: Tree, name: str) -> list[str]:
    """Every option of a select selector with a translation_key has its label."""
    problems = []
    for action, spec in services.items():
        for field_name, field_spec, _ in _fields(spec):
            select = node(field_spec, ("selector", "select"))
            if not isinstance(select, Mapping) or not select.get("translation_key"):
                continue
            key = select["translation_key"]
            labels = node(tree, ("selector", key, "options")) or {}
            problems += [
                f"{name} lacks selector.{key}.options.{option} "
                f"(services.yaml {action}.{field_name})"
                for option in _option_values(select.get("options") or [])
                if option not in labels
            ]
    return problems


def icon_problems(services: Mapping[str, Any], icon_tree: Tree, english: Tree) -> list[str]:
    """Every action has an icon; icons exist only for actions and entities that exist."""
    problems = [
        f"icons.json lacks services.{action}.service"
        for action in services
        if not node(icon_tree, ("services", action, "service"))
    ]
    problems += [
        f"icons.json services.{action} is not in services.yaml"
        for action in set(node(icon_tree, "services") or {}) - set(services)
    ]
    for platform, keys in (node(icon_tree, "entity") or {}).items():
        problems += [
            f"icons.json entity.{platform}.{key} has no entity.{platform}.{key} in strings.json"
            for key in keys
            if node(english, ("entity", platform, key)) is None
        ]
    return problems


# --- pure checks over manifest.json and hacs.json ------------------------------------------


def manifest_problems(data: Tree, folder: str) -> list[str]:
    """The manifest of a custom integration, as Home Assistant and hassfest read it."""
    problems = [f"manifest lacks {key}" for key in MANIFEST_KEYS if key not in data]
    problems += [f"manifest has unexpected key {key}" for key in data if key not in MANIFEST_KEYS]
    present = [key for key in data if key in MANIFEST_KEYS]
    if present[:2] == ["domain", "name"] and present[2:] != sorted(present[2:]):
        problems.append("manifest keys after domain and name are not sorted")
    elif present[:2] != ["domain", "name"]:
        problems.append("manifest must start with domain, then name")
    if data.get("domain") != folder:
        problems.append(f"manifest domain {data.get('domain')!r} is not the folder name {folder!r}")
    try:
        AwesomeVersion(
            str(data.get("version")),
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        problems.append(f"manifest version {data.get('version')!r} is not valid: {err}")
    requirements = data.get("requirements")
    if not isinstance(requirements, list):
        problems.append("manifest requirements is not a list")
    else:
        problems += [
            f"requirement {req!r} is not pinned with =="
            for req in requirements
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?==[^=<>~!,;\s]+", str(req))
        ]
    codeowners = data.get("codeowners")
    if not isinstance(codeowners, list) or not all(
        isinstance(c, str) and c.startswith("@") for c in codeowners
    ):
        problems.append("manifest codeowners must be a list of @handles")
    if data.get("config_flow") is not True:
        problems.append("manifest config_flow must be true")
    if data.get("iot_class") not in IOT_CLASSES:
        problems.append(f"manifest iot_class {data.get('iot_class')!r} is not valid")
    if data.get("integration_type") not in INTEGRATION_TYPES:
        problems.append(f"manifest integration_type {data.get('integration_type')!r} is not valid")
    for key in ("documentation", "issue_tracker"):
        if not str(data.get(key, "")).startswith("https://"):
            problems.append(f"manifest {key} is not an https URL")
    loggers = data.get("loggers")
    if not isinstance(loggers, list) or not all(isinstance(x, str) and x for x in loggers):
        problems.append("manifest loggers must be a list of logger names")
    return problems


def hacs_problems(data: Tree, minimum: str = HACS_MINIMUM_HA) -> list[str]:
    """hacs.json: the name, the minimum Home Assistant, the README as the info page."""
    problems = [f"hacs.json has unknown key {key}" for key in data if key not in HACS_KEYS]
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        problems.append("hacs.json lacks name")
    if data.get("homeassistant") != minimum:
        problems.append(
            f"hacs.json homeassistant is {data.get('homeassistant')!r}, not {minimum!r}"
        )
    if data.get("render_readme") is not True:
        problems.append("hacs.json render_readme is not true")
    return problems


# --- reading the code ---------------------------------------------------------------------


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


class _Bound(frozenset[str]):
    """The literal strings a helper's parameter receives from the flow's calls."""


def _strings_of(expr: ast.expr | None, names: Mapping[str, Any]) -> set[str]:
    """The string values an expression can have: literals, module constants, both IfExp arms."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.Name) and isinstance(names.get(expr.id), str):
        return {names[expr.id]}
    if isinstance(expr, ast.Name) and isinstance(names.get(expr.id), _Bound):
        return set(names[expr.id])
    if isinstance(expr, ast.IfExp):
        return _strings_of(expr.body, names) | _strings_of(expr.orelse, names)
    return set()


def _dict_values(expr: ast.expr | None, names: Mapping[str, Any]) -> set[str]:
    if not isinstance(expr, ast.Dict):
        return set()
    found: set[str] = set()
    for value in expr.values:
        found |= _strings_of(value, names)
    return found


@dataclass
class FlowKeys:
    """What a flow handler can show: its error keys, abort reasons and (literal) step ids."""

    errors: set[str] = field(default_factory=set)
    aborts: set[str] = field(default_factory=set)
    steps: set[str] = field(default_factory=set)


def _is_errors(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and "error" in expr.id.lower()


def _scan_flow_function(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    keys: FlowKeys,
    *,
    kind: str,
    names: Mapping[str, Any],
    helpers: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef],
    active: tuple[str, ...] = (),
) -> None:
    """Collect what one function can show; follow calls of the module's and class's helpers,
    binding the literal arguments to the helper's parameters (``reason=reason``)."""
    returns_errors = function.returns is not None and "dict[str, str]" in ast.unparse(
        function.returns
    )
    for sub in ast.walk(function):
        if isinstance(sub, ast.Assign | ast.AnnAssign):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_errors(target.value):
                    keys.errors |= _strings_of(sub.value, names)
                elif _is_errors(target):
                    keys.errors |= _dict_values(sub.value, names)
        elif isinstance(sub, ast.Return) and returns_errors:
            keys.errors |= _dict_values(sub.value, names)
        elif isinstance(sub, ast.Call):
            name = _call_name(sub)
            keys.errors |= _dict_values(_keyword(sub, "errors"), names)
            keys.aborts |= _strings_of(_keyword(sub, "reason"), names)
            keys.steps |= _strings_of(_keyword(sub, "step_id"), names)
            if (
                name == "update"
                and isinstance(sub.func, ast.Attribute)
                and _is_errors(sub.func.value)
            ):
                for arg in sub.args:
                    keys.errors |= _dict_values(arg, names)
            elif name == "_abort_if_unique_id_configured":
                keys.aborts |= _strings_of(_keyword(sub, "error"), names) or {"already_configured"}
            elif name == "async_abort_entries_match":
                keys.aborts.add("already_configured")
            elif name == "_abort_if_unique_id_mismatch":
                keys.aborts |= _strings_of(_keyword(sub, "reason"), names) or {"unique_id_mismatch"}
            elif name == "async_set_unique_id":
                on_progress = _keyword(sub, "raise_on_progress")
                if not (isinstance(on_progress, ast.Constant) and on_progress.value is False):
                    keys.aborts.add("already_in_progress")
            elif name in ("async_update_reload_and_abort", "async_update_and_abort"):
                if _keyword(sub, "reason") is None:
                    keys.aborts |= _default_update_reasons(kind, function.name)
            elif name in helpers and name not in active:
                helper = helpers[name]
                params = [a.arg for a in helper.args.args]
                if isinstance(sub.func, ast.Attribute) and params[:1] in (["self"], ["cls"]):
                    params = params[1:]
                bound = {
                    param: _Bound(_strings_of(arg, names))
                    for param, arg in zip(params, sub.args, strict=False)
                }
                bound |= {
                    kw.arg: _Bound(_strings_of(kw.value, names))
                    for kw in sub.keywords
                    if kw.arg in params
                }
                _scan_flow_function(
                    helper,
                    keys,
                    kind=kind,
                    names={**names, **bound},
                    helpers=helpers,
                    active=(*active, name),
                )


def _default_update_reasons(kind: str, function: str) -> set[str]:
    """The reason Home Assistant gives an update-and-abort without one (2025.4 and later)."""
    if kind != "config":
        return {"reconfigure_successful"}
    if "reconfigure" in function:
        return {"reconfigure_successful"}
    if "reauth" in function:
        return {"reauth_successful"}
    return {"reauth_successful", "reconfigure_successful"}


def flow_keys(
    source: str, sections: Mapping[str, str], names: Mapping[str, Any] | None = None
) -> dict[str, FlowKeys]:
    """Error keys, abort reasons and step ids of each flow class, by translation section.

    ``sections`` maps a class name to its section ("config", "options",
    "config_subentries.<type>"); ``names`` resolves module constants used as keys.
    """
    names = names or {}
    tree = ast.parse(source)
    helpers = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found: dict[str, FlowKeys] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name not in sections:
            continue
        target = sections[cls.name]
        keys = found.setdefault(target, FlowKeys())
        kind = target.split(".")[0]
        kind = {"config": "config", "options": "options"}.get(kind, "subentry")
        methods = {
            item.name: item
            for item in cls.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for method in methods.values():
            _scan_flow_function(
                method, keys, kind=kind, names=names, helpers={**helpers, **methods}
            )
    return found


def flow_key_problems(found: Mapping[str, FlowKeys], tree: Tree, name: str) -> list[str]:
    """Every error, abort and literal step the flows use has its string."""
    problems = []
    for target, keys in sorted(found.items()):
        for group, used in (("error", keys.errors), ("abort", keys.aborts), ("step", keys.steps)):
            problems += [
                f"{name} lacks {target}.{group}.{key}"
                for key in sorted(used)
                if node(tree, f"{target}.{group}.{key}") is None
            ]
    return problems


def stale_flow_key_problems(found: Mapping[str, FlowKeys], tree: Tree, name: str) -> list[str]:
    """Error and abort strings no flow can show any more."""
    problems = []
    for target, keys in sorted(found.items()):
        for group, used in (("error", keys.errors), ("abort", keys.aborts)):
            problems += [
                f"{name} {target}.{group}.{key} is not used by the flow"
                for key in sorted(set(node(tree, f"{target}.{group}") or {}) - used)
            ]
    return problems


@dataclass
class TranslatedUses:
    """translation_key="..." uses found in the code."""

    exceptions: dict[str, list[set[str] | None]] = field(default_factory=dict)
    entities: set[tuple[str, str]] = field(default_factory=set)
    selectors: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)


def _is_exception(name: str) -> bool:
    return name.endswith(("Error", "NotReady", "AuthFailed", "Exception"))


def _platform_of(module: str) -> str | None:
    stem = module.rsplit(".", 1)[-1]
    return stem if stem in {platform.value for platform in Platform} else None


def _entity_key_params(trees: Mapping[str, ast.Module]) -> dict[str, int]:
    """Entity classes whose translation key is an __init__ argument: class -> its position."""
    bases: dict[str, list[str]] = {}
    own: dict[str, int | None] = {}
    for tree in trees.values():
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            bases[cls.name] = [
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases
            ]
            init = next(
                (f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"),
                None,
            )
            if init is None:
                continue
            params = [a.arg for a in init.args.args][1:]
            own[cls.name] = None
            for sub in ast.walk(init):
                if (
                    isinstance(sub, ast.Assign)
                    and any(
                        isinstance(t, ast.Attribute) and t.attr == "_attr_translation_key"
                        for t in sub.targets
                    )
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in params
                ):
                    own[cls.name] = params.index(sub.value.id)

    def position(name: str, depth: int = 0) -> int | None:
        if name in own or depth > 20:
            return own.get(name)
        for base in bases.get(name, []):
            if (found := position(base, depth + 1)) is not None:
                return found
        return None

    return {name: pos for name in bases if (pos := position(name)) is not None}


def translated_uses(
    modules: Mapping[str, str], names: Mapping[str, Mapping[str, Any]] | None = None
) -> TranslatedUses:
    """Every translation key the code names: exceptions, entities, selectors and repairs.

    Entities: ``_attr_translation_key = "x"`` in a platform module's class, ``translation_key=``
    in an EntityDescription, and ``SomeEntity(hub, "x")`` where the class passes that argument
    on to ``self._attr_translation_key`` (e.g. SmscAccountEntity's ``key``).
    """
    names = names or {}
    trees = {module: ast.parse(source) for module, source in modules.items()}
    key_params = _entity_key_params(trees)
    uses = TranslatedUses()
    for module, tree in trees.items():
        constants = names.get(module, {})
        platform = _platform_of(module)
        for sub in ast.walk(tree):
            if isinstance(sub, ast.ClassDef) and platform:
                for item in sub.body:
                    if isinstance(item, ast.Assign | ast.AnnAssign) and any(
                        isinstance(t, ast.Name) and t.id == "_attr_translation_key"
                        for t in (item.targets if isinstance(item, ast.Assign) else [item.target])
                    ):
                        for key in _strings_of(item.value, constants):
                            uses.entities.add((platform, key))
            if not isinstance(sub, ast.Call):
                continue
            name = _call_name(sub)
            if platform and name in key_params and len(sub.args) > key_params[name]:
                for key in _strings_of(sub.args[key_params[name]], constants):
                    uses.entities.add((platform, key))
            keys = _strings_of(_keyword(sub, "translation_key"), constants)
            if not keys:
                continue
            if _is_exception(name):
                given = _keyword(sub, "translation_placeholders")
                fixed: set[str] | None = None
                if isinstance(given, ast.Dict) and all(
                    isinstance(k, ast.Constant) for k in given.keys
                ):
                    fixed = {k.value for k in given.keys if isinstance(k, ast.Constant)}
                elif given is None:
                    fixed = set()
                for key in keys:
                    uses.exceptions.setdefault(key, []).append(fixed)
            elif "Description" in name and platform:
                uses.entities |= {(platform, key) for key in keys}
            elif name.endswith("SelectorConfig"):
                uses.selectors |= keys
            elif name in ("async_create_issue", "create_issue"):
                uses.issues |= keys
    return uses


def exception_problems(uses: TranslatedUses, tree: Tree, name: str) -> list[str]:
    """Every exception key has a message, with exactly the placeholders the code passes."""
    problems = []
    for key, passed in sorted(uses.exceptions.items()):
        message = node(tree, ("exceptions", key, "message"))
        if not isinstance(message, str):
            problems.append(f"{name} lacks exceptions.{key}.message")
            continue
        for given in passed:
            if given is not None and given != placeholders(message):
                problems.append(
                    f"{name} exceptions.{key}.message has placeholders "
                    f"{sorted(placeholders(message))}, the code passes {sorted(given)}"
                )
    return problems


def request_error_problems(
    modules: Mapping[str, str], error_classes: Iterable[str], messages: Mapping[str, str]
) -> list[str]:
    """Each ``SomeError("key", name=...)`` of the pure library names a known key and fills
    exactly the placeholders of its English text."""
    classes = set(error_classes)
    problems = []
    for module, source in modules.items():
        for call in ast.walk(ast.parse(source)):
            if not isinstance(call, ast.Call) or _call_name(call) not in classes or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            key = first.value
            where = f"{module}:{call.lineno}"
            if key not in messages:
                problems.append(f"{where}: {key!r} is not in smpp.errors.MESSAGES")
                continue
            if any(kw.arg is None for kw in call.keywords):
                continue
            given = {kw.arg for kw in call.keywords if kw.arg} - {"retry_after"}
            if given != placeholders(messages[key]):
                problems.append(
                    f"{where}: {key!r} gets {sorted(given)}, "
                    f"its text uses {sorted(placeholders(messages[key]))}"
                )
    return problems


# --- the integration's modules, loaded ------------------------------------------------------


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def module_constants() -> dict[str, dict[str, Any]]:
    """Module globals of every integration module, to resolve constants used as keys."""
    constants = {}
    for name in sources():
        try:
            constants[name] = vars(_module(name))
        except ImportError:
            constants[name] = {}
    return constants


def flow_sections() -> dict[str, str]:
    """Flow class name -> translation section, as Home Assistant maps them."""
    flow_module = _module(f"{PACKAGE}.config_flow")
    found: dict[str, str] = {}
    for value in vars(flow_module).values():
        if not isinstance(value, type) or value.__module__ != flow_module.__name__:
            continue
        if issubclass(value, ConfigFlow):
            found[value.__name__] = "config"
            probe = MockConfigEntry(domain=DOMAIN)
            for kind, handler in value.async_get_supported_subentry_types(probe).items():
                found[handler.__name__] = f"config_subentries.{kind}"
        elif issubclass(value, OptionsFlow):
            found[value.__name__] = "options"
    for value in vars(flow_module).values():
        if (
            isinstance(value, type)
            and issubclass(value, ConfigSubentryFlow)
            and value.__module__ == flow_module.__name__
            and value.__name__ not in found
        ):
            found[value.__name__] = "config_subentries.unregistered"
    return found


def all_trees() -> list[tuple[str, Tree]]:
    """strings.json and every language, each with a name for messages."""
    return [("strings.json", strings())] + [
        (f"{lang}.json", translation(lang)) for lang in LANGUAGES
    ]


def _assert_none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


# --- the translations ---------------------------------------------------------------------


def test_english_translation_is_strings_json() -> None:
    """translations/en.json is what Home Assistant loads; it must be strings.json exactly."""
    assert translation("en") == strings()


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translation_has_the_english_keys(language: str) -> None:
    """Every English string is translated and nothing else is."""
    _assert_none(key_tree_problems(strings(), translation(language), f"{language}.json"))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translation_keeps_the_placeholders(language: str) -> None:
    """A translation fills the same {placeholders} as English (else Home Assistant drops it)."""
    _assert_none(placeholder_problems(strings(), translation(language), f"{language}.json"))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translation_is_translated(language: str) -> None:
    """No string is left in English, apart from names of products and encodings."""
    _assert_none(untranslated_problems(strings(), translation(language), f"{language}.json"))


def _duplicate_keys(text: str) -> list[str]:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        duplicates.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return duplicates


def test_json_files_have_no_duplicate_keys() -> None:
    """A key written twice in one object silently loses its first value."""
    files = [*sorted(INTEGRATION.rglob("*.json")), REPO / "hacs.json"]
    _assert_none(
        [
            f"{path.relative_to(REPO)} repeats {key!r}"
            for path in files
            if path.exists()
            for key in _duplicate_keys(path.read_text(encoding="utf-8"))
        ]
    )
    assert _duplicate_keys('{"a": {"b": 1, "b": 2}}') == ["b"]


def test_strings_are_well_formed() -> None:
    """No empty strings, HTML, quoted placeholders or keys Home Assistant would refuse."""
    _assert_none([p for name, tree in all_trees() for p in value_problems(tree, name)])


def test_flow_errors_and_aborts_are_translated() -> None:
    """Every error, abort reason and step of the config, options and subentry flows."""
    found = flow_keys(
        sources()[f"{PACKAGE}.config_flow"],
        flow_sections(),
        module_constants()[f"{PACKAGE}.config_flow"],
    )
    assert found.get("config") is not None, "no config flow found in config_flow.py"
    assert found["config"].errors, "no config flow errors found: the parser is out of date"
    assert "unregistered" not in "".join(found), "a subentry flow is not offered by any type"
    _assert_none([p for name, tree in all_trees() for p in flow_key_problems(found, tree, name)])


def test_no_stale_flow_strings() -> None:
    """Error and abort strings that no flow can show any more."""
    found = flow_keys(
        sources()[f"{PACKAGE}.config_flow"],
        flow_sections(),
        module_constants()[f"{PACKAGE}.config_flow"],
    )
    _assert_none(stale_flow_key_problems(found, strings(), "strings.json"))


def test_exceptions_are_translated() -> None:
    """Every translation_key an exception is raised with, with the placeholders passed."""
    uses = translated_uses(sources(), module_constants())
    assert uses.exceptions, "no translated exceptions found: the parser is out of date"
    _assert_none([p for name, tree in all_trees() for p in exception_problems(uses, tree, name)])


def test_library_refusals_are_the_english_messages() -> None:
    """smpp.errors.MESSAGES: every key an exception message, English text identical."""
    errors = _module(f"{PACKAGE}.smpp.errors")
    _assert_none(message_problems(errors.MESSAGES, strings()))
    for language in LANGUAGES:
        _assert_none(
            missing_problems(
                translation(language),
                [f"exceptions.{key}.message" for key in errors.MESSAGES],
                f"{language}.json",
            )
        )


def test_library_refusals_fill_their_placeholders() -> None:
    """Each refusal raised by the pure library names a known key and fills its placeholders."""
    errors = _module(f"{PACKAGE}.smpp.errors")
    classes = [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.SmscRequestError)
    ]
    _assert_none(request_error_problems(sources(), classes, errors.MESSAGES))


def test_entity_selector_and_issue_keys_in_code_are_translated() -> None:
    """Entity translation keys, selector keys and repair issues named in the code."""
    uses = translated_uses(sources(), module_constants())
    assert uses.entities, "no entity translation keys found: the parser is out of date"
    paths = [f"entity.{platform}.{key}" for platform, key in uses.entities]
    paths += [f"selector.{key}.options" for key in uses.selectors]
    paths += [f"issues.{key}.title" for key in uses.issues]
    _assert_none([p for name, tree in all_trees() for p in missing_problems(tree, paths, name)])


# --- actions and icons --------------------------------------------------------------------


def test_actions_are_named_and_described() -> None:
    """Every action and field of services.yaml has a name and a description in each language."""
    assert services_yaml(), "services.yaml is empty"
    _assert_none(
        [p for name, tree in all_trees() for p in service_problems(services_yaml(), tree, name)]
    )


def test_action_selectors_are_translated() -> None:
    """Every option of a select selector with a translation_key has a label."""
    _assert_none(
        [p for name, tree in all_trees() for p in selector_problems(services_yaml(), tree, name)]
    )


def test_actions_have_icons() -> None:
    """icons.json has an icon per action, and no icon for something that is not there."""
    _assert_none(icon_problems(services_yaml(), icons(), strings()))


# --- the manifest and HACS ----------------------------------------------------------------


def test_manifest() -> None:
    """The keys a custom integration's manifest needs, all valid, and nothing else."""
    _assert_none(manifest_problems(manifest(), INTEGRATION.name))


def test_manifest_requirements_are_what_the_tests_run_with() -> None:
    """The pinned requirements are the versions installed here."""
    for requirement in manifest()["requirements"]:
        name, _, version = requirement.partition("==")
        package = re.sub(r"\[.*\]", "", name)
        assert importlib.metadata.version(package) == version, requirement


def test_hacs_json() -> None:
    """hacs.json: name, minimum Home Assistant 2025.4.0, the README as the info page."""
    path = REPO / "hacs.json"
    assert path.exists(), "hacs.json is missing"
    data = json.loads(path.read_text(encoding="utf-8"))
    _assert_none(hacs_problems(data))
    assert AwesomeVersion(data["homeassistant"]) <= AwesomeVersion(ha_version)
    assert (REPO / "README.md").exists(), "render_readme needs README.md"


# --- asking the running integration -------------------------------------------------------


async def test_registered_actions_are_services_yaml(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The actions the integration registers are exactly those services.yaml describes."""
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered == set(services_yaml())


def test_home_assistant_accepts_services_yaml() -> None:
    """services.yaml passes Home Assistant's own schema and keeps every action and field.

    (Only our file: ``async_get_all_descriptions`` would also read core integrations' files,
    and on the newest Home Assistant that imports modules the test harness does not install.)
    """
    schema = getattr(service_helper, "_SERVICES_SCHEMA", None)
    if schema is None:
        pytest.skip("this Home Assistant has no _SERVICES_SCHEMA")
    loaded = schema(load_yaml_dict(str(INTEGRATION / "services.yaml")))
    assert set(loaded) == set(services_yaml())
    for action, spec in services_yaml().items():
        assert {name for name, _, _ in _fields(loaded[action])} == {
            name for name, _, _ in _fields(spec)
        }, action


async def test_entities_are_translated(
    hass: HomeAssistant, init_recipient: MockConfigEntry
) -> None:
    """Every entity of an account with a recipient: its name, event types and enum states."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), init_recipient.entry_id)
    assert entries
    paths = []
    for entry in entries:
        assert entry.translation_key, f"{entry.entity_id} has no translation key"
        base = f"entity.{entry.domain}.{entry.translation_key}"
        paths.append(f"{base}.name")
        state = hass.states.get(entry.entity_id)
        attributes = state.attributes if state else {}
        paths += [
            f"{base}.state_attributes.event_type.state.{event_type}"
            for event_type in attributes.get("event_types", [])
        ]
        if entry.domain == Platform.SENSOR and attributes.get("options"):
            paths += [f"{base}.state.{option}" for option in attributes["options"]]
    _assert_none([p for name, tree in all_trees() for p in missing_problems(tree, paths, name)])


async def test_device_triggers_are_translated(
    hass: HomeAssistant, init_recipient: MockConfigEntry
) -> None:
    """Every trigger type (and subtype) an account or recipient device offers."""
    try:
        device_trigger = _module(f"{PACKAGE}.device_trigger")
    except ImportError:
        pytest.skip("no device triggers")
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), init_recipient.entry_id)
    paths = []
    for device in devices:
        for trigger in await device_trigger.async_get_triggers(hass, device.id):
            paths.append(f"device_automation.trigger_type.{trigger['type']}")
            if "subtype" in trigger:
                paths.append(f"device_automation.trigger_subtype.{trigger['subtype']}")
    assert paths, "no device offers a trigger"
    _assert_none([p for name, tree in all_trees() for p in missing_problems(tree, paths, name)])


def form_problems(result: Mapping[str, Any], tree: Tree, target: str, name: str) -> list[str]:
    """A form's step, field labels, field descriptions, selector options and placeholders."""
    step = node(tree, f"{target}.step.{result['step_id']}")
    where = f"{target}.step.{result['step_id']}"
    if step is None:
        return [f"{name} lacks {where}"]
    problems = []
    schema = result.get("data_schema")
    fields: set[str] = set()

    def walk(schema_dict: Mapping[Any, Any], labels: str) -> None:
        for marker, value in schema_dict.items():
            field_name = str(marker)
            if isinstance(value, section):
                if node(step, f"sections.{field_name}.name") is None:
                    problems.append(f"{name} lacks {where}.sections.{field_name}.name")
                walk(value.schema.schema, f"sections.{field_name}.data")
                continue
            fields.add(field_name)
            if node(step, f"{labels}.{field_name}") is None:
                problems.append(f"{name} lacks {where}.{labels}.{field_name}")
            if isinstance(value, SelectSelector) and value.config.get("translation_key"):
                key = value.config["translation_key"]
                problems.extend(
                    f"{name} lacks selector.{key}.options.{option}"
                    for option in _option_values(value.config.get("options", []))
                    if node(tree, ("selector", key, "options", option)) is None
                )

    if schema is not None:
        walk(schema.schema, "data")
    problems += [
        f"{name} {where}.data_description.{key} is not a field of the form"
        for key in node(step, "data_description") or {}
        if key not in fields
    ]
    given = set((result.get("description_placeholders") or {}).keys())
    for key in ("title", "description"):
        if isinstance(text := step.get(key), str) and (missing := placeholders(text) - given):
            problems.append(f"{name} {where}.{key} uses {sorted(missing)}, the form gives {given}")
    problems += [
        f"{name} lacks {target}.error.{error}"
        for error in (result.get("errors") or {}).values()
        if node(tree, f"{target}.error.{error}") is None
    ]
    return problems


async def test_flow_forms_are_translated(
    hass: HomeAssistant, init_recipient: MockConfigEntry
) -> None:
    """Each form the flows show: user, re-authentication, reconfiguration, options, subentries."""
    entry = init_recipient
    sections = set(flow_sections().values())
    forms: list[tuple[str, Mapping[str, Any]]] = [
        (
            "config",
            await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER}),
        ),
        ("config", await entry.start_reauth_flow(hass)),
        ("config", await entry.start_reconfigure_flow(hass)),
    ]
    if "options" in sections:
        forms.append(("options", await hass.config_entries.options.async_init(entry.entry_id)))
    for target in sorted(s for s in sections if s.startswith("config_subentries.")):
        kind = target.split(".", 1)[1]
        forms.append(
            (
                target,
                await hass.config_entries.subentries.async_init(
                    (entry.entry_id, kind), context={"source": SOURCE_USER}
                ),
            )
        )
        for subentry_id, subentry in entry.subentries.items():
            if subentry.subentry_type == kind:
                forms.append(
                    (
                        target,
                        await hass.config_entries.subentries.async_init(
                            (entry.entry_id, kind),
                            context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
                        ),
                    )
                )
    problems = []
    for target, result in forms:
        assert result["type"] is FlowResultType.FORM, (target, result)
        problems += [
            p for name, tree in all_trees() for p in form_problems(result, tree, target, name)
        ]
    for manager in (
        hass.config_entries.flow,
        hass.config_entries.options,
        hass.config_entries.subentries,
    ):
        for flow in manager.async_progress():
            manager.async_abort(flow["flow_id"])
    _assert_none(problems)


async def test_home_assistant_loads_every_string(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Home Assistant's translation loader reads every string of each language unchanged.

    It drops a translation whose placeholders differ from English, so this also checks them the
    way Home Assistant does.
    """
    for language in LANGUAGES:
        ours = translation(language)
        for category, strings_of_category in ours.items():
            if not isinstance(strings_of_category, Mapping):
                continue
            loaded = await async_get_translations(hass, language, category, [DOMAIN])
            expected = leaf_paths(strings_of_category, f"component.{DOMAIN}.{category}.")
            differing = {
                key: loaded.get(key) for key, value in expected.items() if loaded.get(key) != value
            }
            assert not differing, f"{language}.json {category}: {differing}"


# --- the checks catch planted drift -------------------------------------------------------


def _russian_copy() -> dict[str, Any]:
    return copy.deepcopy(dict(translation("ru")))


def _first_leaf(tree: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The parent dict, key and dotted path of some leaf under exceptions (or anywhere)."""
    path: list[str] = []
    current: Any = tree
    while True:
        key = next(iter(current))
        path.append(key)
        if not isinstance(current[key], dict):
            return current, key, ".".join(path)
        current = current[key]


def test_a_missing_russian_string_is_reported() -> None:
    """Removing one key from a copy of ru.json makes the tree check name it."""
    russian = _russian_copy()
    parent, key, path = _first_leaf(russian)
    del parent[key]
    assert key_tree_problems(strings(), russian, "ru.json") == [f"ru.json lacks {path}"]
    flow = {"config": FlowKeys(errors={"invalid_auth"})}
    del russian["config"]["error"]["invalid_auth"]
    assert flow_key_problems(flow, russian, "ru.json") == [
        "ru.json lacks config.error.invalid_auth"
    ]


def test_an_extra_russian_string_is_reported() -> None:
    """A key English does not have is reported too."""
    russian = _russian_copy()
    russian["exceptions"]["planted_extra"] = {"message": "Лишнее"}
    assert key_tree_problems(strings(), russian, "ru.json") == [
        "ru.json has extra exceptions.planted_extra.message"
    ]


def test_a_changed_placeholder_is_reported() -> None:
    """A placeholder renamed in the translation, or dropped, is reported."""
    english = {"exceptions": {"x": {"message": "Cannot reach {host} on {port}."}}}
    russian = {"exceptions": {"x": {"message": "Нет связи с {hots} на {port}."}}}  # noqa: RUF001
    assert placeholder_problems(english, russian, "ru.json") == [
        "ru.json exceptions.x.message: placeholders ['hots', 'port'], English has ['host', 'port']"
    ]


def test_an_untranslated_string_is_reported() -> None:
    """English text in the Russian file is reported unless it is a name or a number."""
    english = {"a": "Connection", "b": "SMS", "c": "3700 / {port}", "d": "Viber chat"}
    russian = {"a": "Connection", "b": "SMS", "c": "3700 / {port}", "d": "Viber chat"}
    assert untranslated_problems(english, russian, "ru.json") == [
        "ru.json a is not translated: 'Connection'",
        "ru.json d is not translated: 'Viber chat'",
    ]


def test_flow_keys_are_read_from_the_code() -> None:
    """The config flow reader finds errors, aborts and steps however the flow writes them."""
    source = """
RECIPIENT_ERROR = "bad_number"

async def _validate(data) -> dict[str, str]:
    if data:
        return {"base": "cannot_connect"}
    return {"sender": "invalid_sender"}

class Flow(ConfigFlow):
    async def async_step_user(self, user_input=None):
        errors: dict[str, str] = {}
        await self.async_set_unique_id("x")
        self._abort_if_unique_id_configured()
        errors = await _validate(user_input)
        errors["base"] = "unknown" if user_input else "invalid_auth"
        return self.async_show_form(step_id="user", errors=errors)

    async def async_step_reauth_confirm(self, user_input=None):
        return self.async_update_reload_and_abort(self._get_reauth_entry(), data={})

    async def async_step_reconfigure(self, user_input=None):
        if user_input:
            return self._finish(None, "moved", data={})
        return self.async_abort(reason="wrong_account")

    def _finish(self, entry, reason, data):
        return self.async_abort(reason=reason)

class Recipient(ConfigSubentryFlow):
    async def async_step_user(self, user_input=None):
        return await self._step("user", user_input)

    async def _step(self, step_id, user_input):
        errors = {}
        errors["phone"] = RECIPIENT_ERROR
        if user_input:
            return self.async_update_and_abort(None, None, data={})
        return self.async_show_form(step_id=step_id, errors=errors)
"""
    found = flow_keys(
        source,
        {"Flow": "config", "Recipient": "config_subentries.recipient"},
        {"RECIPIENT_ERROR": "bad_number"},
    )
    assert found["config"] == FlowKeys(
        errors={"cannot_connect", "invalid_sender", "unknown", "invalid_auth"},
        aborts={
            "already_configured",
            "already_in_progress",
            "reauth_successful",
            "wrong_account",
            "moved",
        },
        steps={"user"},
    )
    assert found["config_subentries.recipient"] == FlowKeys(
        errors={"bad_number"}, aborts={"reconfigure_successful"}, steps={"user"}
    )


def test_translated_uses_are_read_from_the_code() -> None:
    """Exceptions, entity keys (descriptions, attributes, constructor arguments), selectors."""
    modules = {
        f"{PACKAGE}.entity": """
class Base(Entity):
    def __init__(self, hub, key):
        self._attr_translation_key = key
""",
        f"{PACKAGE}.sensor": """
DESCRIPTIONS = (SensorEntityDescription(key="a", translation_key="counter"),)

class Plain(SensorEntity):
    _attr_translation_key = "plain"

class Derived(Base, SensorEntity):
    pass

def setup(hub):
    add([Derived(hub, "derived")])
    raise ServiceValidationError(translation_domain="smsc", translation_key="bad",
                                 translation_placeholders={"what": "x"})
""",
        f"{PACKAGE}.services": """
SelectSelectorConfig(options=["a"], translation_key="channels")
raise HomeAssistantError(translation_domain="smsc", translation_key="failed")
""",
    }
    uses = translated_uses(modules)
    assert uses.entities == {("sensor", "counter"), ("sensor", "plain"), ("sensor", "derived")}
    assert uses.exceptions == {"bad": [{"what"}], "failed": [set()]}
    assert uses.selectors == {"channels"}
    tree = {"exceptions": {"bad": {"message": "Bad {thing}"}}}
    assert exception_problems(uses, tree, "x") == [
        "x exceptions.bad.message has placeholders ['thing'], the code passes ['what']",
        "x lacks exceptions.failed.message",
    ]


def test_library_refusal_drift_is_reported() -> None:
    """A refusal key missing from strings.json, or worded differently, is reported."""
    english = {"exceptions": {"a": {"message": "Text A"}}}
    assert message_problems({"a": "Text A", "b": "Text B"}, english) == [
        "exceptions.b.message is missing (smpp.errors.MESSAGES has it)"
    ]
    assert message_problems({"a": "Text a"}, english) == [
        "exceptions.a.message differs from smpp.errors.MESSAGES: 'Text A' != 'Text a'"
    ]
    source = 'raise ComposeError("a", kind=1)\nraise ComposeError("zz")\n'
    assert request_error_problems({"m": source}, ["ComposeError"], {"a": "{kind} {field}"}) == [
        "m:1: 'a' gets ['kind'], its text uses ['field', 'kind']",
        "m:2: 'zz' is not in smpp.errors.MESSAGES",
    ]


def test_service_drift_is_reported() -> None:
    """A field without a description, a selector option without a label, a missing icon."""
    services = {
        "send": {
            "fields": {
                "kind": {"selector": {"select": {"translation_key": "kind", "options": ["a", "b"]}}}
            }
        }
    }
    tree = {
        "services": {
            "send": {"name": "Send", "description": "Sends.", "fields": {"kind": {"name": "Kind"}}}
        },
        "selector": {"kind": {"options": {"a": "A"}}},
    }
    assert service_problems(services, tree, "x") == [
        "x lacks services.send.fields.kind.description"
    ]
    assert selector_problems(services, tree, "x") == [
        "x lacks selector.kind.options.b (services.yaml send.kind)"
    ]
    assert icon_problems(services, {"services": {}}, tree) == [
        "icons.json lacks services.send.service"
    ]


def test_manifest_and_hacs_drift_is_reported() -> None:
    """An extra key, a bad version, an unpinned requirement, a wrong HACS minimum."""
    broken = {**manifest(), "version": "not a version!", "requirements": ["smpplib>=2"], "extra": 1}
    problems = manifest_problems(broken, INTEGRATION.name)
    assert "manifest has unexpected key extra" in problems
    assert any(p.startswith("manifest version 'not a version!'") for p in problems)
    assert "requirement 'smpplib>=2' is not pinned with ==" in problems
    assert manifest_problems(manifest(), "other") == [
        f"manifest domain {DOMAIN!r} is not the folder name 'other'"
    ]
    assert hacs_problems({"name": "SMSC", "homeassistant": "2024.1.0"}) == [
        "hacs.json homeassistant is '2024.1.0', not '2025.4.0'",
        "hacs.json render_readme is not true",
    ]


def test_form_drift_is_reported() -> None:
    """A field without a label, an option without one, a stale description, a lost placeholder."""
    result = {
        "step_id": "user",
        "data_schema": vol.Schema(
            {
                vol.Required("host"): str,
                vol.Optional("channels"): SelectSelector(
                    SelectSelectorConfig(options=["sms", "fax"], translation_key="channels")
                ),
            }
        ),
        "description_placeholders": {},
        "errors": {"base": "nope"},
    }
    tree = {
        "config": {
            "step": {
                "user": {
                    "description": "Account {username}",
                    "data": {"host": "Server"},
                    "data_description": {"host": "The server.", "port": "The port."},
                }
            }
        },
        "selector": {"channels": {"options": {"sms": "SMS"}}},
    }
    assert form_problems(result, tree, "config", "x") == [
        "x lacks config.step.user.data.channels",
        "x lacks selector.channels.options.fax",
        "x config.step.user.data_description.port is not a field of the form",
        "x config.step.user.description uses ['username'], the form gives set()",
        "x lacks config.error.nope",
    ]
    assert form_problems({**result, "step_id": "other"}, tree, "config", "x") == [
        "x lacks config.step.other"
    ]
