"""Item 8 of issue 15: one slow device never delays the other devices' polls; failures say why.

Before: with ``--interval 5`` a device answering after 20 s made the next cycle start 10 s
later (the cut-off waited for the poll to unwind), and the failure list said only
``failed: t-slow/snmp``. Here a device whose poll swallows its cancellation for 3 s sits
beside a real SNMP device (net-snmp): over 3 s of 0.5 s cycles the healthy device is polled
in (nearly) every cycle, the slow one is reported cut off and then "previous poll still
running" — never started twice — and each failure names its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from collectors.base import Target
from collectors.scheduler import CycleStats, Job, Scheduler
from collectors.snmp.collector import SnmpCollector
from devstack.snmpd import SnmpdServer
from pdcs.points import DEVICE_UP, Point
from tests.collectors.conftest import make_inventory, snmpd_secrets, v2c_profile


class Stubborn:
    """A poll that takes ``seconds`` and ignores cancellation meanwhile (a library swallowing it)."""

    name = "snmp"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most_at_once = 0

    @property
    def malformed(self) -> int:
        return 0

    async def aclose(self) -> None:
        return None

    async def collect(self, target: Target) -> list[Point]:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        end = time.monotonic() + self.seconds
        try:
            while time.monotonic() < end:
                with contextlib.suppress(asyncio.CancelledError):  # a library swallowing it
                    await asyncio.sleep(end - time.monotonic())
        finally:
            self.running -= 1
        return [Point(DEVICE_UP, target.tags, {"up": 1}, time.time_ns())]


async def test_a_slow_device_keeps_the_grid(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = make_inventory(
        tmp_path,
        [{"id": "t-ok", "address": snmpd.address, "snmp_profile": "v2c"},
         {"id": "t-slow", "address": snmpd.address, "snmp_profile": "v2c"}],
        [v2c_profile(timeout_s=0.3, retries=0)],
        snmpd_secrets(snmpd),
    )  # fmt: skip
    slow = Stubborn(3.0)
    jobs = [
        Job(Target.of(inv, inv.devices["t-ok"]), SnmpCollector(inv.snmp_profiles), 0.5),
        Job(Target.of(inv, inv.devices["t-slow"]), slow, 0.5),
    ]
    polled: list[Point] = []

    async def sink(points: list[Point]) -> None:
        polled.extend(points)

    cycles: list[CycleStats] = []

    async def on_cycle(stats: CycleStats) -> None:
        cycles.append(stats)

    sched = Scheduler(jobs, sink, period_s=0.5, spread=0)
    stop = asyncio.Event()
    runner = asyncio.create_task(sched.run_forever(stop, on_cycle))
    await asyncio.sleep(3.2)
    stop.set()
    await runner

    ok_polls = [p for p in polled if p.tags["device"] == "t-ok" and p.measurement == DEVICE_UP]
    assert len(cycles) >= 5  # six grid slots in 3.2 s; with the bug, two
    assert len(ok_polls) >= len(cycles) - 1 and all(p.fields["up"] == 1 for p in ok_polls)
    assert slow.most_at_once == 1  # a device is never polled twice at once
    reasons = [c.reasons.get("t-slow/snmp", "") for c in cycles]
    assert reasons[0] == "timeout: poll cut off at the cycle deadline"
    assert "timeout: previous poll still running (cut off at an earlier deadline)" in reasons
    assert all(c.duration_s < 0.5 + 0.25 for c in cycles)
