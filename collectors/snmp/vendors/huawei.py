"""Huawei: WLAN access controllers (HUAWEI-WLAN-AP/RADIO/VAP MIBs) and switches (HUAWEI-ENTITY-EXTENT-MIB)."""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient, text
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, split_index, texts
from pdcs.points import Point

WLAN = "1.3.6.1.4.1.2011.6.139"
AP_COUNT = f"{WLAN}.12.1.5.7.0"  # hwWlanApCount
AP_NORMAL = f"{WLAN}.12.1.5.6.0"  # hwWlanServiceNormalAPCount
STA_COUNT = f"{WLAN}.12.1.2.2.0"  # hwWlanCurAssocStaNum
RADIO_AP_NAME = f"{WLAN}.16.1.2.1.3"  # hwWlanRadioInfoApName, index AP MAC (6) . radio id
RADIO_CLIENTS = f"{WLAN}.16.1.2.1.40"  # online stations on the radio
VAP_SSID = f"{WLAN}.17.1.1.1.4"  # SSID of a VAP, index AP MAC . radio . WLAN id
VAP_CLIENTS = f"{WLAN}.17.1.1.1.9"  # online stations on the VAP
# hwWlanStationTable (HUAWEI-WLAN-STATION-MIB), index hwWlanStaMac (6): hwWlanStaSsid (18).
STA_SSID = f"{WLAN}.18.1.2.1.18"
ENTITY_CPU = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5"  # hwEntityCpuUsage, per board
ENTITY_MEM = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7"  # hwEntityMemUsage


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    points: list[Point] = []
    totals = await client.get([AP_COUNT, AP_NORMAL, STA_COUNT])
    if isinstance(totals.get(AP_COUNT), int):
        names = await texts(client, RADIO_AP_NAME)
        per_ap: dict[str, int] = {}
        per_radio: dict[tuple[str, str], int] = {}
        for idx, n in (await ints(client, RADIO_CLIENTS)).items():
            mac, radio = split_index(idx, 6)
            ap = names.get(idx) or mac
            per_ap[ap] = per_ap.get(ap, 0) + n
            per_radio[(ap, radio)] = n
        # A large AC has ten thousand VAPs, most without clients: walk the client counts, then GET
        # the SSID of the VAPs that have some (SSIDs without clients get no point).
        busy = {idx: n for idx, n in (await ints(client, VAP_CLIENTS)).items() if n > 0}
        per_ssid: dict[str, int] = {}
        indexes = sorted(busy)
        for i in range(0, len(indexes), 32):
            chunk = indexes[i : i + 32]
            names_ = await client.get([f"{VAP_SSID}.{idx}" for idx in chunk])
            for idx in chunk:
                ssid = text(names_.get(f"{VAP_SSID}.{idx}"))
                if ssid:
                    per_ssid[ssid] = per_ssid.get(ssid, 0) + busy[idx]
        aps, up, sta = totals.get(AP_COUNT), totals.get(AP_NORMAL), totals.get(STA_COUNT)
        points = controller_points(
            target, "huawei", ts,
            aps=aps if isinstance(aps, int) else None, aps_up=up if isinstance(up, int) else None,
            clients=sta if isinstance(sta, int) else None, per_ap=per_ap, per_radio=per_radio, per_ssid=per_ssid,
        )  # fmt: skip
    cpu = [v for v in (await ints(client, ENTITY_CPU)).values() if 0 < v <= 100]
    mem = [v for v in (await ints(client, ENTITY_MEM)).values() if 0 < v <= 100]
    return points + host(target, ts, max(cpu) if cpu else None, max(mem) if mem else None)


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Online stations (hwWlanStationTable): MAC → SSID."""
    return {mac_bytes(idx): ssid for idx, ssid in (await texts(client, STA_SSID)).items()}


PROFILE = VendorProfile(
    name="huawei",
    prefixes=("1.3.6.1.4.1.2011.2",),
    collect=collect,
    subtrees=(f"{WLAN}.12.1", f"{WLAN}.16.1.2.1.3", f"{WLAN}.16.1.2.1.40", f"{WLAN}.17.1.1.1.4",
              f"{WLAN}.17.1.1.1.9", "1.3.6.1.4.1.2011.5.25.31.1.1.1.1", STA_SSID),
    stations=stations,
)  # fmt: skip
