"""Drive Home Assistant's frontend in Chromium as a new user would; scripts/e2e starts everything.

Each step navigates with the sidebar, menus and buttons, checks what a person would see (labels
and messages from the integration's translations, read from translations/*.json, and the
frontend's own words, read from its translation files) and takes a screenshot. A failed step
is reported with its name and the page's visible error text; the steps that need it are skipped,
the others still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
import json
from pathlib import Path
import re
import sys
import time
import traceback
from typing import Any
from urllib.parse import urlsplit

import hass_frontend
from playwright.sync_api import (
    BrowserContext,
    Error as PlaywrightError,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

from simulator.control import send_incoming

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "smsc"
BRAND = INTEGRATION / "brand"
DOCS_IMAGES = ROOT / "docs" / "images"
FRONTEND_TRANSLATIONS = Path(hass_frontend.where()) / "static" / "translations"
VIEWPORT = {"width": 1280, "height": 800}

# What the steps type in.
ACCOUNT_LOGIN = "demo"
ACCOUNT_PASSWORD = "demo"  # noqa: S105 - the simulator's account
WRONG_PASSWORD = "not-the-password"  # noqa: S105
RECIPIENT_NAME = "Mum"
RECIPIENT_PHONE_TYPED = "+7 999 000-00-01"
RECIPIENT_PHONE = "79990000001"
RECIPIENT_CHANNELS = ("sms", "call")
CALL_TO = "+79991234567"
CALL_VOICE = "w2"
CALL_TEXT = "The front door is open"  # a fresh simulator each run: no repeat rule to trip
SMS_TEXT = "Dinner is ready"
HOME_NUMBER = "79001112233"  # the number rented at SMSC that the recipient writes to
ASSIST_TEXT = "Turn on the heating"
HEATING = "input_boolean.heating"  # configuration.yaml's switch, exposed to Assist by the step
# The alarm: a second recipient who does not answer (the simulator is started with
# --call-outcome 79990000002=no_answer), called before the first, who does.
SECOND_NAME = "Dad"
SECOND_PHONE_TYPED = "+7 999 000-00-02"
SECOND_PHONE = "79990000002"
LEAK = "input_boolean.water_leak"  # added to the throwaway configuration by scripts/e2e
LEAK_NAME = "Water leak"
BLUEPRINT = "smsc/escalate_alarm.yaml"  # copied into the throwaway configuration by scripts/e2e
ALARM_AUTOMATION = "water_leak_alarm"
ALARM_TEXT = "Water leak in the kitchen"
RUSSIAN = "\u0420\u0443\u0441\u0441\u043a\u0438\u0439"  # the language picker's "Russian"

# A transparent 1x1 PNG for the brand images of other integrations (brands.home-assistant.io
# is never asked: the browser cannot resolve it, and these requests are answered here).
_EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

# Deep text of an element: its shadow tree, slots resolved to what they show.
_DEEP_TEXT_JS = """
function deepText(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE)
    return "";
  if (node.nodeType === Node.ELEMENT_NODE) {
    const tag = node.tagName;
    if (tag === "STYLE" || tag === "SCRIPT" || tag === "TEMPLATE") return "";
    if (tag === "SLOT") {
      const assigned = node.assignedNodes({flatten: true});
      return (assigned.length ? assigned : [...node.childNodes]).map(deepText).join(" ");
    }
  }
  const children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
  return [...children].map(deepText).join(" ");
}
"""

# Visible error texts anywhere on the page, and the text of an open dialog.
_VISIBLE_ERRORS_JS = (
    "() => {"
    + _DEEP_TEXT_JS
    + """
  const errors = [];
  const dialogs = [];
  const norm = (text) => text.replace(/\\s+/g, " ").trim();
  const visible = (el) => !el.checkVisibility || el.checkVisibility();
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      const isAlert = tag === "ha-alert"
        ? (el.getAttribute("alert-type") || "info") !== "info"
        : el.matches("ha-toast, mwc-snackbar, hui-warning, .error, [role=alert]");
      if (isAlert && visible(el)) {
        const text = norm(tag === "ha-toast" && el.labelText ? el.labelText : deepText(el));
        if (text) errors.push(text);
      }
      if ((tag === "ha-dialog" || tag === "ha-md-dialog") && el.hasAttribute("open")) {
        dialogs.push(norm(deepText(el)));
      }
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  return {errors: [...new Set(errors)], dialogs};
}
"""
)

# The entity rows of a device page: the deep text of each, name first, then the state.
_ENTITY_ROWS_JS = (
    "() => {"
    + _DEEP_TEXT_JS
    + """
  const rows = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "HUI-GENERIC-ENTITY-ROW") {
        rows.push(deepText(el).replace(/\\s+/g, " ").trim());
      } else if (el.shadowRoot) {
        visit(el.shadowRoot);
      }
    }
  };
  visit(document);
  return rows;
}
"""
)


class StepError(Exception):
    """What a person would call the failure of a step."""


# ---------------------------------------------------------------------------------------------
# Texts


def _lookup(data: Any, dotted: str, source: str) -> str:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise StepError(f"{source} has no translation {dotted}")
        node = node[part]
    if not isinstance(node, str):
        raise StepError(f"{source}: {dotted} is not a string")
    return node


class Texts:
    """The integration's translations and the frontend's, per language."""

    def __init__(self) -> None:
        self._integration: dict[str, Any] = {}
        self._frontend: dict[str, dict[str, str]] = {}

    def smsc(self, lang: str, key: str) -> str:
        """A string of custom_components/smsc/translations/<lang>.json."""
        if lang not in self._integration:
            path = INTEGRATION / "translations" / f"{lang}.json"
            self._integration[lang] = json.loads(path.read_text(encoding="utf-8"))
        return _lookup(self._integration[lang], key, f"translations/{lang}.json")

    def ui(self, lang: str, key: str, **placeholders: str) -> str:
        """A string of the installed frontend's own translations."""
        if lang not in self._frontend:
            merged: dict[str, str] = {}
            pattern = re.compile(rf"^{re.escape(lang)}-[0-9a-f]{{32}}\.json$")
            for path in sorted(FRONTEND_TRANSLATIONS.rglob(f"{lang}-*.json")):
                if pattern.match(path.name):
                    merged.update(json.loads(path.read_text(encoding="utf-8")))
            self._frontend[lang] = merged
        text = self._frontend[lang].get(key)
        if text is None:
            raise StepError(f"the frontend has no translation {key} for {lang}")
        for name, value in placeholders.items():
            text = text.replace("{" + name + "}", value)
        return text


