"""What vendor modules share: the profile type, table helpers, point builders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from collectors.base import Target
from collectors.snmp.client import SnmpClient, text
from pdcs.points import HOST, WIRELESS, FieldValue, Point

Collect = Callable[[SnmpClient, Target, int], Awaitable[list[Point]]]
Stations = Callable[[SnmpClient], Awaitable[dict[bytes, str]]]  # station MAC → SSID


@dataclass(frozen=True)
class VendorProfile:
    name: str  # the `vendor` tag of wireless points
    prefixes: tuple[str, ...]  # sysObjectID prefixes
    collect: Collect
    # OID subtrees this profile reads (devstack's snmpsim trimming keeps these).
    subtrees: tuple[str, ...] = ()
    # The station table, for daily distinct clients (collectors/snmp/stations.py); None: not read.
    stations: Stations | None = None


async def ints(client: SnmpClient, column: str) -> dict[str, int]:
    return {k: v for k, v in (await client.walk(column)).items() if isinstance(v, int) and not isinstance(v, bool)}


async def texts(client: SnmpClient, column: str) -> dict[str, str]:
    return {k: text(v) for k, v in (await client.walk(column)).items()}


def split_index(index: str, head: int) -> tuple[str, str]:
    """Split a row index into its first ``head`` sub-identifiers and the rest."""
    parts = index.split(".")
    return ".".join(parts[:head]), ".".join(parts[head:])


def string_index(index: str) -> str:
    """Decode a length-prefixed OCTET STRING row index (``5.104.101.108.108.111`` → ``hello``)."""
    parts = [int(p) for p in index.split(".") if p]
    if not parts:
        return ""
    n = parts[0]
    return bytes(p & 0xFF for p in parts[1 : 1 + n]).decode("utf-8", errors="replace")


def wireless(target: Target, vendor: str, ts: int, fields: Mapping[str, FieldValue], **tags: str) -> Point:
    return Point(WIRELESS, {**target.tags, "vendor": vendor, **{k: v for k, v in tags.items() if v}}, dict(fields), ts)


def host(
    target: Target, ts: int, cpu_pct: float | None, mem_used_pct: float | None, disk_used_pct: float | None = None
) -> list[Point]:
    fields: dict[str, FieldValue] = {}
    if cpu_pct is not None and 0 <= cpu_pct <= 100:
        fields["cpu_pct"] = float(cpu_pct)
    if mem_used_pct is not None and 0 <= mem_used_pct <= 100:
        fields["mem_used_pct"] = round(float(mem_used_pct), 2)
    if disk_used_pct is not None and 0 <= disk_used_pct <= 100:
        fields["disk_used_pct"] = round(float(disk_used_pct), 2)
    return [Point(HOST, dict(target.tags), fields, ts)] if fields else []


def controller_points(
    target: Target,
    vendor: str,
    ts: int,
    *,
    aps: int | None,
    aps_up: int | None,
    clients: int | None,
    per_ap: Mapping[str, int],
    per_radio: Mapping[tuple[str, str], int],
    per_ssid: Mapping[str, int],
) -> list[Point]:
    """The wireless points of one controller (or standalone AP): totals, then per AP / radio / SSID."""
    total: dict[str, FieldValue] = {}
    if aps is not None:
        total["aps"] = aps
    if aps_up is not None:
        total["aps_up"] = aps_up
    if clients is None and per_ssid:
        clients = sum(per_ssid.values())
    if clients is None and per_ap:
        clients = sum(per_ap.values())
    if clients is not None:
        total["clients"] = clients
    points = [wireless(target, vendor, ts, total)] if total else []
    points += [wireless(target, vendor, ts, {"clients": n}, ap=ap) for ap, n in sorted(per_ap.items())]
    points += [
        wireless(target, vendor, ts, {"clients": n}, ap=ap, radio=radio) for (ap, radio), n in sorted(per_radio.items())
    ]
    points += [wireless(target, vendor, ts, {"clients": n}, ssid=ssid) for ssid, n in sorted(per_ssid.items())]
    return points
