"""Soak: hundreds of sends while the link drops and the entry reloads, grows and restarts.

Every send goes through ``smsc.send_sms`` to one number with a text of its own, against the
simulator with its throughput limit on (so SMSC's throttling is in play) and a small answer
delay (so some submits are held by the simulator while their answer is still on its way).
Meanwhile, one at a time and at random moments, the run drops the link, reloads the entry,
adds a recipient, and stops and starts the entry. Each send then ends in one of three ways,
checked against what the simulator holds:

- ``accepted``: the response says sent; the simulator holds exactly one copy;
- ``refused``: an error that says "not sent" (with its reason); the simulator holds none;
- ``may or may not``: ``connection_lost`` or ``submit_timeout``; the simulator holds at most one.

Anything else, a send without an answer or one held twice, is a violation. The table lists the
outcomes by reason, the disturbances made and the violations. ``run_soak`` is also the suite's
short, fixed-seed version (``tests/test_soak.py``).

Usage: python bench/soak.py [--sends 500] [--duration 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import logging
from pathlib import Path
import random
import sys
import tempfile
from types import MappingProxyType
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Before Home Assistant's test config could shadow the package (as tests/conftest.py does).
from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from bench.harness import async_setup_account
import custom_components.smsc  # noqa: F401
from custom_components.smsc.const import (
    CONF_CHANNELS,
    CONF_PHONE_NUMBER,
    DOMAIN,
    SUBENTRY_RECIPIENT,
)
from simulator import SmscSimulator

ACCEPTED: Final = "accepted"
REFUSED: Final = "refused"
MAYBE: Final = "may or may not"
# The errors after which a message may or may not have reached SMSC: it was written.
MAYBE_CODES: Final = frozenset({"connection_lost", "submit_timeout"})
DISTURBANCES: Final = ("drop link", "reload", "add recipient", "stop and start")
NUMBERS: Final = 40  # distinct numbers, so no one number nears SMSC's flood rule


@dataclass
class SoakResult:
    """What became of each send, and what was done to the entry meanwhile."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    disturbances: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    sends: int = 0

    def table(self) -> str:
        lines = [f"{'outcome':<16} {'reason':<28} {'sends':>6}"]
        for (outcome, reason), count in sorted(self.outcomes.items()):
            lines.append(f"{outcome:<16} {reason:<28} {count:>6}")
        lines.append(f"{'total':<45} {sum(self.outcomes.values()):>6}")
        made = ", ".join(f"{name} x{count}" for name, count in sorted(self.disturbances.items()))
        lines.append(f"disturbances: {made or 'none'}")
        lines.append(f"violations: {len(self.violations)}")
        lines.extend(f"  {violation}" for violation in self.violations[:20])
        return "\n".join(lines)


