"""The collector process: inventory → jobs → scheduler → spool → writer → InfluxDB.

``CollectorService`` owns one SNMP collector (shared state: counter samples for
rates), the jobs built from the inventory (optionally limited to regions, so
each county can run its own collector), the durable spool and its writer.
Points go from a poll into a small in-memory batch that is committed to the
spool at least every ``flush_s`` (one fsync per batch); only the writer sends,
and only from the spool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors import prometheus_scrape
from collectors.base import Collector, Target
from collectors.config import ServiceConfig
from collectors.inventory_state import inventory_points
from collectors.probes.collector import ServiceProbeCollector
from collectors.probes.declared import declared_probes
from collectors.probes.icmp import IcmpCollector
from collectors.probes.spec import load_probes
from collectors.prometheus_scrape import PrometheusScrapeCollector
from collectors.routing import Routes
from collectors.scheduler import CycleStats, Job, Scheduler
from collectors.snmp.collector import SnmpCollector
from collectors.snmp.stations import StationCounter
from collectors.ssh_audit import collector as ssh_audit
from collectors.ssh_audit.collector import SshAuditCollector
from collectors.traps import TrapReceiver
from inventory.models import Inventory
from pdcs.points import COLLECTOR, DEVICE_UP, Point
from pdcs.settings import Settings
from pdcs.storage.influx import InfluxDB, InfluxError
from pdcs.storage.shards import ShardMap

log = logging.getLogger(__name__)

AGENT_INTERVAL_S = 60.0


@dataclass
class Collectors:
    """One collector of each kind, shared by every job of that kind (they keep per-device state)."""

    snmp: SnmpCollector
    agent: PrometheusScrapeCollector
    audit: SshAuditCollector
    icmp: IcmpCollector
    probes: ServiceProbeCollector

    @classmethod
    def of(cls, inventory: Inventory, settings: Settings, stations: StationCounter | None = None) -> Collectors:
        """Raises ``ProbesError`` (every problem of the probes file) when ``settings.probes`` is broken.
        ``stations``: the daily distinct-client counter (default: in memory only).  The probes are those of
        the probes file and an HTTP probe of each facility's declared ``service_url``."""
        listed = load_probes(settings.probes, inventory) if settings.probes else []
        return cls(
            SnmpCollector(inventory.snmp_profiles, stations=stations),
            prometheus_scrape.collector_for(settings),
            ssh_audit.collector_for(inventory, settings),
            IcmpCollector(
                timeout_s=settings.icmp_timeout_s,
                concurrency=settings.icmp_concurrency,
                interval_s=settings.icmp_interval_s,
            ),
            ServiceProbeCollector([*listed, *(spec for _, spec in declared_probes(inventory, already=listed))]),
        )

    def all(self) -> tuple[Collector, ...]:
        return (self.snmp, self.agent, self.audit, self.icmp, self.probes)


def station_state_dir(spool_path: Path) -> Path:
    """The collector's Wi-Fi station state (salt and digests of the day): ``<spool-dir>/<name>.stations``."""
    return spool_path.with_suffix(".stations")


def build_jobs(inventory: Inventory, collectors: Collectors, regions: Sequence[str] = ()) -> list[Job]:
    """SNMP for devices with an ``snmp_profile``, scraping for an ``agent_url``, SSH audits (detached,
    on their own long interval) for an ``ssh_profile`` where the audit applies; ICMP echo for a device
    with an address and neither SNMP nor an agent; its service probes where the probes file has some; an
    HTTP probe of each facility's declared ``service_url`` (collectors/probes/declared.py)."""
    jobs: list[Job] = []
    for dev in inventory.devices_in(list(regions) if regions else None):
        target = Target.of(inventory, dev)
        if dev.snmp_profile:
            profile = inventory.snmp_profiles.get(dev.snmp_profile)
            jobs.append(Job(target, collectors.snmp, profile.interval_s if profile else 60.0))
        if dev.agent_url:
            jobs.append(Job(target, collectors.agent, AGENT_INTERVAL_S))
        if dev.ssh_profile and collectors.audit.applies_to(dev):
            jobs.append(Job(target, collectors.audit, collectors.audit.interval_s, detached=True))
        if dev.address and not dev.snmp_profile and not dev.agent_url:
            jobs.append(Job(target, collectors.icmp, collectors.icmp.interval_s))
        if dev.id in collectors.probes.by_device:
            jobs.append(Job(target, collectors.probes, collectors.probes.interval_of(dev.id)))
    for target, spec in declared_probes(inventory, regions):  # facilities' declared service URLs
        if spec.device in collectors.probes.by_device:
            # Detached: never cut off at a cycle deadline, so never a device_up for this device-less target.
            jobs.append(Job(target, collectors.probes, spec.interval_s, detached=True))
    return jobs