def _label(text: str) -> re.Pattern[str]:
    """A field's accessible name: its label, with the required marker."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def _starts(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}(\s|$)")


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class Step:
    """One check; it runs only when the steps it needs passed."""

    name: str
    run: Callable[[E2E], None]
    needs: tuple[str, ...] = ()
    status: str = "not run"
    seconds: float = 0.0
    detail: str = ""


@dataclass
class E2E:
    """The browser page and what the steps share."""

    args: argparse.Namespace
    context: BrowserContext
    page: Page
    texts: Texts = field(default_factory=Texts)
    step_number: int = 0
    shot_count: int = 0
    notes: list[str] = field(default_factory=list)
    passed: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        """Home Assistant's address."""
        return str(self.args.ha_url).rstrip("/")

    # Pictures ---------------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        """A screenshot of the page into the artifacts, numbered by step."""
        self.shot_count += 1
        path = Path(self.args.artifacts) / f"{self.step_number:02d}-{self.shot_count}-{name}.png"
        self.page.screenshot(path=path, animations="disabled")
        return path

    def doc(self, name: str) -> None:
        """With --docs, a README picture of the page as it is now."""
        if self.args.docs:
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=DOCS_IMAGES / f"{name}.png", animations="disabled")

    # Simulator -------------------------------------------------------------------------------

    def sim_log_size(self) -> int:
        """Where the simulator's log ends now."""
        path = Path(self.args.sim_log)
        return path.stat().st_size if path.exists() else 0

    def wait_sim(self, pattern: str, since: int, what: str, timeout: float = 20) -> str:
        """The first simulator log line after `since` that matches, waiting for it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            with Path(self.args.sim_log).open("rb") as log:
                log.seek(since)
                new = log.read().decode("utf-8", "replace")
            for line in new.splitlines():
                if regex.search(line):
                    return line.strip()
            if time.monotonic() > deadline:
                received = [line for line in new.splitlines() if "received" in line]
                raise StepError(
                    f"the simulator did not receive {what} within {timeout:.0f} s "
                    f"(wanted /{pattern}/; it received: {received or 'nothing'})"
                )
            time.sleep(0.25)

    # Page helpers ----------------------------------------------------------------------------

    def visible_errors(self) -> dict[str, list[str]]:
        """Error alerts and toasts on the page, and the text of open dialogs."""
        try:
            result = self.page.evaluate(_VISIBLE_ERRORS_JS)
        except PlaywrightError as err:
            return {"errors": [f"(could not read the page: {err.message.splitlines()[0]})"]}
        return {"errors": list(result["errors"]), "dialogs": list(result["dialogs"])}

    def expect_dialog_text(self, *texts: str) -> None:
        """Fail unless the open dialog shows each of these texts."""
        deadline = time.monotonic() + 10
        while True:
            shown = " ".join(self.visible_errors().get("dialogs", []))
            missing = [text for text in texts if " ".join(text.split())[:500] not in shown]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise StepError(f"the dialog does not show {missing}; it shows: {shown[:600]}")
            time.sleep(0.3)

    def expect_no_errors(self, where: str) -> None:
        """Fail when the page shows an error alert or toast."""
        errors = self.visible_errors()["errors"]
        if errors:
            raise StepError(f"{where}: the page shows an error: {' / '.join(errors)}")

    def sidebar(self, href: str) -> None:
        """Click a sidebar entry (by its link, whatever the language)."""
        self.page.locator(f"ha-sidebar a[href='{href}']").click()
        self.page.wait_for_url(re.compile(rf"^{re.escape(self.base + href)}(/|$|\?)"))

    def open_integrations(self, lang: str) -> None:
        """Settings, then Devices & services."""
        self.sidebar("/config")
        self.page.get_by_role(
            "menuitem", name=_starts(self.texts.ui(lang, "ui.panel.config.dashboard.devices.main"))
        ).click()
        self.page.wait_for_url("**/config/integrations/dashboard")

    def open_smsc_flow(self, lang: str) -> Locator:
        """Add integration, search for SMSC and pick it: the config flow's dialog."""
        add = self.texts.ui(lang, "ui.panel.config.integrations.add_integration")
        self.page.get_by_role("button", name=_exact(add)).click()
        picker = self.page.locator("dialog-add-integration")
        search = picker.get_by_role("textbox").first
        expect(search).to_be_visible()
        search.press_sequentially("SMSC")
        picker.get_by_text("SMSC", exact=True).click()
        dialog = self.page.locator("dialog-data-entry-flow")
        title = self.texts.smsc(lang, "config.step.user.title")
        expect(dialog.get_by_text(title, exact=True)).to_be_visible(timeout=30_000)
        return dialog

    def open_action(self, lang: str, action: str) -> None:
        """Developer tools, Actions, and pick an action in the picker."""
        self.sidebar("/developer-tools")
        self.page.locator("paper-tab[page-name=action]").click()
        self.page.wait_for_url("**/developer-tools/action")
        picker = self.page.locator("ha-service-picker").get_by_role("combobox")
        picker.click()
        picker.fill(action)
        option = self.page.get_by_role("option", name=re.compile(re.escape(action) + r"\s*$"))
        expect(option).to_have_count(1)
        option.click()
        self.page.locator("ha-service-control").wait_for()

    def open_entry_menu_item(self, label: str) -> None:
        """Open the account's menu on the integration's page and pick an item."""
        entry = self.page.locator("ha-md-list-item:not(.sub-entry)").filter(
            has_text=f"SMSC {ACCOUNT_LOGIN}"
        )
        entry.locator("ha-md-button-menu, ha-button-menu").first.click()
        self.page.get_by_role("menuitem", name=_exact(label)).click()

    def action_row(self, heading: str) -> Locator:
        """A field of the action form, by its heading."""
        return self.page.locator("ha-settings-row").filter(
            has=self.page.locator("[slot=heading]", has_text=_exact(heading))
        )

    def action_headings(self) -> list[str]:
        """The headings of the action form's fields."""
        return [
            " ".join(text.split())
            for text in self.page.locator("ha-settings-row [slot=heading]").all_inner_texts()
        ]

    def perform_action(self, lang: str) -> None:
        """Click Perform action."""
        name = self.texts.ui(lang, "ui.panel.developer-tools.tabs.actions.call_service")
        self.page.get_by_role("button", name=_exact(name)).click()

    def entity_rows(self) -> list[str]:
        """The entity rows of a device page: 'Name State'."""
        return list(self.page.evaluate(_ENTITY_ROWS_JS))

    def open_smsc_entry_page(self, lang: str) -> None:
        """Devices & services, then the SMSC card."""
        self.open_integrations(lang)
        self.page.locator("a[href='/config/integrations/integration/smsc']").first.click()
        self.page.wait_for_url("**/config/integrations/integration/smsc")

    def open_recipient_device(self, lang: str = "en") -> None:
        """Devices & services, SMSC, then the recipient's device."""
        self.open_smsc_entry_page(lang)
        sub_entry = self.page.locator("ha-md-list-item.sub-entry").filter(has_text=RECIPIENT_NAME)
        sub_entry.locator("a[href^='/config/devices/device/']").first.click()
        self.page.wait_for_url("**/config/devices/device/**")
        expect(self.page.get_by_text(RECIPIENT_NAME, exact=True).first).to_be_visible()


