"""ICMP echo → ``device_up`` with ``source=icmp`` for devices with no SNMP and no agent.

Printers, projectors, kiosks without the agent and APs managed only through a
controller answer ping and nothing else we can ask.  icmplib sends the echo
request from a raw socket when the process may (root or CAP_NET_RAW), else
from an unprivileged ICMP datagram socket (``net.ipv4.ping_group_range``).
Every request in flight holds one socket; a semaphore bounds them
(``concurrency``), so 10,000 targets, most of them dead, cost at most
``ceil(10,000 / concurrency) × timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import os
import time

import icmplib

from collectors.base import Target
from pdcs.points import DEVICE_UP, FieldValue, Point

SOURCE = "icmp"


def privileged() -> bool:
    return os.geteuid() == 0


async def echo(host: str, *, timeout_s: float = 1.0, count: int = 1) -> tuple[bool, float | None, str | None]:
    """(answered, round trip in ms, error): one host, ``count`` requests 0.2 s apart."""
    try:
        h = await icmplib.async_ping(host, count=count, interval=0.2, timeout=timeout_s, privileged=privileged())
    except icmplib.NameLookupError:
        return False, None, f"unresolvable: {host}"
    except (icmplib.ICMPLibError, OSError) as exc:
        return False, None, f"{type(exc).__name__}: {exc}"
    if not h.is_alive:
        return False, None, f"timeout: no echo reply in {timeout_s:g} s"
    return True, round(h.avg_rtt, 3), None


class IcmpCollector:
    """One echo request per poll (two when the first is lost, as fping's default retry does)."""

    name = SOURCE
    malformed = 0

    def __init__(self, *, timeout_s: float = 1.0, concurrency: int = 500, interval_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self.interval_s = interval_s
        self._concurrency = max(1, concurrency)
        self._sem: asyncio.Semaphore | None = None
        self._sem_loop: asyncio.AbstractEventLoop | None = None

    async def collect(self, target: Target) -> list[Point]:
        loop = asyncio.get_running_loop()
        if self._sem is None or self._sem_loop is not loop:
            self._sem, self._sem_loop = asyncio.Semaphore(self._concurrency), loop
        ts = time.time_ns()
        host = target.device.host_port(0)[0] if target.device.address else ""
        async with self._sem:
            up, rtt, err = await echo(host, timeout_s=self.timeout_s)
            if not up and err and err.startswith("timeout"):  # one retry, like fping's default
                up, rtt, err = await echo(host, timeout_s=self.timeout_s)
        fields: dict[str, FieldValue] = {"up": int(up)}
        if rtt is not None:
            fields["rtt_ms"] = rtt
        if err:
            fields["error"] = err
        return [Point(DEVICE_UP, {**target.tags, "source": SOURCE}, fields, ts)]

    async def aclose(self) -> None:
        return None
