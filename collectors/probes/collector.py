"""``ServiceProbeCollector``: a device's service probes → ``service_probe`` points.

One job per device that has probes (their shortest ``interval_s``); every
probe of the device runs at once.  A probe with ``device_up: true`` also
writes the device's ``device_up`` with ``source`` = its kind (``http``,
``tcp``, ``dns``), for devices that answer nothing else — so availability,
alerts and dashboards use it like any poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from collectors.base import Target
from collectors.probes.checks import ProbeResult, run
from collectors.probes.spec import ProbeSpec
from pdcs.points import DEVICE_UP, SERVICE_PROBE, FieldValue, Point


def probe_points(spec: ProbeSpec, result: ProbeResult, tags: dict[str, str], ts: int) -> list[Point]:
    fields: dict[str, FieldValue] = {"up": int(result.up)}
    for name in ("latency_ms", "status_code", "cert_days_left", "error"):
        value = getattr(result, name)
        if value is not None:
            fields[name] = value
    ptags = {**tags, "service": spec.name, "url": spec.target, "probe": spec.kind}
    points = [Point(SERVICE_PROBE, ptags, fields, ts)]
    if spec.device_up:
        up: dict[str, FieldValue] = {"up": int(result.up)}
        if result.latency_ms is not None:
            up["rtt_ms"] = result.latency_ms
        if result.error:
            up["error"] = result.error
        points.append(Point(DEVICE_UP, {**tags, "source": spec.kind}, up, ts))
    return points


class ServiceProbeCollector:
    name = "probe"
    malformed = 0

    def __init__(self, probes: Iterable[ProbeSpec]) -> None:
        self.by_device: dict[str, list[ProbeSpec]] = {}
        for spec in probes:
            self.by_device.setdefault(spec.device, []).append(spec)

    def interval_of(self, device_id: str) -> float:
        return min(s.interval_s for s in self.by_device[device_id])

    async def collect(self, target: Target) -> list[Point]:
        specs = self.by_device.get(target.device.id, [])
        ts = time.time_ns()
        results = await asyncio.gather(*(run(s) for s in specs))
        return [p for s, r in zip(specs, results, strict=True) for p in probe_points(s, r, target.tags, ts)]

    async def aclose(self) -> None:
        return None
