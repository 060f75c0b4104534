"""The escalate_alarm blueprint, through Home Assistant's blueprint and automation machinery."""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsc.const import EVENT_ESCALATION_ENDED
from simulator import SmscSimulator

from .conftest import MUM_PHONE, wait_until
from .test_escalation import DAD_PHONE, _calls, _device, family, family_entry  # noqa: F401

BLUEPRINT = (
    Path(__file__).resolve().parent.parent / "blueprints/automation/smsc/escalate_alarm.yaml"
)
LEAK = "binary_sensor.cellar_leak"


async def test_the_alarm_calls_and_stops_when_the_leak_ends(
    hass: HomeAssistant,
    smsc_simulator: SmscSimulator,
    family: MockConfigEntry,  # noqa: F811
) -> None:
    """The leak turns on: Mum is called; it turns off: the escalation is cancelled, Dad is not."""
    smsc_simulator.set_call_outcome(MUM_PHONE, "silent")
    target = Path(hass.config.path("blueprints/automation/smsc/escalate_alarm.yaml"))
    await hass.async_add_executor_job(_copy, target)
    hass.states.async_set(LEAK, "off")
    ended = async_capture_events(hass, EVENT_ESCALATION_ENDED)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "cellar_leak_alarm",
                "use_blueprint": {
                    "path": "smsc/escalate_alarm.yaml",
                    "input": {
                        "trigger_entity": LEAK,
                        "recipients": [
                            _device(hass, family, MUM_PHONE),
                            _device(hass, family, DAD_PHONE),
                        ],
                        "message": "Water in the cellar",
                        "attempts": 2,
                        "interval": 0,
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()

    hass.states.async_set(LEAK, "on")
    await smsc_simulator.wait_for(lambda: len(_calls(smsc_simulator)) == 1)
    assert _calls(smsc_simulator)[0].body == "Water in the cellar"
    assert hass.states.get("sensor.smsc_demo_active_escalations").state == "1"

    hass.states.async_set(LEAK, "off")
    await wait_until(lambda: bool(ended))
    assert ended[0].data["reason"] == "cancelled"
    await hass.async_block_till_done()
    assert [call.destination_addr for call in _calls(smsc_simulator)] == [MUM_PHONE]
    assert hass.states.get("sensor.smsc_demo_active_escalations").state == "0"


def _copy(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BLUEPRINT, target)
