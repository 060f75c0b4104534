"""Config flow of the SMSC integration: account, re-authentication, reconfiguration."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
import logging
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import SectionConfig, section
from homeassistant.helpers.selector import (
    ConversationAgentSelector,
    LanguageSelector,
    LanguageSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import (
    CHANNELS,
    CONF_ASSIST,
    CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_ANSWERS_PER_HOUR,
    CONF_ASSIST_LANGUAGE,
    CONF_CHANNELS,
    CONF_LATIN1,
    CONF_MAX_PARTS,
    CONF_MAX_RATE,
    CONF_PHONE_NUMBER,
    CONF_PIN,
    CONF_SENDER,
    CONF_SMS_ENCODING,
    CONF_SUBMIT_WINDOW,
    CONF_USE_MESSAGE_PAYLOAD,
    CONF_USE_TLS,
    DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    DEFAULT_ASSIST_AGENT,
    DEFAULT_ASSIST_ANSWERS_PER_HOUR,
    DEFAULT_HOST,
    DEFAULT_MAX_PARTS,
    DEFAULT_MAX_RATE,
    DEFAULT_PORT,
    DEFAULT_SUBMIT_WINDOW,
    DOMAIN,
    MAX_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
    MAX_ASSIST_ANSWERS_PER_HOUR,
    MAX_RATE_LIMIT,
    MAX_SUBMIT_WINDOW,
    SMS_ENCODING_AUTO,
    SMS_ENCODINGS,
    SUBENTRY_RECIPIENT,
)
from .hub import session_config
from .notify_names import CONF_NOTIFY_SUFFIX, free_notify_suffix
from .pin import pin_is_valid
from .smpp.address import normalize_recipient, normalize_sender
from .smpp.config import BindMode
from .smpp.errors import AuthenticationFailed, CannotConnect, ComposeError
from .smpp.session import SmppSession

_LOGGER = logging.getLogger(__name__)

_PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)


def _account_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, DEFAULT_HOST)): TextSelector(),
            vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)): _PORT_SELECTOR,
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)
            ): TextSelector(TextSelectorConfig(autocomplete="username")),
            vol.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
            vol.Optional(CONF_SENDER, default=defaults.get(CONF_SENDER, "")): TextSelector(),
            vol.Required(CONF_USE_TLS, default=defaults.get(CONF_USE_TLS, False)): bool,
            vol.Required(CONF_LATIN1, default=defaults.get(CONF_LATIN1, False)): bool,
        }
    )


def _clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(user_input)
    data[CONF_HOST] = str(data[CONF_HOST]).strip()
    data[CONF_PORT] = int(data[CONF_PORT])
    data[CONF_USERNAME] = str(data[CONF_USERNAME]).strip()
    data[CONF_SENDER] = str(data.get(CONF_SENDER) or "").strip()
    return data


async def _validate(data: Mapping[str, Any]) -> dict[str, str]:
    """Bind once with these settings; the errors to show, by field."""
    if data.get(CONF_SENDER):
        try:
            normalize_sender(data[CONF_SENDER])
        except ComposeError:
            return {CONF_SENDER: "invalid_sender"}
    # A transmitter: SMSC hands it no queued report or incoming SMS, which this short-lived
    # session, with no one listening, would acknowledge and so lose.
    session = SmppSession(
        replace(session_config(data, {}), bind_mode=BindMode.TRANSMITTER),
        loop=asyncio.get_running_loop(),
    )
    try:
        await session.start()
    except AuthenticationFailed:
        return {"base": "invalid_auth"}
    except CannotConnect:
        return {"base": "cannot_connect"}
    except Exception:
        _LOGGER.exception("Unexpected error while binding to SMSC")
        return {"base": "unknown"}
    await session.close()
    return {}


def account_unique_id(login: str) -> str:
    """SMSC logins are unique and case-insensitive: one account, one entry, whatever server."""
    return login.strip().lower()


class SmscConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an SMSC account by binding to it."""

    VERSION = 1
    # 1.2: the login alone is the unique id; the YAML notify names are stored (see migration.py).
    MINOR_VERSION = 2

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients are added to an account as subentries."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> SmscOptionsFlow:
        """Sending options of the account."""
        return SmscOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the account and check it by binding."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            await self.async_set_unique_id(account_unique_id(data[CONF_USERNAME]))
            self._abort_if_unique_id_configured()
            errors = await _validate(data)
            if not errors:
                # Fixed now and never changed: automations name these services.
                data[CONF_NOTIFY_SUFFIX] = free_notify_suffix(self.hass, data[CONF_USERNAME])
                return self.async_create_entry(title=f"SMSC {data[CONF_USERNAME]}", data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _account_schema({}),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            errors=errors,
        )

    def _update_and_abort(self, entry: ConfigEntry, data: Mapping[str, Any]) -> ConfigFlowResult:
        """Store the new settings; a new login reloads the account, a new sender applies live.

        A loaded account has an update listener that reloads it when a connection setting
        changed, and Home Assistant 2026.10 reports a flow that reloads such an entry itself. An
        account that is not loaded (its setup failed, e.g. on the refused password) has no
        listener, so Home Assistant's helper stores and reloads it.
        """
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_update_reload_and_abort(entry, data=data)
        if not self.hass.config_entries.async_update_entry(entry, data=data):
            # Unchanged, so the listener stays quiet: reload anyway, to bind again now.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        reason = "reauth_successful" if self.source == SOURCE_REAUTH else "reconfigure_successful"
        return self.async_abort(reason=reason)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """SMSC refused the stored password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new password and check it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            errors = await _validate(data)
            if not errors:
                return self._update_and_abort(entry, data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD_SELECTOR}),
            description_placeholders={CONF_USERNAME: entry.data[CONF_USERNAME]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server, password, sender or encodings of the account."""
        entry = self._get_reconfigure_entry()
        if entry.unique_id != account_unique_id(entry.data[CONF_USERNAME]):
            # Added twice before 1.2: the repair issue asks to delete one of the two first.
            return self.async_abort(
                reason="duplicate_account",
                description_placeholders={CONF_USERNAME: entry.data[CONF_USERNAME]},
            )
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            # Another flow for this account (a pending re-authentication) does not stop this one.
            await self.async_set_unique_id(
                account_unique_id(data[CONF_USERNAME]), raise_on_progress=False
            )
            self._abort_if_unique_id_mismatch(
                reason="wrong_account",
                description_placeholders={CONF_USERNAME: entry.data[CONF_USERNAME]},
            )
            errors = await _validate(data)
            if not errors:
                return self._update_and_abort(entry, {**entry.data, **data})
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _account_schema(entry.data),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            description_placeholders={CONF_USERNAME: entry.data[CONF_USERNAME]},
            errors=errors,
        )