# ---------------------------------------------------------------------------------------------
# Steps


def _no_raw_keys(headings: list[str]) -> None:
    """Fail when the action form shows a field's key: its name is missing in services.yaml."""
    raw = [name for name in headings if re.fullmatch(r"[a-z0-9_]+", name)]
    if raw:
        raise StepError(f"the action form shows untranslated field keys: {raw}")


def step_login(e2e: E2E) -> None:
    """Open Home Assistant and log in by typing the username and password."""
    page = e2e.page
    page.goto(e2e.base + "/", timeout=180_000)
    username = page.locator("input[name=username]")
    # The first load of the frontend can take a while.
    expect(username).to_be_visible(timeout=180_000)
    e2e.shot("login-page")
    username.press_sequentially(e2e.args.user)
    page.locator("input[name=password]").press_sequentially(e2e.args.password)
    page.get_by_role(
        "button", name=_exact(e2e.texts.ui("en", "ui.panel.page-authorize.form.next"))
    ).click()
    page.wait_for_url(re.compile(r"^(?!.*/auth/authorize).*$"), timeout=60_000)
    expect(page.locator("ha-sidebar a[href='/config']")).to_be_visible(timeout=120_000)
    expect(page.locator("ha-sidebar a[href='/config']")).to_contain_text(
        e2e.texts.ui("en", "panel.config")
    )
    e2e.shot("logged-in")


def step_add_integration(e2e: E2E) -> None:
    """Settings, Devices & services, Add integration, SMSC: a wrong password, then the right one."""
    page, texts = e2e.page, e2e.texts
    e2e.open_integrations("en")
    dialog = e2e.open_smsc_flow("en")
    e2e.shot("config-form")

    def field(key: str, role: str = "textbox") -> Locator:
        return dialog.get_by_role(  # type: ignore[arg-type]
            role, name=_label(texts.smsc("en", f"config.step.user.data.{key}"))
        )

    field("username").press_sequentially(ACCOUNT_LOGIN)
    field("password").press_sequentially(WRONG_PASSWORD)
    e2e.doc("config-form-en")  # still with SMSC's server and port, as a new user sees it
    field("host").fill("127.0.0.1")
    field("port", "spinbutton").fill(str(e2e.args.sim_port))
    submit = dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.submit"))
    )
    submit.click()
    invalid_auth = texts.smsc("en", "config.error.invalid_auth")
    alert = dialog.locator("ha-alert[alert-type=error]")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text(invalid_auth)
    e2e.shot("invalid-auth")

    # The form keeps what was typed but the password.
    expect(field("host")).to_have_value("127.0.0.1")
    expect(field("username")).to_have_value(ACCOUNT_LOGIN)
    field("password").press_sequentially(ACCOUNT_PASSWORD)
    submit.click()
    success = texts.ui("en", "ui.panel.config.integrations.config_flow.success")
    expect(dialog.get_by_text(success).first).to_be_visible(timeout=30_000)
    title = f"SMSC {ACCOUNT_LOGIN}"
    created = texts.ui("en", "ui.panel.config.integrations.config_flow.created_config", name=title)
    expect(dialog.get_by_text(created).first).to_be_visible()
    e2e.shot("success")
    dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.finish"))
    ).click()
    expect(dialog.locator("ha-dialog[open], ha-md-dialog[open]")).to_have_count(0)
    # Finish leads to the new entry on the integration's page (or back to the dashboard).
    listed = page.locator("ha-md-list-item:not(.sub-entry)").filter(has_text=title)
    card = page.locator("ha-integration-card").filter(has_text="SMSC")
    expect(listed.or_(card).first).to_be_visible()
    e2e.expect_no_errors("the integrations page")
    e2e.shot("integration-added")