async def run_soak(
    hass: HomeAssistant,
    entry: ConfigEntry,
    sim: SmscSimulator,
    *,
    sends: int,
    duration: float,
    seed: int,
    send_timeout: float = 120.0,
) -> SoakResult:
    """Send `sends` messages over about `duration` seconds while disturbing the entry."""
    rng = random.Random(seed)
    result = SoakResult(sends=sends)
    texts = [f"Soak {seed}-{index}" for index in range(sends)]
    outcome_of: dict[str, tuple[str, str]] = {}

    async def send(index: int, at: float) -> None:
        await asyncio.sleep(at)
        text = texts[index]
        number = f"7999{index % NUMBERS:07d}"
        try:
            async with asyncio.timeout(send_timeout):
                response: Any = await hass.services.async_call(
                    DOMAIN,
                    "send_sms",
                    {"recipients": [number], "message": text},
                    blocking=True,
                    return_response=True,
                )
        except HomeAssistantError as err:
            reason = err.translation_key or type(err).__name__
            outcome_of[text] = (MAYBE if reason in MAYBE_CODES else REFUSED, reason)
            return
        except TimeoutError:
            result.violations.append(f"{text}: no answer within {send_timeout} s")
            return
        except BaseException as err:  # a send must end in an answer, whatever
            result.violations.append(f"{text}: raised {type(err).__name__}")
            return
        [sent] = response["results"]
        if sent["success"]:
            outcome_of[text] = (ACCEPTED, "sent")
        else:
            reason = sent["error_code"]
            outcome_of[text] = (MAYBE if reason in MAYBE_CODES else REFUSED, reason)

    async def disturb() -> None:
        plan = [
            DISTURBANCES[index % len(DISTURBANCES)] for index in range(_disturbance_count(duration))
        ]
        rng.shuffle(plan)
        step = duration / (len(plan) + 1)
        for index, name in enumerate(plan):
            await asyncio.sleep(step * rng.uniform(0.5, 1.0))
            await _DISTURB[name](hass, entry, sim, index)
            result.disturbances[name] += 1

    times = sorted(rng.uniform(0, duration) for _ in range(sends))
    await asyncio.gather(disturb(), *(send(index, at) for index, at in enumerate(times)))
    if entry.state is not ConfigEntryState.LOADED:
        await hass.config_entries.async_setup(entry.entry_id)
    # Answers still waiting out the simulator's delay are in its history already.
    await asyncio.sleep(sim.response_delay + 0.1)
    copies = Counter(message.text for message in sim.received)
    for text in texts:
        if text not in outcome_of:
            continue  # a violation was recorded already
        outcome, reason = outcome_of[text]
        result.outcomes[outcome, reason] += 1
        held = copies[text]
        allowed = {ACCEPTED: (1,), REFUSED: (0,), MAYBE: (0, 1)}[outcome]
        if held not in allowed:
            result.violations.append(f"{text}: {outcome} ({reason}) but {held} held")
    return result


def _disturbance_count(duration: float) -> int:
    """About one every three seconds, and each kind at least once."""
    return max(len(DISTURBANCES), round(duration / 3))


async def _drop_link(hass: HomeAssistant, entry: ConfigEntry, sim: SmscSimulator, _: int) -> None:
    await sim.drop_connections()


async def _reload(hass: HomeAssistant, entry: ConfigEntry, sim: SmscSimulator, _: int) -> None:
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_reload(entry.entry_id)


async def _add_recipient(
    hass: HomeAssistant, entry: ConfigEntry, sim: SmscSimulator, index: int
) -> None:
    number = f"7998{index:07d}"
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(
                {"name": f"Soak {index}", CONF_PHONE_NUMBER: number, CONF_CHANNELS: ["sms"]}
            ),
            subentry_type=SUBENTRY_RECIPIENT,
            title=f"Soak {index}",
            unique_id=number,
        ),
    )
    await asyncio.sleep(0)


async def _stop_and_start(
    hass: HomeAssistant, entry: ConfigEntry, sim: SmscSimulator, _: int
) -> None:
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
    await asyncio.sleep(0.2)
    await hass.config_entries.async_setup(entry.entry_id)


_DISTURB: Final[
    dict[str, Callable[[HomeAssistant, ConfigEntry, SmscSimulator, int], Awaitable[None]]]
] = {
    "drop link": _drop_link,
    "reload": _reload,
    "add recipient": _add_recipient,
    "stop and start": _stop_and_start,
}


async def main_async(sends: int, duration: float, seed: int) -> SoakResult:
    with tempfile.TemporaryDirectory() as config_dir:
        async with (
            SmscSimulator(
                login="demo",
                password="demo",  # noqa: S106 - the simulator's demo account
                throughput=10,
                response_delay=0.3,
            ) as sim,
            async_test_home_assistant(config_dir=config_dir) as hass,
        ):
            entry = await async_setup_account(hass, sim.host, sim.port, title="SMSC soak")
            try:
                return await run_soak(hass, entry, sim, sends=sends, duration=duration, seed=seed)
            finally:
                if entry.state is ConfigEntryState.LOADED:
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(main_async(args.sends, args.duration, args.seed))
    print(f"Soak: {args.sends} sends over {args.duration:.0f} s, seed {args.seed}")
    print(result.table())


if __name__ == "__main__":
    main()
