"""Aruba mobility controllers (WLSX-SWITCH-MIB, WLSX-WLAN-MIB)."""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, split_index, string_index, texts
from pdcs.points import Point

WLAN = "1.3.6.1.4.1.14823.2.2.1.5.2.1"
TOTAL_APS = f"{WLAN}.1.0"  # wlsxWlanTotalNumAccessPoints
TOTAL_STATIONS = f"{WLAN}.2.0"  # wlsxWlanTotalNumStationsAssociated
AP_NAME = f"{WLAN}.4.1.3"  # wlanAPName, index AP MAC (6)
AP_STATUS = f"{WLAN}.4.1.19"  # wlanAPStatus: 1 up, 2 down
RADIO_CLIENTS = f"{WLAN}.5.1.7"  # wlanAPRadioNumAssociatedClients, index AP MAC . radio
ESSID_STATIONS = f"{WLAN}.8.1.2"  # wlanESSIDNumStations, index ESSID (length-prefixed)
STA_ESSID = "1.3.6.1.4.1.14823.2.2.1.5.2.2.1.1.12"  # wlanStaAccessPointESSID, index station MAC (6)
CPU_LOAD = "1.3.6.1.4.1.14823.2.2.1.1.1.9.1.3"  # wlsxSysXProcessorLoad, %
MEM_TOTAL = "1.3.6.1.4.1.14823.2.2.1.1.1.11.1.2"  # wlsxSysXMemorySize
MEM_USED = "1.3.6.1.4.1.14823.2.2.1.1.1.11.1.3"


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    totals = await client.get([TOTAL_APS, TOTAL_STATIONS])
    names = await texts(client, AP_NAME)
    status = await ints(client, AP_STATUS)
    per_ap: dict[str, int] = {}
    per_radio: dict[tuple[str, str], int] = {}
    for idx, n in (await ints(client, RADIO_CLIENTS)).items():
        mac, radio = split_index(idx, 6)
        ap = names.get(mac, mac)
        per_ap[ap] = per_ap.get(ap, 0) + n
        per_radio[(ap, radio)] = n
    per_ssid = {string_index(idx): n for idx, n in (await ints(client, ESSID_STATIONS)).items()}
    aps, clients = totals.get(TOTAL_APS), totals.get(TOTAL_STATIONS)
    points = controller_points(
        target, "aruba", ts,
        aps=aps if isinstance(aps, int) else len(names) or None,
        aps_up=sum(1 for v in status.values() if v == 1) if status else None,
        clients=clients if isinstance(clients, int) else None,
        per_ap=per_ap, per_radio=per_radio, per_ssid=per_ssid,
    )  # fmt: skip
    cpu = await ints(client, CPU_LOAD)
    total, used = await ints(client, MEM_TOTAL), await ints(client, MEM_USED)
    mem = None
    if total and used and sum(total.values()):
        mem = sum(used.values()) * 100 / sum(total.values())
    return points + host(target, ts, max(cpu.values()) if cpu else None, mem)


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Associated stations (wlsxWlanStationTable): MAC → ESSID."""
    return {mac_bytes(idx): essid for idx, essid in (await texts(client, STA_ESSID)).items()}


PROFILE = VendorProfile(
    name="aruba",
    prefixes=("1.3.6.1.4.1.14823",),
    collect=collect,
    subtrees=(WLAN, STA_ESSID, "1.3.6.1.4.1.14823.2.2.1.1.1.9", "1.3.6.1.4.1.14823.2.2.1.1.1.11"),
    stations=stations,
)
