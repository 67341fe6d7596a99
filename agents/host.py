"""Host metrics read at scrape time: cheap psutil calls, process scan cached.

Everything here is a few reads of /proc (or Win32 calls); the only costly
part — scanning processes for the kiosk application — is cached for
``kiosk_ttl_s`` so frequent scrapes stay cheap.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence

import psutil
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

_LOOPBACK = ("lo", "Loopback Pseudo-Interface 1")


def default_disks() -> tuple[str, ...]:
    return ("C:\\",) if sys.platform == "win32" else ("/",)


class KioskWatch:
    """Whether a process named ``app`` runs; the scan is cached for ``ttl_s``."""

    def __init__(self, app: str, ttl_s: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app.lower()
        self.ttl_s = ttl_s
        self.clock = clock
        self._at = -1e18
        self._started: float | None = None
        self._lock = threading.Lock()

    def up(self) -> bool:
        return self.started() is not None

    def started(self) -> float | None:
        """When the running application's (earliest) process started, epoch seconds; None when it does not run."""
        with self._lock:
            now = self.clock()
            if now - self._at >= self.ttl_s:
                self._started = self._scan()
                self._at = now
            return self._started

    def _scan(self) -> float | None:
        found: float | None = None
        for p in psutil.process_iter(["name", "create_time"]):
            name = (p.info.get("name") or "").lower()
            if name == self.app or name == f"{self.app}.exe":
                t = p.info.get("create_time")
                t = float(t) if t is not None else time.time()
                found = t if found is None else min(found, t)
        return found


class HostCollector(Collector):
    def __init__(self, disks: Sequence[str] = (), kiosk: KioskWatch | None = None) -> None:
        self.disks = tuple(disks) or default_disks()
        self.kiosk = kiosk
        self.boot_time = psutil.boot_time()
        psutil.cpu_percent(interval=None)  # primes the CPU-time baseline of the next call

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield GaugeMetricFamily("pdcs_host_uptime_seconds", "Seconds since boot", value=time.time() - self.boot_time)
        yield GaugeMetricFamily(
            "pdcs_host_cpu_percent", "CPU busy percent since the previous scrape", value=psutil.cpu_percent(None)
        )
        mem = psutil.virtual_memory()
        yield GaugeMetricFamily("pdcs_host_memory_total_bytes", "Physical memory", value=mem.total)
        yield GaugeMetricFamily("pdcs_host_memory_available_bytes", "Memory available", value=mem.available)
        yield GaugeMetricFamily("pdcs_host_memory_used_percent", "Memory used percent", value=mem.percent)
        total = GaugeMetricFamily("pdcs_host_disk_total_bytes", "Disk size", labels=["mountpoint"])
        free = GaugeMetricFamily("pdcs_host_disk_free_bytes", "Disk free", labels=["mountpoint"])
        used = GaugeMetricFamily("pdcs_host_disk_used_percent", "Disk used percent", labels=["mountpoint"])
        for d in self.disks:
            try:
                u = psutil.disk_usage(d)
            except OSError:
                continue
            total.add_metric([d], u.total)
            free.add_metric([d], u.free)
            used.add_metric([d], u.percent)
        yield from (total, free, used)
        rx = tx = 0
        for nic, c in psutil.net_io_counters(pernic=True).items():
            if nic not in _LOOPBACK:
                rx += c.bytes_recv
                tx += c.bytes_sent
        yield CounterMetricFamily("pdcs_host_network_receive_bytes", "Bytes received, all non-loopback NICs", value=rx)
        yield CounterMetricFamily("pdcs_host_network_transmit_bytes", "Bytes sent, all non-loopback NICs", value=tx)
        yield GaugeMetricFamily("pdcs_host_sessions", "Logged-in user sessions", value=len(psutil.users()))
        if self.kiosk is not None:
            k = GaugeMetricFamily("pdcs_kiosk_app_up", "Kiosk application running (1) or not (0)", labels=["app"])
            k.add_metric([self.kiosk.app], 1.0 if self.kiosk.up() else 0.0)
            yield k
