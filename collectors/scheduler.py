"""Cycles of polls: per-device intervals with jitter, a hard cycle deadline, caps in flight.

The scheduler runs cycles of a fixed period.  A job (one device × one
collector) is due in a cycle when its own interval has passed (each job's next
due time advances by its interval with a little jitter, so a county's devices
do not fall into lock-step).  Within a cycle each due job starts after a stable
per-job phase offset (spreading UDP bursts over the first part of the cycle),
waits for one of ``max_in_flight`` slots and must finish by the cycle's
deadline:

* a job that cannot get a slot in time is *skipped* (counted, not polled);
* a job still running at the deadline is cut off and reported down *at the
  deadline*: its task is cancelled but not waited for (a collector that is slow
  to honour the cancellation — a thread, a library that swallows it — must not
  hold the cycle); until that task has ended, the job is reported down again
  ("previous poll still running") instead of being started twice;
* so a cycle never overruns, and the next one starts on time.

Every failed job has its reason in ``CycleStats.reasons`` (the ``error`` of its
``device_up`` point), so ``pdcs collect --once`` says why, not only who.

One device's polls are sequential on its own session (one request in flight
per device), so a slow or dead device holds one slot and nothing else.

Long jobs (SSH audits, ``Job.detached``) do not fit a polling cycle: they run
beside the cycles as their own tasks, one run per job at a time, bounded by
their interval (at most 30 minutes), and are counted in ``detached_done``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from collectors.base import Collector, Target
from pdcs.points import DEVICE_UP, Point

log = logging.getLogger(__name__)

Sink = Callable[[list[Point]], Awaitable[None]]


@dataclass
class Job:
    target: Target
    collector: Collector
    interval_s: float
    next_due: float = 0.0  # monotonic seconds; 0 = due in the first cycle
    # A long job (an SSH audit) runs beside the cycles, bounded by its own budget instead of the
    # cycle deadline, one run at a time; it is counted when it ends.
    detached: bool = False

    @property
    def key(self) -> str:
        return f"{self.target.device.id}/{self.collector.name}"

    @property
    def phase(self) -> float:
        """A stable fraction in [0, 1) from the job key: where in the spread this job starts."""
        return (zlib.crc32(self.key.encode()) % 10_000) / 10_000


@dataclass
class CycleStats:
    started: float
    duration_s: float = 0.0
    due: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    cut_off: int = 0  # jobs still running at the deadline (also counted failed)
    points: int = 0
    failed_devices: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # job key -> why it failed


def _down(job: Job, error: str) -> Point:
    return Point(
        DEVICE_UP, {**job.target.tags, "source": job.collector.name}, {"up": 0, "error": error}, time.time_ns()
    )


def _reason(points: list[Point]) -> str:
    return next(
        (str(p.fields.get("error", "")) for p in points if p.measurement == DEVICE_UP and p.fields.get("up") != 1), ""
    )


def _up_of(points: list[Point]) -> bool:
    """A job succeeded unless it reported its device down (audits return no device_up at all)."""
    return all(p.fields.get("up") == 1 for p in points if p.measurement == DEVICE_UP)


class Scheduler:
    def __init__(
        self,
        jobs: Sequence[Job],
        sink: Sink,
        *,
        period_s: float = 60.0,
        max_in_flight: int = 256,
        spread: float = 0.5,
        jitter: float = 0.05,
        min_slot_s: float = 0.5,
    ) -> None:
        self.jobs = list(jobs)
        self.sink = sink
        self.period_s = period_s
        self.max_in_flight = max_in_flight
        self.spread = spread  # share of the period over which job starts are spread
        self.jitter = jitter  # ± share of a job's interval added to its next due time
        # A job that cannot start before deadline - min_slot_s is skipped rather than started to be cut off.
        self.min_slot_s = min(min_slot_s, period_s / 4)
        self.in_flight = 0
        self._rng = random.Random()
        self.detached_budget_s = 1800.0
        self._detached: dict[str, asyncio.Task[None]] = {}
        self.detached_done: Counter[str] = Counter()
        # Polls cut off at a deadline whose task has not ended yet (job key -> task): not started again meanwhile.
        self._lingering: dict[str, asyncio.Task[list[Point]]] = {}

    async def run_cycle(self, now: float | None = None) -> CycleStats:
        """Run one cycle: every due job, each bounded by the cycle deadline."""
        start = time.monotonic() if now is None else now
        deadline = start + self.period_s
        stats = CycleStats(started=time.time())
        # Half a period of tolerance: jitter must not push a job past its cycle into the next.
        due = [j for j in self.jobs if j.next_due <= start + self.period_s / 2]
        stats.due = len(due)
        for job in (j for j in due if j.detached):
            if job.key in self._detached:
                stats.skipped += 1  # the previous run is still going
                continue
            self._detached[job.key] = asyncio.create_task(self._run_detached(job))
        sem = asyncio.Semaphore(self.max_in_flight)
        await asyncio.gather(*(self._run_job(j, start, deadline, sem, stats) for j in due if not j.detached))
        for j in due:
            j.next_due = start + j.interval_s * (1 + self._rng.uniform(-self.jitter, self.jitter))
        stats.duration_s = time.monotonic() - start
        return stats

    async def _run_detached(self, job: Job) -> None:
        budget = min(job.interval_s, self.detached_budget_s)
        try:
            points = await asyncio.wait_for(job.collector.collect(job.target), budget)
        except TimeoutError:
            points = [_down(job, f"timeout: {job.collector.name} took longer than {budget:g}s")]
        except Exception as exc:
            log.exception("collector %s raised on %s", job.collector.name, job.key)
            points = [_down(job, f"collector error: {exc.__class__.__name__}")]
        try:
            self.detached_done["ok" if _up_of(points) else "failed"] += 1
            await self.sink(points)
        finally:
            self._detached.pop(job.key, None)

    async def wait_detached(self) -> None:
        """Wait for the long jobs still running (``--once`` waits for its audits)."""
        while self._detached:
            await asyncio.gather(*list(self._detached.values()), return_exceptions=True)

    async def cancel_detached(self) -> None:
        for task in list(self._detached.values()):
            task.cancel()
        await asyncio.gather(*list(self._detached.values()), return_exceptions=True)

    async def _run_job(self, job: Job, start: float, deadline: float, sem: asyncio.Semaphore, st: CycleStats) -> None:
        offset = job.phase * self.spread * self.period_s
        if offset:
            await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
        latest = deadline - self.min_slot_s
        try:
            await asyncio.wait_for(sem.acquire(), max(0.0, latest - time.monotonic()))
        except TimeoutError:
            st.skipped += 1
            log.warning("skipped %s: no slot before the cycle deadline", job.key)
            return
        self.in_flight += 1
        try:
            points = await self._collect_by(job, deadline, st)
        finally:
            self.in_flight -= 1
            sem.release()
        if _up_of(points):
            st.ok += 1
        else:
            st.failed += 1
            st.failed_devices.append(job.key)
            st.reasons[job.key] = _reason(points)
        st.points += len(points)
        await self.sink(points)

    async def _collect_by(self, job: Job, deadline: float, st: CycleStats) -> list[Point]:
        """The job's points, or a down point at ``deadline`` — without waiting for a cut-off poll to unwind."""
        if (previous := self._lingering.get(job.key)) is not None and not previous.done():
            return [_down(job, "timeout: previous poll still running (cut off at an earlier deadline)")]
        task = asyncio.ensure_future(job.collector.collect(job.target))
        done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
        if not done:
            task.cancel()
            self._lingering[job.key] = task
            task.add_done_callback(functools.partial(self._unlinger, job.key))
            st.cut_off += 1
            return [_down(job, "timeout: poll cut off at the cycle deadline")]
        try:
            return task.result()
        except Exception as exc:  # a collector broke its promise not to raise: contain it
            log.exception("collector %s raised on %s", job.collector.name, job.key, exc_info=exc)
            return [_down(job, f"collector error: {exc.__class__.__name__}")]

    def _unlinger(self, key: str, task: asyncio.Task[list[Point]]) -> None:
        if self._lingering.get(key) is task:
            del self._lingering[key]
        if not task.cancelled() and task.exception() is not None:
            log.warning("poll %s ended after its cut-off with %r", key, task.exception())

    async def run_forever(self, stop: asyncio.Event, on_cycle: Callable[[CycleStats], Awaitable[None]]) -> None:
        """Cycles every ``period_s`` (on a fixed grid, never drifting) until ``stop`` is set."""
        start = time.monotonic()
        n = 0
        while not stop.is_set():
            cycle_start = start + n * self.period_s
            stats = await self.run_cycle(cycle_start)
            await on_cycle(stats)
            n += 1
            # If a cycle was somehow late (the loop was starved), skip grid slots rather than bunch up.
            while start + n * self.period_s < time.monotonic():
                n += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, start + n * self.period_s - time.monotonic()))
