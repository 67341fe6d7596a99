"""Cisco: wireless LAN controllers (AIRESPACE-WIRELESS-MIB) and IOS switches (CISCO-PROCESS/MEMORY-POOL-MIB)."""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, split_index, texts
from pdcs.points import Point

AIRESPACE = "1.3.6.1.4.1.14179"
BSN_AP_NAME = "1.3.6.1.4.1.14179.2.2.1.1.3"  # index: AP MAC (6)
BSN_AP_OPER_STATUS = "1.3.6.1.4.1.14179.2.2.1.1.6"  # 1 associated
BSN_AP_IF_USERS = "1.3.6.1.4.1.14179.2.2.2.1.15"  # index: AP MAC (6) . slot
BSN_ESS_SSID = "1.3.6.1.4.1.14179.2.1.1.1.2"
BSN_ESS_STATIONS = "1.3.6.1.4.1.14179.2.1.1.1.38"
# bsnMobileStationTable (AIRESPACE-WIRELESS-MIB), index bsnMobileStationMacAddress (6):
# bsnMobileStationSsid (7) and bsnMobileStationStatus (9): idle(0), aaaPending(1), authenticated(2),
# associated(3), powersave(4), disassociated(5), tobedeleted(6), probing(7), excluded(8).
BSN_STA_SSID = "1.3.6.1.4.1.14179.2.1.4.1.7"
BSN_STA_STATUS = "1.3.6.1.4.1.14179.2.1.4.1.9"
STA_CONNECTED = (2, 3, 4)
AGENT_CPU = "1.3.6.1.4.1.14179.1.1.5.1.0"  # agentCurrentCPUUtilization, %
AGENT_MEM_TOTAL = "1.3.6.1.4.1.14179.1.1.5.2.0"  # KB
AGENT_MEM_FREE = "1.3.6.1.4.1.14179.1.1.5.3.0"

CPM_CPU_1MIN = "1.3.6.1.4.1.9.9.109.1.1.1.1.7"  # cpmCPUTotal1minRev
MEM_POOL_USED = "1.3.6.1.4.1.9.9.48.1.1.1.5"  # ciscoMemoryPoolUsed; row 1 = processor
MEM_POOL_FREE = "1.3.6.1.4.1.9.9.48.1.1.1.6"


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    names = await texts(client, BSN_AP_NAME)
    if not names:
        return await _ios(client, target, ts)
    status = await ints(client, BSN_AP_OPER_STATUS)
    users = await ints(client, BSN_AP_IF_USERS)
    ssids = await texts(client, BSN_ESS_SSID)
    stations = await ints(client, BSN_ESS_STATIONS)
    per_ap: dict[str, int] = {}
    per_radio: dict[tuple[str, str], int] = {}
    for idx, n in users.items():
        mac, slot = split_index(idx, 6)
        ap = names.get(mac, mac)
        per_ap[ap] = per_ap.get(ap, 0) + n
        per_radio[(ap, slot)] = n
    per_ssid: dict[str, int] = {}
    for idx, n in stations.items():
        ssid = ssids.get(idx, idx)
        per_ssid[ssid] = per_ssid.get(ssid, 0) + n
    points = controller_points(
        target, "cisco", ts,
        aps=len(names), aps_up=sum(1 for v in status.values() if v == 1), clients=sum(per_ssid.values()),
        per_ap=per_ap, per_radio=per_radio, per_ssid=per_ssid,
    )  # fmt: skip
    scal = await client.get([AGENT_CPU, AGENT_MEM_TOTAL, AGENT_MEM_FREE])
    cpu, total, free = scal.get(AGENT_CPU), scal.get(AGENT_MEM_TOTAL), scal.get(AGENT_MEM_FREE)
    mem = (total - free) * 100 / total if isinstance(total, int) and isinstance(free, int) and total else None
    return points + host(target, ts, cpu if isinstance(cpu, int) else None, mem)


async def _ios(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    cpu = await ints(client, CPM_CPU_1MIN)
    used, free = await ints(client, MEM_POOL_USED), await ints(client, MEM_POOL_FREE)
    mem = None
    if "1" in used and "1" in free and used["1"] + free["1"]:
        mem = used["1"] * 100 / (used["1"] + free["1"])
    return host(target, ts, max(cpu.values()) if cpu else None, mem)


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Connected stations of the bsnMobileStationTable (authenticated, associated, power-save): MAC → SSID."""
    ssids = await texts(client, BSN_STA_SSID)
    if not ssids:
        return {}
    status = await ints(client, BSN_STA_STATUS)
    return {mac_bytes(idx): ssid for idx, ssid in ssids.items() if status.get(idx, 3) in STA_CONNECTED}


PROFILE = VendorProfile(
    name="cisco",
    prefixes=("1.3.6.1.4.1.9", AIRESPACE),
    collect=collect,
    subtrees=("1.3.6.1.4.1.14179.2.2.1.1", "1.3.6.1.4.1.14179.2.2.2.1", "1.3.6.1.4.1.14179.2.1.1.1",
              "1.3.6.1.4.1.14179.1.1.5", "1.3.6.1.4.1.9.9.109.1.1.1.1", "1.3.6.1.4.1.9.9.48.1.1.1",
              BSN_STA_SSID, BSN_STA_STATUS),
    stations=stations,
)  # fmt: skip
