"""HOST-RESOURCES-MIB (RFC 2790): CPU, memory and disk of a device no vendor profile matches.

Servers, NAS boxes, firewalls and Linux-based appliances answer the standard
host MIB even when pdcs has no profile for their vendor, so an unmatched
device still yields ``host`` figures:

- ``cpu_pct``: the mean of ``hrProcessorLoad`` over the processors (RFC 2790:
  "the average, over the last minute, of the percentage of time that this
  processor was not idle");
- ``mem_used_pct``: ``hrStorageUsed / hrStorageSize`` of the ``hrStorageRam``
  row.  net-snmp on Linux counts buffers and page cache as used there and lists
  them in their own rows ("Memory buffers", "Cached memory"); those are taken
  off, as ``free`` does, so a healthy Linux box does not read 95 % used;
- ``disk_used_pct``: the fullest ``hrStorageFixedDisk`` with a size.
"""

from __future__ import annotations

from collections.abc import Mapping

from collectors.base import Target
from collectors.snmp.client import SnmpClient, text
from collectors.snmp.vendors.base import host, ints, texts
from pdcs.points import Point

PROCESSOR_LOAD = "1.3.6.1.2.1.25.3.3.1.2"  # hrProcessorLoad, % per processor
STORAGE = "1.3.6.1.2.1.25.2.3.1"  # hrStorageEntry
STORAGE_TYPE = f"{STORAGE}.2"
STORAGE_DESCR = f"{STORAGE}.3"
STORAGE_SIZE = f"{STORAGE}.5"  # in allocation units (the unit size cancels out in a ratio)
STORAGE_USED = f"{STORAGE}.6"
TYPE_RAM = "1.3.6.1.2.1.25.2.1.2"  # hrStorageRam
TYPE_FIXED_DISK = "1.3.6.1.2.1.25.2.1.4"  # hrStorageFixedDisk
NET_SNMP_RECLAIMABLE = ("Memory buffers", "Cached memory")  # net-snmp's Linux rows (hrStorageOther)

SUBTREES = (PROCESSOR_LOAD, STORAGE_TYPE, STORAGE_DESCR, STORAGE_SIZE, STORAGE_USED)


def _pct(used: int, size: int) -> float | None:
    return used * 100 / size if size > 0 and 0 <= used <= size else None


def memory_pct(types: Mapping[str, str], descrs: Mapping[str, str], size: Mapping[str, int],
               used: Mapping[str, int]) -> float | None:  # fmt: skip
    ram = [i for i, t in types.items() if t == TYPE_RAM and size.get(i)]
    if not ram:
        return None
    total = sum(size[i] for i in ram)
    taken = sum(used.get(i, 0) for i in ram)
    reclaimable = [i for i, d in descrs.items() if d in NET_SNMP_RECLAIMABLE and i not in ram]
    if len(reclaimable) == len(NET_SNMP_RECLAIMABLE):
        taken -= sum(used.get(i, 0) for i in reclaimable)
    return _pct(max(taken, 0), total)


def disk_pct(types: Mapping[str, str], size: Mapping[str, int], used: Mapping[str, int]) -> float | None:
    shares = [_pct(used.get(i, 0), size[i]) for i, t in types.items() if t == TYPE_FIXED_DISK and size.get(i)]
    known = [s for s in shares if s is not None]
    return max(known) if known else None


async def collect(client: SnmpClient, target: Target, ts: int) -> list[Point]:
    """``host`` points from HOST-RESOURCES-MIB; none when the device does not answer it."""
    loads = [v for v in (await ints(client, PROCESSOR_LOAD)).values() if 0 <= v <= 100]
    types = {k: text(v).lstrip(".") for k, v in (await client.walk(STORAGE_TYPE)).items()}
    mem = disk = None
    if types:
        descrs = await texts(client, STORAGE_DESCR)
        size, used = await ints(client, STORAGE_SIZE), await ints(client, STORAGE_USED)
        mem, disk = memory_pct(types, descrs, size, used), disk_pct(types, size, used)
    cpu = sum(loads) / len(loads) if loads else None
    return host(target, ts, round(cpu, 2) if cpu is not None else None, mem, disk)