def step_add_recipient(e2e: E2E) -> None:
    """The account's menu, Add recipient: name, phone number and channels."""
    page, texts = e2e.page, e2e.texts
    flow_source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    if "subentr" not in flow_source:
        raise StepError(
            "the recipient subentry is not implemented yet: config_flow.py has no subentry flow"
        )
    add_label = texts.smsc("en", "config_subentries.recipient.initiate_flow.user")

    e2e.open_smsc_entry_page("en")
    e2e.open_entry_menu_item(add_label)

    dialog = page.locator("dialog-data-entry-flow")
    expect(
        dialog.get_by_text(texts.smsc("en", "config_subentries.recipient.step.user.title"))
    ).to_be_visible(timeout=30_000)

    def label(key: str) -> str:
        return texts.smsc("en", f"config_subentries.recipient.step.user.data.{key}")

    dialog.get_by_role("textbox", name=_label(label("name"))).press_sequentially(RECIPIENT_NAME)
    dialog.get_by_role("textbox", name=_label(label("phone_number"))).press_sequentially(
        RECIPIENT_PHONE_TYPED
    )
    e2e.expect_dialog_text(label("channels"))
    for channel in ("sms", "call", "viber"):
        box = dialog.get_by_role(
            "checkbox", name=_exact(texts.smsc("en", f"selector.channels.options.{channel}"))
        )
        expect(box).to_be_visible()
        box.set_checked(channel in RECIPIENT_CHANNELS)
    e2e.shot("recipient-form")
    e2e.doc("recipient-form")
    # Text your home: this recipient may talk to Assist by SMS (off unless ticked).
    assist_label = _exact(label("assist"))
    assist = dialog.get_by_role("checkbox", name=assist_label).or_(
        dialog.get_by_role("switch", name=assist_label)
    )
    expect(assist).not_to_be_checked()
    assist.scroll_into_view_if_needed()
    assist.check()
    expect(dialog.get_by_role("textbox", name=_label(label("pin")))).to_be_visible()
    e2e.expect_dialog_text(
        texts.smsc("en", "config_subentries.recipient.step.user.data_description.assist")
    )
    e2e.shot("recipient-assist")
    e2e.doc("recipient-assist")
    dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.submit"))
    ).click()
    success = texts.ui("en", "ui.panel.config.integrations.config_flow.success")
    expect(dialog.get_by_text(success).first).to_be_visible(timeout=30_000)
    e2e.shot("recipient-added")
    dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.finish"))
    ).click()
    sub_entry = page.locator("ha-md-list-item.sub-entry").filter(has_text=RECIPIENT_NAME)
    expect(sub_entry).to_be_visible()
    expect(sub_entry).to_contain_text(texts.smsc("en", "config_subentries.recipient.entry_type"))
    e2e.expect_no_errors("the integration's page")
    e2e.shot("recipient-listed")


def step_send_call(e2e: E2E) -> None:
    """Developer tools, Actions, smsc.send_call to a typed number and a recipient picked as the
    target, with a voice picked in its dropdown."""
    page, texts = e2e.page, e2e.texts
    e2e.open_action("en", "smsc.send_call")
    expect(page.locator("ha-service-picker")).to_contain_text(
        texts.smsc("en", "services.send_call.name")
    )
    # The actions take a target like core's (Developer tools insists on one when an action
    # declares it): the recipient's device, picked as a person would.
    target = page.locator("ha-target-picker")
    target.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.components.target-picker.add_device_id"))
    ).click()
    target.get_by_role("combobox").last.fill(RECIPIENT_NAME)
    page.get_by_role("option", name=re.compile(rf"^{RECIPIENT_NAME}\b")).first.click()

    def heading(key: str) -> str:
        return texts.smsc("en", f"services.send_call.fields.{key}.name")

    recipients = e2e.action_row(heading("recipients"))
    expect(recipients).to_be_visible()
    _no_raw_keys(e2e.action_headings())
    checkbox = recipients.get_by_role("checkbox")
    if checkbox.count():
        checkbox.check()  # optional, as recipient entities and devices can be chosen instead
    recipients.get_by_role("button", name=_exact(texts.ui("en", "ui.common.add"))).click()
    recipients.get_by_role("textbox").last.fill(CALL_TO)
    message = CALL_TEXT
    e2e.action_row(heading("message")).get_by_role("textbox").fill(message)

    voice = e2e.action_row(heading("voice"))
    expect(voice).to_be_visible()
    if voice.get_by_role("checkbox").count():
        voice.get_by_role("checkbox").check()  # an optional field: tick it to fill it in
    dropdown = voice.locator("ha-select")
    if dropdown.count() != 1 or voice.locator("ha-textfield, ha-textarea").count():
        raise StepError("the voice field is not a dropdown (no select in its row)")
    dropdown.click()
    labels = [
        texts.smsc("en", f"selector.voice.options.{code}")
        for code in ("m", "m2", "m3", "m4", "w", "w2", "w3", "w4")
    ]
    options = voice.get_by_role("option")
    expect(options).to_have_count(len(labels))
    shown = [" ".join(text.split()) for text in options.all_inner_texts()]
    if shown != labels:
        raise StepError(f"the voice dropdown offers {shown}, not {labels}")
    voice.scroll_into_view_if_needed()
    e2e.shot("voice-dropdown")
    e2e.doc("action-voice")
    wanted = texts.smsc("en", f"selector.voice.options.{CALL_VOICE}")
    voice.get_by_role("option", name=_exact(wanted)).click()
    expect(dropdown).to_have_js_property("value", CALL_VOICE)
    if voice.get_by_role("checkbox").count():
        expect(voice.get_by_role("checkbox")).to_be_checked()

    since = e2e.sim_log_size()
    e2e.perform_action("en")
    digits = CALL_TO.lstrip("+")
    line = e2e.wait_sim(
        rf"received CALL .* -> {digits}: '{re.escape(message)}' \[voice='{CALL_VOICE}'",
        since,
        f"a call to {digits} with voice {CALL_VOICE}",
    )
    e2e.notes.append(f"simulator: {line.split('simulator: ', 1)[-1]}")
    e2e.expect_no_errors("after Perform action")
    page.mouse.wheel(0, 4000)
    e2e.shot("call-sent")


