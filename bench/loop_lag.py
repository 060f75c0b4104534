"""Event-loop lag and report latency while 10,000 delivery reports arrive in one burst.

A Home Assistant test instance (pytest_homeassistant_custom_component's
``async_test_home_assistant``) sets the integration up against the simulator, which runs in a
process of its own (``SimulatorProcess``), as SMSC is another machine: in a thread of this
process its Python work would take the GIL from the loop and show as the loop's lag. Phases:

1. ``N`` messages are sent through ``smsc.send_sms`` (so the reports have tracked ids) and,
   for the second burst, nothing (the reports carry ids nobody sent: unknown ids).
2. The simulator writes ``N`` deliver_sm receipts (text and TLVs, as SMSC sends them) to the
   socket at once; ``t0`` is taken just before that write.
3. A probe task on Home Assistant's loop sleeps 1 ms in a loop and records how late it wakes
   (scheduling delay = loop lag); a bus listener stamps every ``smsc_delivery_report`` event.

Reported: loop lag (max, p99, p50) over the burst, against an idle baseline; report -> event
latency (p50, p99, max) measured from ``t0`` (all reports are written at ``t0``, so the
latency of the k-th includes waiting behind the k-1 before it); and the burst's duration.
Both sides use ``time.monotonic()`` in one process.

Usage: python bench/loop_lag.py [-n 10000]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
import gc
import logging
from pathlib import Path
import sys
import tempfile
import time
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Before Home Assistant's test config could shadow the package (as tests/conftest.py does).
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from bench.harness import LOGIN, PASSWORD, async_setup_account
from bench.simulator_process import SimulatorProcess
import custom_components.smsc  # noqa: F401
from custom_components.smsc import hub as smsc_hub
from custom_components.smsc.const import DOMAIN, EVENT_DELIVERY_REPORT
from custom_components.smsc.smpp.session import SessionConfig
from simulator import CommandId, MessageState, Pdu, Tag
from simulator.pdu import SmBody, Tlv

PROBE_PERIOD = 0.001
REAL_SESSION_CONFIG = smsc_hub.session_config


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class LagProbe:
    """A task that sleeps PROBE_PERIOD in a loop and records how late each wake-up is."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (wake-up time, lag)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(PROBE_PERIOD)
            now = time.monotonic()
            self.samples.append((now, now - before - PROBE_PERIOD))

    def lags(self, start: float, end: float) -> list[float]:
        return [lag for at, lag in self.samples if start <= at <= end]


class StoreWrites:
    """When the integration's stores are written to disk (`Store._async_write_data`)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._real = Store._async_write_data

    def __enter__(self) -> StoreWrites:
        real = self._real
        times = self.times

        async def counted(store: Store[Any], path: str, data: dict[str, Any]) -> None:
            if store.key.startswith(f"{DOMAIN}."):
                times.append(time.monotonic())
            await real(store, path, data)

        Store._async_write_data = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Store._async_write_data = self._real  # type: ignore[method-assign]

    def between(self, start: float, end: float) -> int:
        return sum(1 for at in self.times if start <= at <= end)


class GcWatch:
    """Garbage-collector pauses (any thread), to tell them apart from the integration's."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []  # (end time, duration)
        self._started = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        now = time.monotonic()
        if phase == "start":
            self._started = now
        else:
            self.pauses.append((now, now - self._started))

    def longest(self, start: float, end: float) -> float:
        return max((pause for at, pause in self.pauses if start <= at <= end), default=0.0)


@dataclass
class BurstResult:
    name: str
    reports: int
    seconds: float
    lag_max: float
    lag_p99: float
    lag_p50: float
    latency_p50: float
    latency_p99: float
    latency_max: float
    gc_max: float
    store_writes: int


def receipt_blob(message_ids: list[str], first_sequence: int) -> bytes:
    """deliver_sm receipts for these ids, as SMSC writes them, back to back."""
    stamp = f"{datetime.now(UTC):%y%m%d%H%M}"
    frames = []
    for offset, message_id in enumerate(message_ids):
        text = (
            f"id:{message_id} sub:001 dlvrd:001 submit date:{stamp} done date:{stamp} "
            "stat:DELIVRD err:000 text:Bench"
        )
        body = SmBody(
            source_addr_ton=1,
            source_addr_npi=1,
            source_addr="79990000000",
            dest_addr_ton=5,
            esm_class=0x04,
            short_message=text.encode("ascii"),
            tlvs=[
                Tlv.cstr(Tag.RECEIPTED_MESSAGE_ID, message_id),
                Tlv.u8(Tag.MESSAGE_STATE, MessageState.DELIVERED),
            ],
        ).encode()
        frames.append(Pdu(CommandId.DELIVER_SM, 0, first_sequence + offset, body).encode())
    return b"".join(frames)


