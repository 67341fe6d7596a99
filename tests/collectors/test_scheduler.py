"""Scheduling: dead devices cost one timeout, skips and cut-offs are counted, intervals honoured."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.base import Target
from collectors.scheduler import Job, Scheduler
from collectors.snmp.collector import SnmpCollector
from devstack.snmpd import SnmpdServer
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point
from tests.collectors.conftest import make_inventory, snmpd_secrets, v2c_profile


@pytest.fixture
def silent_udp() -> Iterator[str]:
    """A UDP port that is bound but never answers: a device that is powered but dead."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{s.getsockname()[1]}"


class Timed:
    """Wraps a collector and records when each poll started and ended."""

    name = "snmp"
    malformed = 0

    def __init__(self, inner: SnmpCollector) -> None:
        self.inner = inner
        self.spans: dict[str, tuple[float, float]] = {}

    async def collect(self, target: Target) -> list[Point]:
        t0 = time.monotonic()
        try:
            return await self.inner.collect(target)
        finally:
            self.spans[target.device.id] = (t0, time.monotonic())

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _nothing(points: list[Point]) -> None:
    return None


def _farm(tmp_path: Path, snmpd: SnmpdServer, silent: str, n: int, dead: int, timeout_s: float) -> Inventory:
    devices = [{"id": f"sw{i:02d}", "address": snmpd.address, "snmp_profile": "v2c"} for i in range(n - dead)]
    devices += [{"id": f"dead{i}", "address": silent, "snmp_profile": "v2c"} for i in range(dead)]
    return make_inventory(tmp_path, devices, [v2c_profile(timeout_s=timeout_s, retries=0)], snmpd_secrets(snmpd))


async def test_ten_percent_dead_costs_at_most_one_timeout(tmp_path: Path, snmpd: SnmpdServer, silent_udp: str) -> None:
    timeout_s = 1.0
    inv = _farm(tmp_path, snmpd, silent_udp, 20, 2, timeout_s)
    healthy_jobs = [Job(Target.of(inv, d), SnmpCollector(inv.snmp_profiles), 60) for d in inv.devices.values()
                    if not d.id.startswith("dead")]  # fmt: skip
    healthy = await Scheduler(healthy_jobs, _nothing, period_s=30, spread=0).run_cycle()
    assert healthy.ok == 18

    timed = Timed(SnmpCollector(inv.snmp_profiles))
    jobs = [Job(Target.of(inv, d), timed, 60) for d in inv.devices.values()]
    sched = Scheduler(jobs, _nothing, period_s=30, spread=0)
    t0 = time.monotonic()
    stats = await sched.run_cycle()
    assert (stats.ok, stats.failed, stats.skipped) == (18, 2, 0)
    # Structure: the dead devices were polled concurrently with the rest, from the start of the cycle,
    # and each gave up after its one timeout (no retries) — not one after the other.
    dead_spans = [timed.spans[f"dead{i}"] for i in range(2)]
    assert all(start - t0 < timeout_s / 2 for start, _ in dead_spans)
    assert all(timeout_s * 0.9 <= end - start < timeout_s * 2 for start, end in dead_spans)
    # And the bound of the issue, with generous slack for a shared 2-core machine.
    assert stats.duration_s < healthy.duration_s + timeout_s + 1.5


class Sleeper:
    """A stub collector: each poll takes ``delay`` seconds (pure scheduling logic)."""

    name = "stub"
    malformed = 0

    def __init__(self, delay: float) -> None:
        self.delay = delay

    async def collect(self, target: Target) -> list[Point]:
        await asyncio.sleep(self.delay)
        return [Point(DEVICE_UP, target.tags, {"up": 1}, time.time_ns())]

    async def aclose(self) -> None:
        pass


def _jobs(inv: Inventory, collector: Sleeper, interval: float = 1.0) -> list[Job]:
    return [Job(Target.of(inv, d), collector, interval) for d in inv.devices.values()]


async def test_cycle_never_overruns_late_devices_skipped_and_counted(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _farm(tmp_path, snmpd, "127.0.0.1:9", 6, 0, 1.0)
    # One slot, polls of 0.3 s, a 1 s cycle: three fit, the others cannot start in time.
    sched = Scheduler(_jobs(inv, Sleeper(0.3)), _nothing, period_s=1.0, max_in_flight=1, spread=0, min_slot_s=0.25)
    stats = await sched.run_cycle()
    assert stats.ok + stats.skipped == 6
    assert stats.skipped >= 2 and stats.ok >= 2
    assert stats.duration_s < 1.0 + 0.2


async def test_poll_running_at_the_deadline_is_cut_off_and_reported_down(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _farm(tmp_path, snmpd, "127.0.0.1:9", 2, 0, 1.0)
    seen: list[Point] = []

    async def sink(points: list[Point]) -> None:
        seen.extend(points)

    stats = await Scheduler(_jobs(inv, Sleeper(5.0)), sink, period_s=0.5, spread=0).run_cycle()
    assert (stats.cut_off, stats.failed) == (2, 2)
    assert all(p.fields["up"] == 0 and "cut off" in str(p.fields["error"]) for p in seen)


async def test_per_device_interval_and_spread(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _farm(tmp_path, snmpd, "127.0.0.1:9", 4, 0, 1.0)
    jobs = _jobs(inv, Sleeper(0.0), interval=1.0)
    jobs[0].interval_s = 2.0  # this one every other cycle
    sched = Scheduler(jobs, _nothing, period_s=1.0, spread=0.0)
    due = []
    for n in range(4):
        stats = await sched.run_cycle(now=time.monotonic() + n * 1.0)
        due.append(stats.due)
    assert due == [4, 3, 4, 3]
    # Phase offsets are stable per job and spread over [0, 1).
    phases = {j.phase for j in jobs}
    assert len(phases) == 4 and all(0 <= p < 1 for p in phases)


async def test_long_jobs_run_beside_the_cycles_one_at_a_time(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _farm(tmp_path, snmpd, "127.0.0.1:9", 2, 0, 1.0)
    seen: list[Point] = []

    async def sink(points: list[Point]) -> None:
        seen.extend(points)

    jobs = _jobs(inv, Sleeper(0.0), interval=0.3)
    audit = Job(Target.of(inv, inv.devices["sw00"]), Sleeper(1.0), 2.0, detached=True)
    sched = Scheduler([*jobs, audit], sink, period_s=0.3, spread=0.0)
    first = await sched.run_cycle()
    second = await sched.run_cycle(now=time.monotonic() + 2.0)  # the long job is due again, still running
    # The 1 s job neither held the 0.3 s cycles nor was cut off by them; due again while running: skipped.
    assert first.duration_s < 0.3 + 0.2 and first.cut_off == 0
    assert second.skipped == 1
    await sched.wait_detached()
    assert sched.detached_done["ok"] == 1
    assert len(seen) == 2 * 2 + 1  # two cycles of the two short jobs, one long run
