"""Two-factor login codes by SMS: Home Assistant's notify MFA module through `notify.smsc_sms`.

The module (`homeassistant.auth.mfa_modules.notify`) is Home Assistant's own, configured as the
README shows; the codes travel over TCP to the simulator, and are read from there.
"""

from __future__ import annotations

import re

from homeassistant.auth import auth_manager_from_config
from homeassistant.auth.mfa_modules.notify import NotifyAuthModule
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import SmscSimulator

PHONE = "+79991234567"
CODE = re.compile(r"^(\d{6}) is your Home Assistant login code$")


async def _code_from(simulator: SmscSimulator, count: int) -> str:
    """The code in the `count`-th message the simulator received, sent to the user's phone."""
    received = (await simulator.wait_for_messages(count))[count - 1]
    assert received.destination_addr == PHONE.lstrip("+")
    match = CODE.match(received.text)
    assert match, received.text
    return match.group(1)


async def test_login_code_arrives_by_sms(
    hass: HomeAssistant, smsc_simulator: SmscSimulator, init_integration: MockConfigEntry
) -> None:
    """Enabling the module sends a code to check the phone; each login then sends a new one."""
    hass.auth = await auth_manager_from_config(
        hass,
        [
            {
                "type": "insecure_example",
                "users": [{"username": "mum", "password": "long-password", "name": "Mum"}],
            }
        ],
        [{"type": "notify", "include": ["smsc_sms"]}],
    )
    provider = hass.auth.auth_providers[0]
    credentials = await provider.async_get_or_create_credentials({"username": "mum"})
    user = await hass.auth.async_get_or_create_user(credentials)
    module = hass.auth.get_auth_mfa_module("notify")
    assert isinstance(module, NotifyAuthModule)

    # The user enables it in their profile: picks the service, gives the number, types the code.
    setup = await module.async_setup_flow(user.id)
    result = await setup.async_step_init()
    assert result["type"] is FlowResultType.FORM
    assert result["data_schema"].schema["notify_service"].container == ["smsc_sms"]
    result = await setup.async_step_init({"notify_service": "smsc_sms", "target": PHONE})
    assert result["step_id"] == "setup"
    result = await setup.async_step_setup({"code": await _code_from(smsc_simulator, 1)})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert await module.async_is_user_setup(user.id)

    # Logging in asks for the code that has just been sent.
    result = await hass.auth.login_flow.async_init((provider.type, provider.id))
    result = await hass.auth.login_flow.async_configure(
        result["flow_id"], {"username": "mum", "password": "long-password"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mfa"
    code = await _code_from(smsc_simulator, 2)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    result = await hass.auth.login_flow.async_configure(result["flow_id"], {"code": wrong})
    assert result["errors"] == {"base": "invalid_code"}
    result = await hass.auth.login_flow.async_configure(result["flow_id"], {"code": code})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"] == credentials
    # One SMS per code: a wrong code sends nothing more.
    assert smsc_simulator.submit_count == 2
