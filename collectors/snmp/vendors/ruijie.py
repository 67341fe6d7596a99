"""Ruijie: wireless controllers (RUIJIE-AC-MGMT-MIB) and switches (RUIJIE-PROCESS/MEMORY-MIB).

On a controller: APs online and offline, and clients per AP (the AP table's
station count).  Clients per radio and per SSID are not read: their columns
could not be confirmed against a recording here.
"""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, texts
from pdcs.points import Point

AC = "1.3.6.1.4.1.4881.1.1.10.2.56"
APS_ONLINE = f"{AC}.1.1.11.0"  # APs joined to this AC
APS_OFFLINE = f"{AC}.1.1.80.0"
AP_NAME = f"{AC}.2.1.1.1.2"  # index: AP MAC (6)
AP_STATIONS = f"{AC}.2.1.1.1.34"  # stations attached to the AP
CPU_1MIN = "1.3.6.1.4.1.4881.1.1.10.2.36.1.1.2.0"  # ruijieCPUUtilization1Min, %
MEM_USED_PCT = "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1.3"  # ruijieMemoryPoolCurrentUtilization, %


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    points: list[Point] = []
    scal = await client.get([APS_ONLINE, APS_OFFLINE, CPU_1MIN])
    online, offline = scal.get(APS_ONLINE), scal.get(APS_OFFLINE)
    if isinstance(online, int):
        names = await texts(client, AP_NAME)
        per_ap: dict[str, int] = {}
        for idx, n in (await ints(client, AP_STATIONS)).items():
            ap = names.get(idx, idx)
            per_ap[ap] = per_ap.get(ap, 0) + n
        points = controller_points(
            target, "ruijie", ts,
            aps=online + (offline if isinstance(offline, int) else 0), aps_up=online,
            clients=sum(per_ap.values()), per_ap=per_ap, per_radio={}, per_ssid={},
        )  # fmt: skip
    cpu = scal.get(CPU_1MIN)
    mem = await ints(client, MEM_USED_PCT)
    return points + host(target, ts, cpu if isinstance(cpu, int) else None, max(mem.values()) if mem else None)


PROFILE = VendorProfile(
    name="ruijie",
    prefixes=("1.3.6.1.4.1.4881",),
    collect=collect,
    subtrees=(f"{AC}.1.1.11", f"{AC}.1.1.80", AP_NAME, AP_STATIONS,
              "1.3.6.1.4.1.4881.1.1.10.2.36.1.1", "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1"),
)  # fmt: skip