class CollectorService:
    def __init__(
        self,
        inventory: Inventory,
        influx: InfluxDB,
        spool_path: Path,
        config: ServiceConfig,
        settings: Settings | None = None,
        shards: ShardMap | None = None,
        collectors: Collectors | None = None,
    ) -> None:
        """``settings`` configure the agent scraper, the SSH audits and the heartbeats to Alerta
        (default: the environment's, without a ``.env`` file). ``shards``: which store takes which
        province's points (default: ``influx`` takes all); one spool and writer per store
        (``collectors/routing.py``), ``spool_path`` being the default store's.  The day's Wi-Fi station
        salt and digests are kept beside the default spool in ``<spool>.stations/``
        (collectors/snmp/stations.py), so a restart continues the day's distinct-client count."""
        self.inventory = inventory
        self.config = config
        self.influx = influx
        self.settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
        self.collectors = collectors or Collectors.of(
            inventory, self.settings, StationCounter.kept_in(station_state_dir(spool_path))
        )
        self.snmp = self.collectors.snmp
        self.jobs = build_jobs(inventory, self.collectors, config.regions)
        self.routes = Routes(
            shards or ShardMap.single(influx),
            spool_path,
            max_points=config.spool_max_points,
            batch_size=config.batch_size,
            regions=config.regions,
        )
        self.spool, self.writer = self.routes.default.spool, self.routes.default.writer
        intervals = [j.interval_s for j in self.jobs if j.collector is self.snmp]
        period = config.period_s or (min(intervals) if intervals else 60.0)
        if config.period_s:  # an explicit interval is every SNMP device's interval too
            for job in self.jobs:
                if job.collector is self.snmp:
                    job.interval_s = config.period_s
        self.scheduler = Scheduler(
            self.jobs, self._sink, period_s=period, max_in_flight=config.max_in_flight, spread=config.spread
        )
        self._buffer: dict[int, list[str]] = {}  # lines per route, committed by flush()
        self._flush_lock = asyncio.Lock()
        self.last_cycle: CycleStats | None = None
        self._heartbeat: asyncio.Task[bool] | None = None
        self.cycles = 0
        self.totals = {"ok": 0, "failed": 0, "skipped": 0}
        self.traps: TrapReceiver | None = None
        self._up: dict[str, int] = {}  # each device's latest device_up.up this cycle → inventory_device.state

    # -- points into the spool ------------------------------------------------
    async def _sink(self, points: list[Point]) -> None:
        for p in points:
            if p.measurement == DEVICE_UP and "up" in p.fields and "device" in p.tags:
                self._up[p.tags["device"]] = int(p.fields["up"])
        for i, lines in self.routes.split(points).items():
            self._buffer.setdefault(i, []).extend(lines)
        if sum(map(len, self._buffer.values())) >= self.config.flush_points:
            await self.flush()

    async def flush(self) -> None:
        async with self._flush_lock:
            if not self._buffer:
                return
            by_route, self._buffer = self._buffer, {}
            await asyncio.to_thread(self.routes.append, by_route)
            self.routes.wake()

    async def sink_now(self, points: list[Point]) -> None:
        """Spool ``points`` and wake the writer at once (traps do not wait for the flush tick)."""
        await self._sink(points)
        await self.flush()

    def start_traps(self) -> None:
        if self.config.trap_port is None:
            return
        self.traps = TrapReceiver(
            self.inventory,
            self.sink_now,
            host=self.config.trap_host,
            port=self.config.trap_port,
            engine_ids=self.config.trap_engine_ids,
            interfaces=self.snmp.interface_view,
            regions=self.config.regions,
        )
        self.traps.start()

    async def _flusher(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.flush_s)
            await self.flush()

    # -- self-metrics ------------------------------------------------------------
    def self_point(self, stats: CycleStats) -> Point:
        malformed = sum(c.malformed for c in self.collectors.all())
        return Point(
            COLLECTOR,
            {"collector": self.config.name, "regions": ",".join(self.config.regions) or "all"},
            {
                "cycle_s": round(stats.duration_s, 4),
                "devices_ok": stats.ok,
                "devices_failed": stats.failed,
                "devices_skipped": stats.skipped,
                "spool_depth": self.routes.depth,
                "points_written": self.routes.written,
                "points_dropped": self.routes.dropped,
                "malformed": malformed,
            },
            time.time_ns(),
        )

    async def _on_cycle(self, stats: CycleStats) -> None:
        self.last_cycle = stats
        self.cycles += 1
        self.totals["ok"] += stats.ok
        self.totals["failed"] += stats.failed
        self.totals["skipped"] += stats.skipped
        up, self._up = self._up, {}
        expected = inventory_points(self.inventory, self.config.regions, time.time_ns(), up=up)
        await self._sink([self.self_point(stats), *expected])
        await self.flush()
        if self._heartbeat is None or self._heartbeat.done():  # in a thread: a slow Alerta never delays polling
            self._heartbeat = asyncio.create_task(asyncio.to_thread(self.send_heartbeat))
        log.info(
            "cycle %.2fs: %d due, %d ok, %d failed, %d skipped; spool %d",
            stats.duration_s,
            stats.due,
            stats.ok,
            stats.failed,
            stats.skipped,
            self.routes.depth,
        )

    def send_heartbeat(self) -> bool:
        """Tell Alerta this collector is alive (when PDCS_ALERTA_URL is set); see alert_rules/heartbeat.py."""
        from alert_rules.heartbeat import send_heartbeat

        timeout_s = int(3 * self.scheduler.period_s)
        tags = ["pdcs", "collector", *self.config.regions]
        return send_heartbeat(f"pdcs-collector/{self.config.name}", timeout_s, settings=self.settings, tags=tags)

    # -- running -----------------------------------------------------------------
    async def run_once(self, *, drain: bool = True) -> CycleStats:
        """One cycle with every job started at once, then drain what InfluxDB will take."""
        self.scheduler.spread = 0.0
        stats = await self.scheduler.run_cycle()
        await self.scheduler.wait_detached()  # --once waits for its audits too
        stats.ok += self.scheduler.detached_done["ok"]
        stats.failed += self.scheduler.detached_done["failed"]
        await self._on_cycle(stats)
        if drain:
            try:
                await self.routes.drain()
            except InfluxError as exc:
                log.warning("InfluxDB did not take the points (%s): %d stay in the spools", exc, self.routes.depth)
        await self.aclose_collectors()
        return stats

    async def run(self, stop: asyncio.Event) -> None:
        self.start_traps()
        tasks = [
            asyncio.create_task(self.routes.run(stop), name="writers"),
            asyncio.create_task(self._flusher(stop), name="flusher"),
        ]
        try:
            await self.scheduler.run_forever(stop, self._on_cycle)
        finally:
            stop.set()
            await self.scheduler.cancel_detached()
            if self.traps is not None:
                self.traps.close()
            await self.flush()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.aclose_collectors()

    async def aclose_collectors(self) -> None:
        """Let collectors that hold connections (the agent scraper's HTTP client) close them."""
        for collector in self.collectors.all():
            with contextlib.suppress(Exception):
                await collector.aclose()

    def close(self) -> None:
        self.routes.close()
        self.influx.close()
        self.routes.shards.close()


__all__ = ["CollectorService", "Collectors", "ServiceConfig", "build_jobs"]