# Reconfigure only, when the recipient has a PIN: the PIN itself is never shown in a form.
CONF_REMOVE_PIN = "remove_pin"


def _recipient_schema(defaults: Mapping[str, Any], *, has_pin: bool = False) -> vol.Schema:
    schema = vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, vol.UNDEFINED)): TextSelector(),
            vol.Required(
                CONF_PHONE_NUMBER, default=defaults.get(CONF_PHONE_NUMBER, vol.UNDEFINED)
            ): TextSelector(TextSelectorConfig(type=TextSelectorType.TEL)),
            vol.Required(
                CONF_CHANNELS, default=list(defaults.get(CONF_CHANNELS, ["sms"]))
            ): SelectSelector(
                SelectSelectorConfig(
                    options=list(CHANNELS),
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_CHANNELS,
                )
            ),
            vol.Required(CONF_ASSIST, default=bool(defaults.get(CONF_ASSIST, False))): bool,
            vol.Optional(CONF_PIN): _PASSWORD_SELECTOR,
        }
    )
    if has_pin:
        schema = schema.extend({vol.Optional(CONF_REMOVE_PIN, default=False): bool})
    return schema


def _recipient_pin(user_input: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """A PIN typed in replaces the current one; left empty, the current one stays."""
    typed = str(user_input.get(CONF_PIN) or "").strip()
    if typed:
        return typed
    if user_input.get(CONF_REMOVE_PIN):
        return None
    return current.get(CONF_PIN) or None


class RecipientSubentryFlow(ConfigSubentryFlow):
    """A person or phone the account sends to: a device with a notify entity per channel."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient's name, number, channels, or whether it may talk to Assist."""
        return await self._async_step_recipient("reconfigure", user_input)

    async def _async_step_recipient(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        reconfiguring = step_id == "reconfigure"
        current = self._get_reconfigure_subentry() if reconfiguring else None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                phone = normalize_recipient(user_input[CONF_PHONE_NUMBER]).addr
            except ComposeError:
                errors[CONF_PHONE_NUMBER] = "invalid_phone_number"
            else:
                if not user_input[CONF_CHANNELS]:
                    errors[CONF_CHANNELS] = "no_channels"
                elif any(
                    subentry.unique_id == phone and subentry is not current
                    for subentry in self._get_entry().subentries.values()
                ):
                    return self.async_abort(reason="already_configured")
            pin = _recipient_pin(user_input, current.data if current else {})
            if pin is not None and not pin_is_valid(pin):
                errors[CONF_PIN] = "invalid_pin"
            if not errors:
                name = str(user_input[CONF_NAME]).strip()
                data: dict[str, Any] = {
                    CONF_NAME: name,
                    CONF_PHONE_NUMBER: phone,
                    CONF_CHANNELS: [c for c in CHANNELS if c in user_input[CONF_CHANNELS]],
                }
                # Stored only when set, as recipients made before Assist came have neither.
                if user_input.get(CONF_ASSIST):
                    data[CONF_ASSIST] = True
                if pin is not None:
                    data[CONF_PIN] = pin
                if current is not None:
                    return self.async_update_and_abort(
                        self._get_entry(), current, data=data, title=name, unique_id=phone
                    )
                return self.async_create_entry(title=name, data=data, unique_id=phone)
        defaults: Mapping[str, Any] = user_input or (current.data if current else {})
        has_pin = bool(current and current.data.get(CONF_PIN))
        return self.async_show_form(
            step_id=step_id,
            data_schema=_recipient_schema(defaults, has_pin=has_pin),
            errors=errors,
        )


class SmscOptionsFlow(OptionsFlow):
    """How texts are encoded and split, and how fast submits go to SMSC."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options; the running account applies them without a new bind."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_MAX_PARTS: int(user_input[CONF_MAX_PARTS]),
                    CONF_USE_MESSAGE_PAYLOAD: bool(user_input[CONF_USE_MESSAGE_PAYLOAD]),
                    CONF_SMS_ENCODING: user_input[CONF_SMS_ENCODING],
                    CONF_MAX_RATE: int(user_input[CONF_MAX_RATE]),
                    CONF_SUBMIT_WINDOW: int(user_input[CONF_SUBMIT_WINDOW]),
                    **_assist_options(user_input.get(SECTION_ASSIST), self.config_entry.options),
                }
            )
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_PARTS, default=options.get(CONF_MAX_PARTS, DEFAULT_MAX_PARTS)
                ): _count_selector(10),
                vol.Required(
                    CONF_USE_MESSAGE_PAYLOAD,
                    default=options.get(CONF_USE_MESSAGE_PAYLOAD, False),
                ): bool,
                vol.Required(
                    CONF_SMS_ENCODING,
                    default=options.get(CONF_SMS_ENCODING, SMS_ENCODING_AUTO),
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=list(SMS_ENCODINGS),
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_SMS_ENCODING,
                    )
                ),
                vol.Required(
                    CONF_MAX_RATE, default=options.get(CONF_MAX_RATE, DEFAULT_MAX_RATE)
                ): _count_selector(MAX_RATE_LIMIT),
                vol.Required(
                    CONF_SUBMIT_WINDOW,
                    default=options.get(CONF_SUBMIT_WINDOW, DEFAULT_SUBMIT_WINDOW),
                ): _count_selector(MAX_SUBMIT_WINDOW),
                vol.Optional(SECTION_ASSIST): section(
                    _assist_schema(options), SectionConfig(collapsed=True)
                ),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)


# The options of "Text your home", in a section of their own; stored flat with the others.
SECTION_ASSIST = "assist"


def _assist_schema(options: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_ASSIST_AGENT, default=options.get(CONF_ASSIST_AGENT, DEFAULT_ASSIST_AGENT)
            ): ConversationAgentSelector(),
            vol.Optional(
                CONF_ASSIST_LANGUAGE,
                description={"suggested_value": options.get(CONF_ASSIST_LANGUAGE)},
            ): LanguageSelector(LanguageSelectorConfig(native_name=True)),
            vol.Required(
                CONF_ASSIST_ANSWERS_PER_HOUR,
                default=options.get(CONF_ASSIST_ANSWERS_PER_HOUR, DEFAULT_ASSIST_ANSWERS_PER_HOUR),
            ): _count_selector(MAX_ASSIST_ANSWERS_PER_HOUR),
            vol.Required(
                CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
                default=options.get(
                    CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR, DEFAULT_ASSIST_ACCOUNT_ANSWERS_PER_HOUR
                ),
            ): _count_selector(MAX_ASSIST_ACCOUNT_ANSWERS_PER_HOUR),
        }
    )


def _assist_options(given: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dict[str, Any]:
    """The Assist options to store; a form sent without the section keeps the current ones."""
    if given is None:
        keys = (
            CONF_ASSIST_AGENT,
            CONF_ASSIST_LANGUAGE,
            CONF_ASSIST_ANSWERS_PER_HOUR,
            CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR,
        )
        return {key: current[key] for key in keys if key in current}
    options: dict[str, Any] = {
        CONF_ASSIST_AGENT: given[CONF_ASSIST_AGENT],
        CONF_ASSIST_ANSWERS_PER_HOUR: int(given[CONF_ASSIST_ANSWERS_PER_HOUR]),
        CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR: int(given[CONF_ASSIST_ACCOUNT_ANSWERS_PER_HOUR]),
    }
    # Left empty, Assist answers in Home Assistant's language of the moment.
    if given.get(CONF_ASSIST_LANGUAGE):
        options[CONF_ASSIST_LANGUAGE] = given[CONF_ASSIST_LANGUAGE]
    return options


def _count_selector(maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=1, max=maximum, step=1, mode=NumberSelectorMode.BOX)
    )
