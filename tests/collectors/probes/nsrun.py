"""Run inside the test's "probe" namespace: probe what the test names, print the points as JSON lines.

``python -m tests.collectors.probes.nsrun SPEC_JSON`` — SPEC_JSON: {"icmp": {device: address},
"probes": [ProbeSpec…], "timeout_s": …}.
"""

from __future__ import annotations

import asyncio
import json
import sys

from collectors.base import Target
from collectors.probes.collector import ServiceProbeCollector
from collectors.probes.icmp import IcmpCollector
from collectors.probes.spec import ProbeSpec
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory
from pdcs.points import Point


def main() -> None:
    spec = json.loads(sys.argv[1])
    names = set(spec["icmp"]) | {p["device"] for p in spec["probes"]}
    fac = Facility(id="fac1", name="测试馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    devices = {
        d: Device(id=d, kind=DeviceKind.KIOSK, facility="fac1", address=spec["icmp"].get(d, "10.0.0.0")) for d in names
    }
    inv = Inventory(facilities={"fac1": fac}, devices=devices)
    icmp = IcmpCollector(timeout_s=spec.get("timeout_s", 1.0))
    probes = ServiceProbeCollector([ProbeSpec.model_validate(p) for p in spec["probes"]])

    async def go() -> list[list[Point]]:
        jobs = [icmp.collect(Target.of(inv, inv.devices[d])) for d in spec["icmp"]]
        jobs += [probes.collect(Target.of(inv, inv.devices[d])) for d in sorted(probes.by_device)]
        return list(await asyncio.gather(*jobs))

    for points in asyncio.run(go()):
        for p in points:
            print(json.dumps({"m": p.measurement, "tags": p.tags, "fields": p.fields}, ensure_ascii=False))


if __name__ == "__main__":
    main()
