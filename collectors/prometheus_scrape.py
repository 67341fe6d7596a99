"""Scrape pdcs agents and standard exporters (node_exporter, windows_exporter).

One HTTP GET of the device's ``agent_url`` (``/metrics`` is added when the URL
has no path) with a timeout, parsed by prometheus-client's exposition parser
and mapped by :mod:`collectors.exposition_map`.  Never raises for a device
problem: an unreachable agent, an HTTP error or a timeout is ``device_up``
up=0 (source ``agent``) with the reason; a malformed exposition is the same,
and is also counted in ``malformed`` for the collector's self-metrics.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from agents.push_signature import scrape_token
from collectors.base import Target
from collectors.exposition_map import (
    DEFAULT_ALLOW,
    CpuState,
    MalformedExposition,
    down_point,
    map_samples,
    parse_samples,
)
from pdcs.points import Point, now_ns
from pdcs.settings import Settings

MAX_BODY = 8 * 1024 * 1024  # an exposition larger than this is refused as malformed


def metrics_url(agent_url: str) -> str:
    parts = urlsplit(agent_url)
    return agent_url if parts.path not in ("", "/") else agent_url.rstrip("/") + "/metrics"


class PrometheusScrapeCollector:
    name = "prometheus"

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        allow: Sequence[str] = DEFAULT_ALLOW,
        client: httpx.AsyncClient | None = None,
        scrape_secret: str | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.scrape_secret = scrape_secret  # per-device bearer tokens for pdcs-agent's /metrics
        self.allow = tuple(allow)
        self._client = client
        self.cpu = CpuState()
        self.scrapes = 0
        self.failed = 0
        self.malformed = 0

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout_s,
                headers={"Accept": "text/plain;version=0.0.4", "User-Agent": "pdcs-collector"},
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def collect(self, target: Target) -> list[Point]:
        self.scrapes += 1
        ts = now_ns()
        url = target.device.agent_url
        if not url:
            self.failed += 1
            return [down_point(target.tags, ts, "agent", "no agent_url in the inventory")]
        started = time.perf_counter()
        try:
            headers = (
                {"Authorization": f"Bearer {scrape_token(self.scrape_secret, target.device.id)}"}
                if self.scrape_secret
                else None
            )
            resp = await self.client.get(metrics_url(url), timeout=self.timeout_s, headers=headers)
        except httpx.TimeoutException:
            self.failed += 1
            return [down_point(target.tags, ts, "agent", f"scrape timed out after {self.timeout_s:g}s")]
        except httpx.HTTPError as exc:
            self.failed += 1
            return [down_point(target.tags, ts, "agent", f"scrape failed: {type(exc).__name__}: {exc}")]
        rtt_ms = (time.perf_counter() - started) * 1000.0
        if resp.status_code != 200:
            self.failed += 1
            return [down_point(target.tags, ts, "agent", f"scrape answered HTTP {resp.status_code}")]
        if len(resp.content) > MAX_BODY:
            self.failed += 1
            self.malformed += 1
            return [down_point(target.tags, ts, "agent", f"malformed exposition: {len(resp.content)} bytes")]
        try:
            samples = parse_samples(resp.text)
        except MalformedExposition as exc:
            self.failed += 1
            self.malformed += 1
            return [down_point(target.tags, ts, "agent", f"malformed exposition: {exc}")]
        return map_samples(samples, target.tags, ts, source="agent", cpu=self.cpu, allow=self.allow, rtt_ms=rtt_ms)


def collector_for(settings: Settings) -> PrometheusScrapeCollector:
    """The scraper the collector service runs for devices with an ``agent_url``.

    ``settings.scrape_timeout_s`` and ``settings.scrape_allow`` (patterns added to the default
    allow-list; ``PDCS_SCRAPE_TIMEOUT_S``, ``PDCS_SCRAPE_ALLOW``) tune it.
    """
    extra = tuple(p.strip() for p in settings.scrape_allow.split(",") if p.strip())
    secret = settings.scrape_secret.get_secret_value() if settings.scrape_secret else None
    return PrometheusScrapeCollector(
        timeout_s=settings.scrape_timeout_s, allow=DEFAULT_ALLOW + extra, scrape_secret=secret
    )
