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
import importlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors.base import Collector, Target
from collectors.scheduler import CycleStats, Job, Scheduler
from collectors.snmp.collector import SnmpCollector
from collectors.spool import Spool
from collectors.writer import Writer
from inventory.models import Inventory
from pdcs.points import COLLECTOR, Point
from pdcs.storage.influx import InfluxDB, InfluxError

log = logging.getLogger(__name__)

AUDIT_INTERVAL_S = 86400.0  # SSH audits, unless the audit collector says otherwise (PDCS_AUDIT_INTERVAL_S)
AGENT_INTERVAL_S = 60.0


@dataclass
class ServiceConfig:
    name: str = "pdcs-collector"
    regions: tuple[str, ...] = ()
    period_s: float | None = None  # cycle period and SNMP poll interval; default: shortest profile interval_s
    max_in_flight: int = 256
    spread: float = 0.5
    flush_s: float = 0.2
    flush_points: int = 5000
    batch_size: int = 5000
    trap_host: str = "0.0.0.0"
    trap_port: int | None = None  # None: no trap receiver
    trap_engine_ids: tuple[str, ...] = ()


def _optional_collector(module: str, factory: str, inventory: Inventory) -> Collector | None:
    """Collectors other parts build (agent scraping, SSH audits), wired when their module exists."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        log.warning("%s is not available; devices that need it are not collected by it", module)
        return None
    make: Any = getattr(mod, factory)
    collector: Collector = make(inventory)
    return collector


def build_jobs(inventory: Inventory, snmp: SnmpCollector, regions: Sequence[str] = ()) -> list[Job]:
    devices = inventory.devices_in(list(regions) if regions else None)
    jobs: list[Job] = []
    agent: Collector | None = None
    audit: Collector | None = None
    for dev in devices:
        target = Target.of(inventory, dev)
        if dev.snmp_profile:
            profile = inventory.snmp_profiles.get(dev.snmp_profile)
            jobs.append(Job(target, snmp, profile.interval_s if profile else 60.0))
        if dev.agent_url:
            agent = agent or _optional_collector("collectors.prometheus_scrape", "collector_for", inventory)
            if agent is not None:
                jobs.append(Job(target, agent, AGENT_INTERVAL_S))
        if dev.ssh_profile:
            audit = audit or _optional_collector("collectors.ssh_audit", "collector_for", inventory)
            applies = getattr(audit, "applies_to", None)
            if audit is not None and (applies is None or applies(dev)):
                interval = float(getattr(audit, "interval_s", AUDIT_INTERVAL_S))
                jobs.append(Job(target, audit, interval, detached=True))
    return jobs


class CollectorService:
    def __init__(self, inventory: Inventory, influx: InfluxDB, spool_path: Path, config: ServiceConfig) -> None:
        self.inventory = inventory
        self.config = config
        self.influx = influx
        self.snmp = SnmpCollector(inventory.snmp_profiles)
        self.jobs = build_jobs(inventory, self.snmp, config.regions)
        self.spool = Spool(spool_path)
        self.writer = Writer(self.spool, influx, batch_size=config.batch_size)
        intervals = [j.interval_s for j in self.jobs if j.collector is self.snmp]
        period = config.period_s or (min(intervals) if intervals else 60.0)
        if config.period_s:  # an explicit interval is every SNMP device's interval too
            for job in self.jobs:
                if job.collector is self.snmp:
                    job.interval_s = config.period_s
        self.scheduler = Scheduler(
            self.jobs, self._sink, period_s=period, max_in_flight=config.max_in_flight, spread=config.spread
        )
        self._buffer: list[str] = []
        self._flush_lock = asyncio.Lock()
        self.last_cycle: CycleStats | None = None
        self._heartbeat: asyncio.Task[bool] | None = None
        self.cycles = 0
        self.totals = {"ok": 0, "failed": 0, "skipped": 0}
        self.traps: Any = None

    # -- points into the spool ------------------------------------------------
    async def _sink(self, points: list[Point]) -> None:
        self._buffer.extend(p.to_line() for p in points if p.is_writable())
        if len(self._buffer) >= self.config.flush_points:
            await self.flush()

    async def flush(self) -> None:
        async with self._flush_lock:
            if not self._buffer:
                return
            lines, self._buffer = self._buffer, []
            await asyncio.to_thread(self.spool.append, lines)
            self.writer.wakeup.set()

    async def sink_now(self, points: list[Point]) -> None:
        """Spool ``points`` and wake the writer at once (traps do not wait for the flush tick)."""
        await self._sink(points)
        await self.flush()

    def start_traps(self) -> None:
        if self.config.trap_port is None:
            return
        from collectors.traps import TrapReceiver

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
        malformed = self.snmp.failures.get("malformed", 0) + self.snmp.failures.get("vendor_malformed", 0)
        # Other collectors (agent scraping) count malformed answers in a ``malformed`` attribute.
        others = {id(j.collector): j.collector for j in self.jobs if j.collector is not self.snmp}
        malformed += sum(int(getattr(c, "malformed", 0)) for c in others.values())
        return Point(
            COLLECTOR,
            {"collector": self.config.name, "regions": ",".join(self.config.regions) or "all"},
            {
                "cycle_s": round(stats.duration_s, 4),
                "devices_ok": stats.ok,
                "devices_failed": stats.failed,
                "devices_skipped": stats.skipped,
                "spool_depth": self.spool.depth,
                "points_written": self.writer.written,
                "points_dropped": self.spool.dropped,
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
        await self._sink([self.self_point(stats)])
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
            self.spool.depth,
        )

    def send_heartbeat(self) -> bool:
        """Tell Alerta this collector is alive (when PDCS_ALERTA_URL is set); see alert_rules/heartbeat.py."""
        from alert_rules.heartbeat import send_heartbeat

        timeout_s = int(3 * self.scheduler.period_s)
        tags = ["pdcs", "collector", *self.config.regions]
        return send_heartbeat(f"pdcs-collector/{self.config.name}", timeout_s, tags=tags)

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
                await self.writer.drain()
            except InfluxError as exc:
                log.warning("InfluxDB did not take the points (%s): %d stay in the spool", exc, self.spool.depth)
        await self.aclose_collectors()
        return stats

    async def run(self, stop: asyncio.Event) -> None:
        self.start_traps()
        tasks = [
            asyncio.create_task(self.writer.run(stop), name="writer"),
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
        for collector in {id(j.collector): j.collector for j in self.jobs}.values():
            aclose = getattr(collector, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    def close(self) -> None:
        self.spool.close()
        self.influx.close()
