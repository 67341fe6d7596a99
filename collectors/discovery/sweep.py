"""The sweep: ICMP at a bounded rate over the given ranges, then SNMP system facts and neighbours.

Never an address outside the ranges: the targets are the hosts of the given
networks (``ipaddress``), checked again before every packet; neighbours
learnt from LLDP/CDP are reported with their addresses but not probed.  The
rate (``rate`` addresses a second) is a token bucket over the ICMP requests;
SNMP goes only to addresses that answered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collectors.discovery.guess import kind_of, vendor_of
from collectors.probes.icmp import echo
from collectors.snmp import oids
from collectors.snmp.client import CredentialCache, SnmpClient, open_session, text
from inventory.models import DeviceKind, SnmpProfile

MAX_HOSTS = 65_536
LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9"  # LLDP-MIB lldpRemSysName
LLDP_REM_MAN_ADDR_IF = "1.0.8802.1.1.2.1.4.2.1.3"  # lldpRemManAddrIfSubtype; the address is in the index
CDP_CACHE_DEVICE_ID = "1.3.6.1.4.1.9.9.23.1.2.1.1.6"  # CISCO-CDP-MIB cdpCacheDeviceId
CDP_CACHE_ADDRESS = "1.3.6.1.4.1.9.9.23.1.2.1.1.4"  # cdpCacheAddress (4 bytes for IPv4)


class RangeError(ValueError):
    pass


def targets(ranges: Iterable[str], max_hosts: int = MAX_HOSTS) -> list[str]:
    """The host addresses of the ranges (networks or single addresses), in order, without duplicates."""
    out: dict[str, None] = {}
    for r in ranges:
        try:
            net = ipaddress.ip_network(r.strip(), strict=False)
        except ValueError as exc:
            raise RangeError(f"not a subnet or address: {r!r} ({exc})") from None
        if net.version != 4:
            raise RangeError(f"only IPv4 ranges are swept: {r!r}")
        if net.num_addresses > max_hosts:
            raise RangeError(f"{r} has {net.num_addresses} addresses; at most {max_hosts} are swept at once")
        hosts = [net.network_address] if net.num_addresses == 1 else list(net.hosts())
        for h in hosts:
            out[str(h)] = None
    return list(out)


@dataclass
class Found:
    address: str
    icmp: bool
    rtt_ms: float | None = None
    sys_object_id: str = ""
    sys_name: str = ""
    sys_descr: str = ""
    neighbours: list[tuple[str, str]] = field(default_factory=list)  # (name, address or "")

    @property
    def snmp(self) -> bool:
        return bool(self.sys_object_id or self.sys_name)

    @property
    def vendor(self) -> str | None:
        return vendor_of(self.sys_object_id) if self.sys_object_id else None

    @property
    def kind(self) -> DeviceKind | None:
        return kind_of(self.sys_object_id, self.sys_descr) if self.snmp else None


class Bucket:
    """``rate`` tokens a second, at most one second's worth banked."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.clock = rate, clock
        self.tokens, self.last = 1.0, clock()

    async def take(self) -> None:
        while True:
            now = self.clock()
            self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


async def _snmp(found: Found, profile: SnmpProfile, creds: CredentialCache, secrets_dir: Path | None) -> None:
    session = open_session(found.address, profile.port, profile, creds.get(profile, secrets_dir))
    client = SnmpClient(session, retries=profile.retries, bulk=profile.version != "1")
    try:
        await client.start()
        got = await client.get([oids.SYS_OBJECT_ID, oids.SYS_NAME, oids.SYS_DESCR])
    except Exception:  # no SNMP, wrong credentials: the address is still reported (ICMP)
        return
    found.sys_object_id = text(got.get(oids.SYS_OBJECT_ID)).lstrip(".")
    found.sys_name = text(got.get(oids.SYS_NAME))
    found.sys_descr = text(got.get(oids.SYS_DESCR))[:200]
    try:
        names = {k: text(v) for k, v in (await client.walk(LLDP_REM_SYS_NAME)).items()}
        lldp_ip: dict[str, str] = {}
        for idx in await client.walk(LLDP_REM_MAN_ADDR_IF):  # timeMark.localPort.remIndex.subtype.len.addr
            parts = idx.split(".")
            if len(parts) >= 9 and parts[3] == "1" and parts[4] == "4":
                lldp_ip.setdefault(".".join(parts[:3]), ".".join(parts[5:9]))
        found.neighbours += [(name, lldp_ip.get(key, "")) for key, name in sorted(names.items())]
        cdp_names = {k: text(v) for k, v in (await client.walk(CDP_CACHE_DEVICE_ID)).items()}
        cdp_addrs = await client.walk(CDP_CACHE_ADDRESS)
        for idx, name in sorted(cdp_names.items()):
            raw = cdp_addrs.get(idx)
            ip = ".".join(str(b) for b in raw) if isinstance(raw, bytes) and len(raw) == 4 else ""
            found.neighbours.append((name, ip))
    except Exception:  # neighbours are a bonus: an agent without the MIBs is fine
        return


async def sweep(
    ranges: Iterable[str],
    profile: SnmpProfile | None,
    *,
    secrets_dir: Path | None = None,
    rate: float = 100.0,
    timeout_s: float = 1.0,
    concurrency: int = 256,
    probed: list[str] | None = None,
) -> list[Found]:
    """Every address of the ranges that answered ICMP or SNMP, with what it said.  ``probed`` collects every
    address a packet went to (tests check it stays inside the ranges)."""
    addrs = targets(ranges)
    allowed = set(addrs)
    bucket = Bucket(rate)
    sem = asyncio.Semaphore(concurrency)
    creds = CredentialCache()

    async def one(addr: str) -> Found | None:
        assert addr in allowed  # never a packet outside the given ranges
        async with sem:
            await bucket.take()
            if probed is not None:
                probed.append(addr)
            up, rtt, _ = await echo(addr, timeout_s=timeout_s)
            found = Found(addr, up, rtt)
            if up and profile is not None:
                await _snmp(found, profile, creds, secrets_dir)
        return found if found.icmp or found.snmp else None

    results = await asyncio.gather(*(one(a) for a in addrs))
    return [f for f in results if f is not None]
