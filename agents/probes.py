"""Reachability and latency of configured service URLs, probed in the background.

A probe is one HTTP GET; any HTTP answer below 500 counts as reachable (a
portal asking for a login is up).  Results are cached for scrapes.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from agents.config import ServiceProbe

log = logging.getLogger(__name__)


class ProbeResult(NamedTuple):
    service: str
    url: str
    up: bool
    latency_s: float
    error: str


def probe(service: ServiceProbe, timeout_s: float) -> ProbeResult:
    started = time.perf_counter()
    req = urllib.request.Request(service.url, headers={"User-Agent": "pdcs-agent"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            resp.read(1024)
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # URLError, timeouts, TLS errors: the service is unreachable
        return ProbeResult(service.name, service.url, False, time.perf_counter() - started, str(exc)[:200])
    elapsed = time.perf_counter() - started
    return ProbeResult(service.name, service.url, status < 500, elapsed, "" if status < 500 else f"HTTP {status}")


class ServiceProber(Collector):
    def __init__(self, services: Sequence[ServiceProbe], interval_s: float = 60.0, timeout_s: float = 5.0) -> None:
        self.services = tuple(services)
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._results: dict[str, ProbeResult] = {}
        self._stop = threading.Event()

    def run_once(self) -> list[ProbeResult]:
        out = [probe(s, self.timeout_s) for s in self.services]
        self._results = {r.service: r for r in out}
        return out

    def start(self) -> None:
        if self.services:
            threading.Thread(target=self._loop, name="pdcs-probes", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # pragma: no cover - probe() catches per service
                log.exception("service probes failed")
            self._stop.wait(self.interval_s)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "pdcs_service_up", "Configured service reachable (1) or not (0)", labels=["service", "url"]
        )
        lat = GaugeMetricFamily(
            "pdcs_service_latency_seconds", "Time to the service's answer", labels=["service", "url"]
        )
        for r in list(self._results.values()):
            up.add_metric([r.service, r.url], 1.0 if r.up else 0.0)
            lat.add_metric([r.service, r.url], r.latency_s)
        yield up
        yield lat