def step_recipient_device(e2e: E2E) -> None:
    """The recipient's device page: notify entities, and the delivery state after a receipt."""
    page, texts = e2e.page, e2e.texts
    e2e.open_recipient_device()
    names = {c: texts.smsc("en", f"entity.notify.{c}.name") for c in ("sms", "call", "viber")}
    delivery_name = texts.smsc("en", "entity.sensor.delivery_state.name")
    delivered = texts.smsc("en", "entity.sensor.delivery_state.state.delivered")

    def row(name: str) -> str | None:
        for text in e2e.entity_rows():
            if text == name or text.startswith(name + " "):
                return text
        return None

    deadline = time.monotonic() + 20
    while (row(delivery_name) is None or row(names["sms"]) is None) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.5)
    rows = e2e.entity_rows()
    for channel, name in names.items():
        if (row(name) is not None) != (channel in RECIPIENT_CHANNELS):
            raise StepError(
                f"the device page should {'' if channel in RECIPIENT_CHANNELS else 'not '}"
                f"show the notify entity {name!r}; its rows: {rows}"
            )
    before = row(delivery_name)
    if before is None:
        raise StepError(f"the device page has no {delivery_name!r} sensor; its rows: {rows}")
    if before == f"{delivery_name} {delivered}":
        raise StepError(f"{before!r} before anything was sent to {RECIPIENT_NAME}")
    e2e.notes.append(f"device page before sending: {before!r}")
    e2e.shot("device-before")

    # Send through the recipient's SMS notify entity, as a person would from Developer tools.
    e2e.open_action("en", "notify.send_message")
    target = page.locator("ha-target-picker")
    target.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.components.target-picker.add_entity_id"))
    ).click()
    entity_box = target.get_by_role("combobox").last
    entity_box.fill(f"{RECIPIENT_NAME} {names['sms']}")
    page.get_by_role("option", name=re.compile(rf"^{RECIPIENT_NAME} {names['sms']}\b")).click()
    text = SMS_TEXT
    # The notify action's field is named by Home Assistant itself.
    e2e.action_row("Message").get_by_role("textbox").fill(text)
    e2e.shot("notify-action")
    since = e2e.sim_log_size()
    e2e.perform_action("en")
    e2e.wait_sim(
        rf"received SMS .* -> {RECIPIENT_PHONE}: '{re.escape(text)}'",
        since,
        f"an SMS to {RECIPIENT_PHONE}",
    )
    e2e.expect_no_errors("after sending to the notify entity")

    e2e.open_recipient_device()
    arrived = row(delivery_name)
    e2e.notes.append(f"device page on arrival: {arrived!r}")
    deadline = time.monotonic() + 30
    while row(delivery_name) != f"{delivery_name} {delivered}":
        if time.monotonic() > deadline:
            raise StepError(
                f"{delivery_name!r} did not become {delivered!r} within 30 s of the receipt; "
                f"it shows {row(delivery_name)!r}"
            )
        time.sleep(0.5)
    e2e.notes.append(f"device page after the receipt: {row(delivery_name)!r}")
    page.mouse.move(0, 0)
    e2e.shot("device-delivered")
    e2e.doc("recipient-device")


def _frontend_state(e2e: E2E, entity_id: str) -> str | None:
    """The state the frontend shows for an entity."""
    return e2e.page.evaluate(
        "(id) => document.querySelector('home-assistant').hass.states[id]?.state", entity_id
    )


def step_text_your_home(e2e: E2E) -> None:
    """The recipient texts "turn on the heating": the switch turns on, the answer comes back."""
    page = e2e.page
    # What Settings > Voice assistants > Expose does, through the frontend's own connection.
    page.evaluate(
        """(id) => document.querySelector('home-assistant').hass.callWS({
            type: 'homeassistant/expose_entity', assistants: ['conversation'],
            entity_ids: [id], should_expose: true})""",
        HEATING,
    )
    if _frontend_state(e2e, HEATING) != "off":
        raise StepError(f"{HEATING} is {_frontend_state(e2e, HEATING)!r} before the SMS, not off")
    since = e2e.sim_log_size()
    send_incoming(RECIPIENT_PHONE, HOME_NUMBER, ASSIST_TEXT, port=e2e.args.sim_control_port)
    line = e2e.wait_sim(
        rf"received SMS '{HOME_NUMBER}' -> {RECIPIENT_PHONE}: '.+'",
        since,
        f"Assist's answer to {RECIPIENT_PHONE} from {HOME_NUMBER}",
        timeout=40,
    )
    e2e.notes.append(f"simulator: {line.split('simulator: ', 1)[-1]}")
    deadline = time.monotonic() + 10
    while _frontend_state(e2e, HEATING) != "on":
        if time.monotonic() > deadline:
            raise StepError(f"{HEATING} shows {_frontend_state(e2e, HEATING)!r}, not on")
        time.sleep(0.25)
    e2e.sidebar("/lovelace")
    deadline = time.monotonic() + 20
    while not any(row.startswith("Heating") for row in e2e.entity_rows()):
        if time.monotonic() > deadline:
            raise StepError(f"the dashboard has no Heating row; its rows: {e2e.entity_rows()}")
        time.sleep(0.5)
    e2e.expect_no_errors("the dashboard")
    e2e.shot("heating-on")


def _add_call_recipient(e2e: E2E, name: str, typed_phone: str) -> None:
    """The account's menu, Add recipient: a name, a number and the voice channel only."""
    page, texts = e2e.page, e2e.texts
    e2e.open_smsc_entry_page("en")
    e2e.open_entry_menu_item(texts.smsc("en", "config_subentries.recipient.initiate_flow.user"))
    dialog = page.locator("dialog-data-entry-flow")
    expect(
        dialog.get_by_text(texts.smsc("en", "config_subentries.recipient.step.user.title"))
    ).to_be_visible(timeout=30_000)

    def label(key: str) -> str:
        return texts.smsc("en", f"config_subentries.recipient.step.user.data.{key}")

    dialog.get_by_role("textbox", name=_label(label("name"))).press_sequentially(name)
    dialog.get_by_role("textbox", name=_label(label("phone_number"))).press_sequentially(
        typed_phone
    )
    for channel in ("sms", "call", "viber"):
        dialog.get_by_role(
            "checkbox", name=_exact(texts.smsc("en", f"selector.channels.options.{channel}"))
        ).set_checked(channel == "call")
    dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.submit"))
    ).click()
    success = texts.ui("en", "ui.panel.config.integrations.config_flow.success")
    expect(dialog.get_by_text(success).first).to_be_visible(timeout=30_000)
    dialog.get_by_role(
        "button", name=_exact(texts.ui("en", "ui.panel.config.integrations.config_flow.finish"))
    ).click()
    expect(page.locator("ha-md-list-item.sub-entry").filter(has_text=name)).to_be_visible()
    e2e.expect_no_errors("the integration's page")


