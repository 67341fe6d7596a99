"""Read the IF-MIB interface table of one device: names, status, octet counters, speed.

64-bit counters (ifXTable ifHCIn/OutOctets) first; a device without them is
read through the 32-bit ifTable counters.  Speed per interface: ifHighSpeed
(Mbit/s) when it is above 0, else ifSpeed (bit/s) — many agents report
ifHighSpeed 0 for interfaces slower than 1 Mbit/s or for ones they never filled
in, while ifSpeed holds the real figure (RFC 2863: ifHighSpeed is ifSpeed in
Mbit/s, rounded; ifSpeed saturates at 4,294,967,295 above 4.29 Gbit/s).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from collectors.snmp import oids
from collectors.snmp.client import SnmpClient, text


class InterfaceSample(NamedTuple):
    ifindex: str
    name: str  # ifName, else ifDescr
    descr: str
    oper_up: int | None
    in_octets: int | None
    out_octets: int | None
    counter_bits: int  # 64 or 32
    speed_bps: int | None


def _ints(values: Mapping[str, object]) -> dict[str, int]:
    return {k: v for k, v in values.items() if isinstance(v, int) and not isinstance(v, bool)}


async def read_interfaces(client: SnmpClient, *, need_descr: bool = False) -> list[InterfaceSample]:
    """Walk the IF-MIB columns; ``need_descr`` also walks ifDescr when ifName exists."""
    names = {k: text(v) for k, v in (await client.walk(oids.IF_NAME)).items()}
    descrs: dict[str, str] = {}
    if need_descr or not names:
        descrs = {k: text(v) for k, v in (await client.walk(oids.IF_DESCR)).items()}
    oper = _ints(await client.walk(oids.IF_OPER_STATUS))
    bits = 64
    in_oct = _ints(await client.walk(oids.IF_HC_IN_OCTETS))
    out_oct = _ints(await client.walk(oids.IF_HC_OUT_OCTETS)) if in_oct else {}
    if not in_oct:
        bits = 32
        in_oct = _ints(await client.walk(oids.IF_IN_OCTETS))
        out_oct = _ints(await client.walk(oids.IF_OUT_OCTETS))
    high = {k: v * 1_000_000 for k, v in _ints(await client.walk(oids.IF_HIGH_SPEED)).items() if v > 0}
    speeds = high
    if len(high) < len(names or descrs):  # some interfaces without ifHighSpeed: ifSpeed for those
        speeds = {k: v for k, v in _ints(await client.walk(oids.IF_SPEED)).items() if v > 0} | high
    indexes = set(names) | set(descrs) | set(oper) | set(in_oct)
    out = []
    for idx in sorted(indexes, key=lambda s: (len(s), s)):
        if "." in idx:
            continue  # not a plain ifIndex row (a broken agent); ignore
        descr = descrs.get(idx, "")
        st = oper.get(idx)
        out.append(
            InterfaceSample(
                ifindex=idx,
                name=names.get(idx) or descr or f"if{idx}",
                descr=descr,
                oper_up=None if st is None else int(st == 1),
                in_octets=in_oct.get(idx),
                out_octets=out_oct.get(idx),
                counter_bits=bits,
                speed_bps=speeds.get(idx),
            )
        )
    return out
