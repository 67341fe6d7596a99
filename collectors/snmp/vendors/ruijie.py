"""Ruijie: wireless controllers (RUIJIE-AC-MGMT-MIB) and switches (RUIJIE-PROCESS/MEMORY-MIB).

On a controller: APs online and offline, clients per AP (the AP table's
station count), per radio (the station table: each associated station's AP MAC
and radio id, counted) and per SSID (the WLAN table's station count, named by
the WLAN's SSID; one SSID in several WLANs is summed).  Column numbers from
RUIJIE-AC-MGMT-MIB (ruijieStaApMacAddr 2, ruijieStaApRadioId 7;
ruijieWlanStaNum 13, ruijieWlanWlanSsid 1 of the WLAN SSID table), checked
against the snmpsim-data recording ``network/wifi/ruijie-m18000``.
"""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, texts
from pdcs.points import Point

AC = "1.3.6.1.4.1.4881.1.1.10.2.56"
APS_ONLINE = f"{AC}.1.1.11.0"  # APs joined to this AC
APS_OFFLINE = f"{AC}.1.1.80.0"
AP_NAME = f"{AC}.2.1.1.1.2"  # index: AP MAC (6)
AP_STATIONS = f"{AC}.2.1.1.1.34"  # stations attached to the AP
CPU_1MIN = "1.3.6.1.4.1.4881.1.1.10.2.36.1.1.2.0"  # ruijieCPUUtilization1Min, %
MEM_USED_PCT = "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1.3"  # ruijieMemoryPoolCurrentUtilization, %
WLAN_STATIONS = f"{AC}.4.1.1.1.13"  # ruijieWlanStaNum, index WLAN id
WLAN_SSID = f"{AC}.4.1.2.1.1"  # ruijieWlanWlanSsid, index WLAN id
STA_AP_MAC = f"{AC}.5.1.1.1.2"  # ruijieStaApMacAddr, index station MAC
STA_RADIO = f"{AC}.5.1.1.1.7"  # ruijieStaApRadioId
STA_WLAN = f"{AC}.5.1.1.1.4"  # ruijieStaWlanId (the station's WLAN; its SSID from the WLAN SSID table)


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
            clients=sum(per_ap.values()), per_ap=per_ap,
            per_radio=await _per_radio(client, names), per_ssid=await _per_ssid(client),
        )  # fmt: skip
    cpu = scal.get(CPU_1MIN)
    mem = await ints(client, MEM_USED_PCT)
    return points + host(target, ts, cpu if isinstance(cpu, int) else None, max(mem.values()) if mem else None)


async def _per_radio(client: SnmpClient, names: dict[str, str]) -> dict[tuple[str, str], int]:
    """Stations counted by (AP name, radio id); the AP is found by its MAC, the AP table's index."""
    macs = await client.walk(STA_AP_MAC)
    radios = await ints(client, STA_RADIO)
    out: dict[tuple[str, str], int] = {}
    for sta, mac in macs.items():
        if not isinstance(mac, bytes) or len(mac) != 6 or sta not in radios:
            continue
        idx = ".".join(str(b) for b in mac)
        key = (names.get(idx, idx), str(radios[sta]))
        out[key] = out.get(key, 0) + 1
    return out


async def _per_ssid(client: SnmpClient) -> dict[str, int]:
    ssids = await texts(client, WLAN_SSID)
    out: dict[str, int] = {}
    for wlan, n in (await ints(client, WLAN_STATIONS)).items():
        ssid = ssids.get(wlan) or f"wlan{wlan}"
        out[ssid] = out.get(ssid, 0) + n
    return out


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Associated stations (ruijieStaTable, indexed by ruijieStaMacAddr): MAC → SSID of its WLAN."""
    wlans = await ints(client, STA_WLAN)
    if not wlans:
        return {}
    ssids = await texts(client, WLAN_SSID)
    return {mac_bytes(idx): ssids.get(str(w)) or f"wlan{w}" for idx, w in wlans.items()}


PROFILE = VendorProfile(
    name="ruijie",
    prefixes=("1.3.6.1.4.1.4881",),
    collect=collect,
    subtrees=(f"{AC}.1.1.11", f"{AC}.1.1.80", AP_NAME, AP_STATIONS, WLAN_STATIONS, WLAN_SSID, STA_AP_MAC, STA_RADIO,
              STA_WLAN, "1.3.6.1.4.1.4881.1.1.10.2.36.1.1", "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1"),
    stations=stations,
)  # fmt: skip