def _device_ids(e2e: E2E, *names: str) -> list[str]:
    """The device registry's ids of the devices with these names, in that order."""
    devices: list[dict[str, Any]] = e2e.page.evaluate(
        """() => document.querySelector('home-assistant').hass.callWS(
            {type: 'config/device_registry/list'})"""
    )
    ids = []
    for name in names:
        found = [d["id"] for d in devices if (d.get("name_by_user") or d.get("name")) == name]
        if len(found) != 1:
            raise StepError(f"the device registry has {len(found)} devices named {name!r}")
        ids.append(found[0])
    return ids


def _logbook_text(e2e: E2E) -> str:
    """What the Logbook page shows, in one line."""
    text = e2e.page.evaluate(
        "() => {" + _DEEP_TEXT_JS + "return deepText(document.querySelector('home-assistant'));}"
    )
    return " ".join(str(text).split())


def step_alarm_escalation(e2e: E2E) -> None:
    """The blueprint's automation calls down the list: the first recipient does not answer,
    the second does, and the Logbook page tells it."""
    page, texts = e2e.page, e2e.texts
    _add_call_recipient(e2e, SECOND_NAME, SECOND_PHONE_TYPED)
    e2e.shot("second-recipient")

    # The automation from the blueprint, through the config API the automation editor saves with
    # (the frontend's own connection), then shown in the editor.
    second, first_to_answer = _device_ids(e2e, SECOND_NAME, RECIPIENT_NAME)
    automation = {
        "alias": "Water leak alarm",
        "description": "",
        "use_blueprint": {
            "path": BLUEPRINT,
            "input": {
                "trigger_entity": LEAK,
                "recipients": [second, first_to_answer],
                "message": ALARM_TEXT,
            },
        },
    }
    page.evaluate(
        """([id, config]) => document.querySelector('home-assistant').hass.callApi(
            'POST', `config/automation/config/${id}`, config)""",
        [ALARM_AUTOMATION, automation],
    )
    entity_id = f"automation.{ALARM_AUTOMATION}"
    deadline = time.monotonic() + 20
    while _frontend_state(e2e, entity_id) != "on":
        if time.monotonic() > deadline:
            raise StepError(f"{entity_id} is {_frontend_state(e2e, entity_id)!r}, not on")
        time.sleep(0.25)
    page.goto(f"{e2e.base}/config/automation/edit/{ALARM_AUTOMATION}")
    expect(page.locator("blueprint-automation-editor")).to_be_attached(timeout=30_000)
    e2e.expect_no_errors("the automation editor")
    e2e.shot("alarm-automation")

    # The leak: its switch on the dashboard, as a person would.
    if _frontend_state(e2e, LEAK) != "off":
        raise StepError(f"{LEAK} is {_frontend_state(e2e, LEAK)!r} before the alarm, not off")
    e2e.sidebar("/lovelace")
    since = e2e.sim_log_size()
    row = page.locator("hui-toggle-entity-row").filter(has_text=LEAK_NAME)
    row.locator("ha-entity-toggle").first.click()
    deadline = time.monotonic() + 10
    while _frontend_state(e2e, LEAK) != "on":
        if time.monotonic() > deadline:
            raise StepError(f"{LEAK} shows {_frontend_state(e2e, LEAK)!r} after the click, not on")
        time.sleep(0.25)
    e2e.shot("leak-on")
    for phone, what in ((SECOND_PHONE, "first"), (RECIPIENT_PHONE, "second")):
        line = e2e.wait_sim(
            rf"received CALL .* -> {phone}: '{re.escape(ALARM_TEXT)}",
            since,
            f"the alarm call to the {what} recipient, {phone}",
            timeout=40,
        )
        e2e.notes.append(f"simulator: {line.split('simulator: ', 1)[-1]}")

    e2e.sidebar("/logbook")
    missed = texts.smsc("en", "exceptions.logbook_alarm_call_missed.message").split("{")[0]
    answered = texts.smsc("en", "exceptions.logbook_alarm_call_answered.message")
    ended = texts.smsc("en", "exceptions.logbook_ended_answered.message").format(
        name=RECIPIENT_NAME
    )
    alarm = texts.smsc("en", "exceptions.logbook_alarm.message")
    wanted = {
        f"{SECOND_NAME} {missed.strip()}": rf"\b{SECOND_NAME}\s+{re.escape(missed.strip())}",
        f"{RECIPIENT_NAME} {answered}": rf"\b{RECIPIENT_NAME}\s+{re.escape(answered)}",
        f"{alarm} {ended}": rf"\b{alarm}\s+{re.escape(ended)}",
    }
    deadline = time.monotonic() + 60
    while True:
        shown = _logbook_text(e2e)
        missing = [line for line, pattern in wanted.items() if not re.search(pattern, shown)]
        if not missing:
            break
        if time.monotonic() > deadline:
            raise StepError(f"the logbook does not show {missing}; it shows: {shown[-800:]}")
        time.sleep(0.5)
    e2e.notes.append(f"logbook: {' / '.join(wanted)}")
    e2e.expect_no_errors("the logbook")
    page.mouse.move(0, 0)
    e2e.shot("logbook-escalation")
    e2e.doc("escalation-logbook")


