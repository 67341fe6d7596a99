"""H3C (and Huawei-3Com): wireless controllers (H3C-DOT11-APMT-MIB) and switches (H3C-ENTITY-EXT-MIB).

H3C moved its private MIBs from the Huawei-3Com arc (2011.10) to its own
(25506); the same tables sit under either, so both bases are tried.
"""

from __future__ import annotations

from collectors.base import Target
from collectors.snmp.client import SnmpClient
from collectors.snmp.stations import mac_bytes
from collectors.snmp.vendors.base import VendorProfile, controller_points, host, ints, texts
from pdcs.points import Point

BASES = ("1.3.6.1.4.1.25506.2", "1.3.6.1.4.1.2011.10.2")
# h3cDot11APOperationStatus (H3C-DOT11-APMT-MIB): join(1), joinConfirm(2),
# download(3), config(4), run(5) — only an AP in run(5) serves clients.
AP_OPER_STATUS = "75.2.1.1.1.4"
AP_RUN = 5
CURR_AP_NAME = "75.2.1.2.1.6"  # h3cDot11CurrAPTemplateName
CURR_AP_STATIONS = "75.2.1.2.1.7"  # h3cDot11CurrAPStationAssocCount
STATION_SSID = "75.3.1.1.1.12"  # h3cDot11StationSSIDName, one row per station
ENTITY_CPU = "6.1.1.1.1.6"  # h3cEntityExtCpuUsage, per board
ENTITY_MEM = "6.1.1.1.1.8"  # h3cEntityExtMemUsage


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    points: list[Point] = []
    for base in BASES:
        names = await texts(client, f"{base}.{CURR_AP_NAME}")
        if not names:
            continue
        stations = await ints(client, f"{base}.{CURR_AP_STATIONS}")
        status = await ints(client, f"{base}.{AP_OPER_STATUS}")
        per_ap = {names.get(idx, idx): n for idx, n in stations.items()}
        per_ssid: dict[str, int] = {}
        for ssid in (await texts(client, f"{base}.{STATION_SSID}")).values():
            per_ssid[ssid] = per_ssid.get(ssid, 0) + 1
        points = controller_points(
            target, "h3c", ts,
            aps=len(names), aps_up=sum(1 for v in status.values() if v == AP_RUN) if status else None,
            clients=sum(per_ap.values()), per_ap=per_ap, per_radio={}, per_ssid=per_ssid,
        )  # fmt: skip
        break
    for base in BASES:
        cpu = [v for v in (await ints(client, f"{base}.{ENTITY_CPU}")).values() if 0 < v <= 100]
        mem = [v for v in (await ints(client, f"{base}.{ENTITY_MEM}")).values() if 0 < v <= 100]
        if cpu or mem:
            return points + host(target, ts, max(cpu) if cpu else None, max(mem) if mem else None)
    return points


async def stations(client: SnmpClient) -> dict[bytes, str]:
    """Associated stations (h3cDot11StationAssociateTable, indexed by the station MAC): MAC → SSID."""
    for base in BASES:
        rows = await texts(client, f"{base}.{STATION_SSID}")
        if rows:
            return {mac_bytes(idx): ssid for idx, ssid in rows.items()}
    return {}


PROFILE = VendorProfile(
    name="h3c",
    prefixes=("1.3.6.1.4.1.25506", "1.3.6.1.4.1.2011.10"),
    collect=collect,
    subtrees=tuple(f"{b}.{c}" for b in BASES for c in ("75.2.1.1.1", "75.2.1.2.1", "75.3.1.1.1.12", "6.1.1.1.1")),
    stations=stations,
)
