"""Reachability and latency of configured service URLs, probed in the background.

A probe is one HTTP GET; any HTTP answer below 500 counts as reachable (a
portal asking for a login is up).  Results are cached for scrapes.

The URL a probe publishes (the ``url`` label of ``/metrics``, hence an InfluxDB tag
and Grafana) is :func:`mask_url` of the configured one: a password in the user
part and the values of secret-looking query parameters become ``******``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from agents.config import ServiceProbe

log = logging.getLogger(__name__)


MASK = "******"
_SECRET_PARAM = re.compile(r"pass|pwd|secret|token|key|auth|sig|credential|session", re.I)


def mask_url(url: str) -> str:
    """``url`` with its secrets masked: ``user:******@host`` and ``?password=******&api_key=******``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = "&".join(
        f"{k}={MASK}" if _SECRET_PARAM.search(k) else (f"{k}={v}" if sep else k)
        for k, sep, v in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class ProbeResult(NamedTuple):
    service: str
    url: str
    up: bool
    latency_s: float
    error: str


def probe(service: ServiceProbe, timeout_s: float) -> ProbeResult:
    shown = mask_url(service.url)
    started = time.perf_counter()
    req = urllib.request.Request(service.url, headers={"User-Agent": "pdcs-agent"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            resp.read(1024)
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # URLError, timeouts, TLS errors: the service is unreachable
        error = str(exc).replace(service.url, shown)[:200]
        return ProbeResult(service.name, shown, False, time.perf_counter() - started, error)
    elapsed = time.perf_counter() - started
    return ProbeResult(service.name, shown, status < 500, elapsed, "" if status < 500 else f"HTTP {status}")


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