def step_russian(e2e: E2E) -> None:
    """Switch the profile to Russian: the config, action and recipient forms, entity names."""
    page, texts = e2e.page, e2e.texts
    e2e.sidebar("/profile")
    picker = page.locator("ha-pick-language-row ha-select")
    picker.click()
    picker.get_by_role("option", name=_exact(RUSSIAN)).click()
    expect(page.locator("ha-sidebar a[href='/config']")).to_contain_text(
        texts.ui("ru", "panel.config"), timeout=30_000
    )
    e2e.shot("profile-russian")

    e2e.open_integrations("ru")
    dialog = e2e.open_smsc_flow("ru")
    for key, role in (
        ("host", "textbox"),
        ("port", "spinbutton"),
        ("username", "textbox"),
        ("password", "textbox"),
        ("sender", "textbox"),
    ):
        label = texts.smsc("ru", f"config.step.user.data.{key}")
        expect(dialog.get_by_role(role, name=_label(label))).to_be_visible()  # type: ignore[arg-type]
    e2e.expect_dialog_text(
        texts.smsc("ru", "config.step.user.description"),
        texts.smsc("ru", "config.step.user.data.use_tls"),
        texts.smsc("ru", "config.step.user.data.latin1"),
    )
    e2e.shot("config-form-russian")
    e2e.doc("config-form-ru")
    dialog.get_by_role("button", name=_exact(texts.ui("ru", "ui.common.close"))).first.click()
    expect(dialog.locator("ha-dialog[open]")).to_have_count(0)

    e2e.open_action("ru", "smsc.send_call")
    expect(page.locator("ha-service-picker")).to_contain_text(
        texts.smsc("ru", "services.send_call.name")
    )
    headings = e2e.action_headings()
    for key in ("recipients", "message", "voice", "param", "sender", "comment"):
        name = texts.smsc("ru", f"services.send_call.fields.{key}.name")
        if name not in headings:
            raise StepError(f"the action form has no field {name!r}; its fields: {headings}")
    _no_raw_keys(headings)
    voice = e2e.action_row(texts.smsc("ru", "services.send_call.fields.voice.name"))
    voice.locator("ha-select").click()
    shown = [" ".join(text.split()) for text in voice.get_by_role("option").all_inner_texts()]
    wanted = [
        texts.smsc("ru", f"selector.voice.options.{code}")
        for code in ("m", "m2", "m3", "m4", "w", "w2", "w3", "w4")
    ]
    if shown != wanted:
        raise StepError(f"the voice dropdown offers {shown}, not {wanted}")
    voice.scroll_into_view_if_needed()
    e2e.shot("action-form-russian")
    page.keyboard.press("Escape")

    if "add a recipient" not in e2e.passed:
        return
    # The recipient form, and the recipient's entities, in Russian too.
    e2e.open_smsc_entry_page("ru")
    e2e.open_entry_menu_item(texts.smsc("ru", "config_subentries.recipient.initiate_flow.user"))
    e2e.expect_dialog_text(
        texts.smsc("ru", "config_subentries.recipient.step.user.title"),
        *(
            texts.smsc("ru", f"config_subentries.recipient.step.user.data.{key}")
            for key in ("name", "phone_number", "channels")
        ),
        *(texts.smsc("ru", f"selector.channels.options.{key}") for key in ("sms", "call", "viber")),
    )
    e2e.shot("recipient-form-russian")
    dialog = page.locator("dialog-data-entry-flow")
    dialog.get_by_role("button", name=_exact(texts.ui("ru", "ui.common.close"))).first.click()
    expect(dialog.locator("ha-dialog[open]")).to_have_count(0)

    if "recipient device and delivery state" not in e2e.passed:
        return
    e2e.open_recipient_device("ru")
    # Entity names come from the server in its own language (English here); the state is
    # translated by the frontend in the user's language.
    names = [texts.smsc(lang, "entity.sensor.delivery_state.name") for lang in ("ru", "en")]
    delivered = texts.smsc("ru", "entity.sensor.delivery_state.state.delivered")
    deadline = time.monotonic() + 10
    while True:
        rows = e2e.entity_rows()
        found = [r for r in rows if r.endswith(" " + delivered) and r.startswith(tuple(names))]
        if found:
            break
        if time.monotonic() > deadline:
            raise StepError(
                f"the device page in Russian has no row {names[0]!r}/{names[1]!r} showing "
                f"{delivered!r}; its rows: {rows}"
            )
        time.sleep(0.5)
    e2e.notes.append(f"device page in Russian: {found[0]!r}")
    e2e.shot("device-russian")


STEPS = (
    Step("log in", step_login),
    Step("add the SMSC integration", step_add_integration, needs=("log in",)),
    Step("add a recipient", step_add_recipient, needs=("add the SMSC integration",)),
    # After the device page: that step wants the recipient's state before anything reached it.
    Step(
        "recipient device and delivery state",
        step_recipient_device,
        needs=("add a recipient",),
    ),
    Step("send a call with a voice", step_send_call, needs=("add a recipient",)),
    Step("text your home with Assist", step_text_your_home, needs=("add a recipient",)),
    Step(
        "alarm calls until someone answers",
        step_alarm_escalation,
        needs=("add a recipient",),
    ),
    Step("Russian forms and names", step_russian, needs=("add the SMSC integration",)),
)


# ---------------------------------------------------------------------------------------------
# Browser


