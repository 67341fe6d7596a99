"""Ruijie switches: CPU (RUIJIE-PROCESS-MIB) and memory (RUIJIE-MEMORY-MIB).

Ruijie's wireless controller MIB (RUIJIE-AC-MGMT) is not read yet: its
column layout could not be confirmed against a recording here.
"""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.vendors.base import VendorProfile, host, ints
from pdcs.points import Point

CPU_1MIN = "1.3.6.1.4.1.4881.1.1.10.2.36.1.1.2.0"  # ruijieCPUUtilization1Min, %
MEM_USED_PCT = "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1.3"  # ruijieMemoryPoolCurrentUtilization, %


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    cpu = (await client.get([CPU_1MIN])).get(CPU_1MIN)
    mem = await ints(client, MEM_USED_PCT)
    return host(target, ts, cpu if isinstance(cpu, int) else None, max(mem.values()) if mem else None)


PROFILE = VendorProfile(
    name="ruijie",
    prefixes=("1.3.6.1.4.1.4881",),
    collect=collect,
    subtrees=("1.3.6.1.4.1.4881.1.1.10.2.36.1.1", "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1"),
)