async def burst(
    hass: HomeAssistant,
    sim: SimulatorProcess,
    probe: LagProbe,
    gc_watch: GcWatch,
    writes: StoreWrites,
    *,
    name: str,
    message_ids: list[str],
    first_sequence: int,
) -> BurstResult:
    blob = receipt_blob(message_ids, first_sequence)
    wanted = set(message_ids)
    arrived: dict[str, float] = {}
    done = asyncio.Event()

    @callback
    def on_report(event: Event) -> None:
        message_id = event.data["message_id"]
        if message_id in wanted:
            arrived[message_id] = time.monotonic()
            if len(arrived) == len(wanted):
                done.set()

    remove = hass.bus.async_listen(EVENT_DELIVERY_REPORT, on_report)
    try:
        # A full collection owed to what came before (setup, the N sends) is not the burst's:
        # collect first, so that `gc max` shows only what the burst's own objects set off.
        gc.collect()
        await asyncio.sleep(0.2)  # a quiet moment before the burst
        t0 = time.monotonic()
        sent = await hass.async_add_executor_job(sim.send_raw, blob)
        assert sent == 1, "no bound client got the burst"
        async with asyncio.timeout(120):
            await done.wait()
        end = time.monotonic()
    finally:
        remove()
    latencies = [at - t0 for at in arrived.values()]
    lags = probe.lags(t0, end)
    return BurstResult(
        name=name,
        reports=len(message_ids),
        seconds=end - t0,
        lag_max=max(lags),
        lag_p99=percentile(lags, 0.99),
        lag_p50=percentile(lags, 0.50),
        latency_p50=percentile(latencies, 0.50),
        latency_p99=percentile(latencies, 0.99),
        latency_max=max(latencies),
        gc_max=gc_watch.longest(t0, end),
        store_writes=writes.between(t0, end),
    )


async def send_tracked(hass: HomeAssistant, n: int) -> list[str]:
    """Send n messages (distinct recipients, 500 per action call); return their ids."""
    ids: list[str] = []
    for start in range(0, n, 500):
        recipients = [f"+7998{i:07d}" for i in range(start, min(n, start + 500))]
        response: Any = await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": recipients, "message": "Bench"},
            blocking=True,
            return_response=True,
        )
        for result in response["results"]:
            ids.extend(result["message_ids"])
    return ids


def _patient_session_config(data: Mapping[str, Any], options: Mapping[str, Any]) -> SessionConfig:
    return dataclasses.replace(
        REAL_SESSION_CONFIG(data, options), submit_timeout=60.0, max_rate=1_000_000
    )


async def run(n: int) -> tuple[list[BurstResult], list[float]]:
    with (
        tempfile.TemporaryDirectory() as config_dir,
        SimulatorProcess(
            login=LOGIN,
            password=PASSWORD,
            enforce_rules=False,
            auto_receipts=False,
            history_limit=1000,
        ) as sim,
        # Sending the N messages whose reports are measured is not what is measured: unpaced,
        # and with time enough for all of them in one action.
        patch.object(smsc_hub, "session_config", _patient_session_config),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            entry = await async_setup_account(hass, sim.host, sim.port, title="SMSC bench")
            probe = LagProbe()
            probe.start()
            gc_watch = GcWatch()
            try:
                await asyncio.sleep(1.0)
                idle = [lag for _, lag in probe.samples]
                tracked = await send_tracked(hass, n)
                assert len(tracked) == n, len(tracked)
                unknown = [str(9_000_000_000 + i) for i in range(n)]
                with gc_watch, StoreWrites() as writes:
                    results = [
                        await burst(
                            hass,
                            sim,
                            probe,
                            gc_watch,
                            writes,
                            name="tracked ids",
                            message_ids=tracked,
                            first_sequence=1,
                        ),
                        await burst(
                            hass,
                            sim,
                            probe,
                            gc_watch,
                            writes,
                            name="unknown ids",
                            message_ids=unknown,
                            first_sequence=n + 1,
                        ),
                    ]
            finally:
                await probe.stop()
                assert await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
    return results, idle


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="reports per burst")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    results, idle = asyncio.run(run(args.n))

    def ms(value: float) -> str:
        return f"{value * 1000:8.1f}"

    print(f"Delivery-report burst in Home Assistant: {args.n:,} reports, written at once")
    print(
        f"idle loop lag (1 ms probe, 1 s): p50 {ms(percentile(idle, 0.5)).strip()} ms, "
        f"p99 {ms(percentile(idle, 0.99)).strip()} ms, max {ms(max(idle)).strip()} ms"
    )
    header = (
        f"{'burst':<12} {'reports/s':>9} {'lag max':>8} {'lag p99':>8} {'lag p50':>8} "
        f"{'lat p50':>8} {'lat p99':>8} {'lat max':>8} {'gc max':>8} {'writes':>6}"
    )
    print(header + "   (ms)")
    for r in results:
        print(
            f"{r.name:<12} {r.reports / r.seconds:>9.0f} {ms(r.lag_max)} {ms(r.lag_p99)} "
            f"{ms(r.lag_p50)} {ms(r.latency_p50)} {ms(r.latency_p99)} {ms(r.latency_max)} "
            f"{ms(r.gc_max)} {r.store_writes:>6}"
        )


if __name__ == "__main__":
    main()