def _route_outside(brand: Path) -> Callable[[Route], None]:
    """Answer every request that would leave 127.0.0.1: brand images here, the rest refused."""

    def handle(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == "brands.home-assistant.io":
            parts = url.path.strip("/").split("/")
            image = brand / parts[-1] if len(parts) >= 2 and parts[-2] == "smsc" else None
            if image is not None and image.is_file():
                route.fulfill(status=200, content_type="image/png", body=image.read_bytes())
            else:
                route.fulfill(status=200, content_type="image/png", body=_EMPTY_PNG)
            return
        route.abort("blockedbyclient")

    return handle


def _notifications(e2e: E2E) -> str | None:
    """What the sidebar's notifications drawer says, if it has anything."""
    try:
        e2e.page.locator("ha-sidebar .notifications").first.click(timeout=5_000)
        drawer = e2e.page.locator("notification-drawer")
        drawer.locator("ha-drawer, ha-dialog, mwc-drawer").first.wait_for(timeout=5_000)
        e2e.page.wait_for_timeout(500)
        e2e.step_number = len(STEPS) + 1
        e2e.shot_count = 0
        e2e.shot("notifications")
        text = " ".join(
            str(drawer.evaluate("(el) => {" + _DEEP_TEXT_JS + "return deepText(el); }")).split()
        )
        e2e.page.keyboard.press("Escape")
    except PlaywrightError:
        return None
    for lang in ("en", "ru"):
        if e2e.texts.ui(lang, "ui.notification_drawer.empty") in text:
            return None
    return text or None


def _reset(e2e: E2E) -> None:
    """After a failure: close what is open and load the start page again."""
    try:
        e2e.page.keyboard.press("Escape")
        e2e.page.goto(e2e.base + "/", timeout=60_000)
        e2e.page.locator("ha-sidebar").wait_for(timeout=60_000)
    except PlaywrightError:
        pass


def _failure_text(err: BaseException) -> str:
    if isinstance(err, StepError):
        return str(err)
    message = err.message if isinstance(err, PlaywrightError) else str(err)
    if isinstance(err, (PlaywrightError, AssertionError)):
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        waiting = [line for line in lines if line.startswith("- waiting for")]
        return " | ".join(lines[:1] + waiting[:1])
    return f"{type(err).__name__}: {err}"


def _smsc_log_problems(ha_log: Path) -> list[str]:
    if not ha_log.exists():
        return []
    return [
        line
        for line in ha_log.read_text(encoding="utf-8", errors="replace").splitlines()
        if re.search(r" (ERROR|CRITICAL) .*\[(custom_components\.smsc|homeassistant\.)", line)
        and "smsc" in line.lower()
    ]


def run(args: argparse.Namespace) -> int:
    """Run the steps; 0 when all passed."""
    Path(args.artifacts).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(args.cdp_url, timeout=60_000)
        context = browser.new_context(
            viewport=VIEWPORT,  # type: ignore[arg-type]
            locale="en-US",
            timezone_id="Europe/Moscow",
            service_workers="block",
        )
        context.route(re.compile(r"^(?!(https?|wss?)://127\.0\.0\.1[:/])"), _route_outside(BRAND))
        context.set_default_timeout(20_000)
        expect.set_options(timeout=20_000)
        page = context.new_page()
        console_errors: list[str] = []
        page.on(
            "console",
            lambda msg: (
                console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
                if msg.type == "error"
                and "ERR_BLOCKED_BY_CLIENT" not in msg.text
                # DevTools asking for the frontend's source maps
                and not msg.location.get("url", "").endswith(".ts")
                else None
            ),
        )
        e2e = E2E(args=args, context=context, page=page)
        passed = e2e.passed
        for number, step in enumerate(STEPS, start=1):
            e2e.step_number = number
            e2e.shot_count = 0
            missing = [need for need in step.needs if need not in passed]
            if missing:
                step.status = "skipped"
                step.detail = f"needs: {', '.join(missing)}"
                print(f"[{number}] {step.name}: SKIPPED ({step.detail})", flush=True)
                continue
            print(f"[{number}] {step.name} ...", flush=True)
            notes_before = len(e2e.notes)
            begin = time.monotonic()
            try:
                step.run(e2e)
            except Exception as err:  # any failure fails the step
                step.seconds = time.monotonic() - begin
                step.status = "FAILED"
                step.detail = _failure_text(err)
                try:
                    shot = e2e.shot("FAILED")
                except PlaywrightError:
                    shot = None
                seen = e2e.visible_errors()
                print(f"[{number}] {step.name}: FAILED after {step.seconds:.1f} s", flush=True)
                print(f"    why: {step.detail}", flush=True)
                print(f"    page: {page.url}", flush=True)
                for text in seen.get("errors", []):
                    print(f"    visible error: {text}", flush=True)
                for text in seen.get("dialogs", []):
                    print(f"    open dialog: {text[:600]}", flush=True)
                if shot is not None:
                    print(f"    screenshot: {shot}", flush=True)
                (Path(args.artifacts) / f"{number:02d}-traceback.log").write_text(
                    traceback.format_exc(), encoding="utf-8"
                )
                _reset(e2e)
                continue
            step.seconds = time.monotonic() - begin
            step.status = "passed"
            passed.add(step.name)
            print(f"[{number}] {step.name}: passed ({step.seconds:.1f} s)", flush=True)
            for note in e2e.notes[notes_before:]:
                print(f"    {note}", flush=True)
        notifications = _notifications(e2e)
        context.close()
        browser.close()

    total = time.monotonic() - started
    print(f"\nE2E summary ({total:.0f} s, screenshots in {args.artifacts}):")
    for number, step in enumerate(STEPS, start=1):
        extra = f" - {step.detail}" if step.detail else ""
        print(f"  {number}. {step.name}: {step.status}{extra}")
    problems = _smsc_log_problems(Path(args.ha_log))
    if problems:
        print(f"  note: the Home Assistant log has {len(problems)} error line(s) about smsc:")
        for line in problems[:5]:
            print(f"    {line[:300]}")
    if notifications:
        print(f"  note: the notifications drawer says: {notifications[:400]}")
    if console_errors:
        print(f"  note: {len(console_errors)} browser console error(s), e.g. {console_errors[0]}")
    failed = [step for step in STEPS if step.status != "passed"]
    if failed:
        first = next((s for s in failed if s.status == "FAILED"), failed[0])
        print(f"E2E FAILED at step '{first.name}': {first.detail}")
        return 1
    if args.docs:
        print(f"README pictures written to {DOCS_IMAGES}")
    print(f"E2E: {len(STEPS)} passed, 0 failed")
    return 0


class _Tee:
    """Print to the terminal and to the run's log."""

    def __init__(self, stream: Any, log: Path) -> None:
        self._stream = stream
        self._log = log.open("a", encoding="utf-8")

    def write(self, text: str) -> int:
        self._log.write(text)
        self._log.flush()
        return int(self._stream.write(text))

    def flush(self) -> None:
        self._stream.flush()
        self._log.flush()


def main(argv: list[str] | None = None) -> int:
    """Command line: scripts/e2e passes the addresses of what it started."""
    parser = argparse.ArgumentParser(prog="python -m e2e.run", description=__doc__)
    parser.add_argument("--ha-url", required=True)
    parser.add_argument("--cdp-url", required=True, help="Chromium's DevTools address")
    parser.add_argument("--sim-port", type=int, required=True)
    parser.add_argument("--sim-control-port", type=int, required=True)
    parser.add_argument("--sim-log", required=True)
    parser.add_argument("--ha-log", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--docs", action="store_true", help="write the README pictures")
    args = parser.parse_args(argv)
    Path(args.artifacts).mkdir(parents=True, exist_ok=True)
    sys.stdout = _Tee(sys.stdout, Path(args.artifacts) / "e2e.log")  # type: ignore[assignment]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
