"""Ubiquiti airMAX access points (UBNT-AirMAX-MIB): clients per SSID on the AP itself."""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, ints, split_index, texts
from pdcs.points import Point

WL_STAT_SSID = "1.3.6.1.4.1.41112.1.4.5.1.2"  # ubntWlStatSsid
WL_STAT_STA_COUNT = "1.3.6.1.4.1.41112.1.4.5.1.15"  # ubntWlStatStaCount
STA_MAC = "1.3.6.1.4.1.41112.1.4.7.1.1"  # ubntStaMac, ubntStaTable index ubntWlStatIndex . ubntStaMac (6)


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    ssids = await texts(client, WL_STAT_SSID)
    counts = await ints(client, WL_STAT_STA_COUNT)
    per_ssid: dict[str, int] = {}
    for idx, n in counts.items():
        ssid = ssids.get(idx, idx)
        per_ssid[ssid] = per_ssid.get(ssid, 0) + n
    if not per_ssid:
        return []
    ap = target.device.name or target.device.id
    return controller_points(
        target, "ubiquiti", ts, aps=None, aps_up=None, clients=sum(per_ssid.values()),
        per_ap={ap: sum(per_ssid.values())}, per_radio={}, per_ssid=per_ssid,
    )  # fmt: skip


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Associated stations (ubntStaTable): MAC → SSID of the wireless interface they are on."""
    rows = await client.walk(STA_MAC)
    if not rows:
        return {}
    ssids = await texts(client, WL_STAT_SSID)
    out = {}
    for idx in rows:
        wl, mac = split_index(idx, 1)
        out[mac_bytes(mac)] = ssids.get(wl, "")
    return out


PROFILE = VendorProfile(
    name="ubiquiti",
    prefixes=("1.3.6.1.4.1.41112",),
    collect=collect,
    subtrees=("1.3.6.1.4.1.41112.1.4.5.1", STA_MAC),
    stations=stations,
)
