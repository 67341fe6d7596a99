"""Ruckus SmartZone / SmartCell Gateway controllers (RUCKUS-SZ-WLAN-MIB, RUCKUS-SCG-WLAN-MIB).

The SmartCell Gateway (SCG) publishes its WLAN and AP tables under
``25053.1.3.2.1.1``; SmartZone (SZ-100, vSZ, SZ-300) the same tables, same
columns, under ``25053.1.4.2.1.1``.  Both are tried, SmartZone first.

- AP table (``ruckus{SCG,SZ}APTable``, index the AP MAC): name (5), clients
  ``NumSta`` (15), ``ConnStatus`` (16) — a DisplayString, ``Connect`` when
  the AP is connected to the controller (``Disconnect`` otherwise);
- WLAN table (``ruckus{SCG,SZ}WLANTable``, index a WLAN number): SSID (1),
  clients ``NumSta`` (12).  The same SSID in several zones is several rows;
  their clients are summed per SSID.

The controller reports no per-radio client counts in these tables.  CPU and
memory of the controller are not in them either; read through
HOST-RESOURCES-MIB where the controller answers it.  Checked against the
snmpsim-data recording ``network/wifi/ruckus-smartcell-gateway`` (7,682 APs).
"""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.vendors import hostres
from collectors.snmp.vendors.base import VendorProfile, controller_points, ints, texts
from pdcs.points import Point

BASES = ("1.3.6.1.4.1.25053.1.4.2.1.1", "1.3.6.1.4.1.25053.1.3.2.1.1")  # SZ, SCG
WLAN_SSID = "1.2.1.1"
WLAN_STATIONS = "1.2.1.12"
AP_NAME = "2.2.1.5"
AP_STATIONS = "2.2.1.15"
AP_CONN_STATUS = "2.2.1.16"
CONNECTED = "connect"


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    points: list[Point] = []
    for base in BASES:
        names = await texts(client, f"{base}.{AP_NAME}")
        if not names:
            continue
        stations = await ints(client, f"{base}.{AP_STATIONS}")
        status = await texts(client, f"{base}.{AP_CONN_STATUS}")
        per_ap: dict[str, int] = {}
        for idx, n in stations.items():
            ap = names.get(idx) or idx
            per_ap[ap] = per_ap.get(ap, 0) + n
        ssids = await texts(client, f"{base}.{WLAN_SSID}")
        per_ssid: dict[str, int] = {}
        for idx, n in (await ints(client, f"{base}.{WLAN_STATIONS}")).items():
            ssid = ssids.get(idx) or idx
            per_ssid[ssid] = per_ssid.get(ssid, 0) + n
        points = controller_points(
            target, "ruckus", ts,
            aps=len(names), aps_up=sum(1 for v in status.values() if v.lower() == CONNECTED) if status else None,
            clients=sum(per_ap.values()), per_ap=per_ap, per_radio={}, per_ssid=per_ssid,
        )  # fmt: skip
        break
    return points + await hostres.collect(client, target, ts)


PROFILE = VendorProfile(
    name="ruckus",
    prefixes=("1.3.6.1.4.1.25053",),
    collect=collect,
    subtrees=tuple(f"{b}.{c}" for b in BASES for c in (WLAN_SSID, WLAN_STATIONS, AP_NAME, AP_STATIONS, AP_CONN_STATUS))
    + hostres.SUBTREES,
)
