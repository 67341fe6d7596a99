"""Ship a province's summaries and roll-ups to the national store through the collectors' durable spool.

One pass (``Shipper.run_once``):

1. **produce** — for each province, the complete 5-minute buckets since its checkpoint
   (a bucket is complete ``settle_s`` after its end, so late polls still in a collector's spool
   get in), hour piece by hour piece: the summaries (``federation/summary.py``) are appended to
   the spools and only then is the checkpoint moved (``state.json``, replaced atomically). A
   crash in between produces the piece again: the same points, which InfluxDB stores over
   themselves.  Every ``rollup_every_s`` the roll-up rows of the last days and years are queued
   too, with the province's county year rows computed then (``supervision/county_year.py``: the
   sums and assessment pools a national annual report reads), and last a ``federation_status``
   point (``through_ms``: the checkpoint).
2. **deliver** — the spools drain with the collectors' writer (``collectors/writer.py``), one
   spool per retention policy (``rollup``, ``summary_long``, then ``summary``, which carries the
   status): the status reaches the nation only after everything queued before it.  While the
   national store is unreachable the points wait on disk (SQLite WAL, fsync'd) and the pass says
   so; the next pass sends them, in order.  A point sent twice (a batch acknowledged but not yet
   deleted when the process died) overwrites itself: nothing is lost, nothing duplicated.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from collectors.spool import Spool
from collectors.writer import Writer
from federation.rollups import rollup_points
from federation.schema import (
    BUCKET_MS,
    DEVICE_DAILY,
    FEDERATION_STATUS,
    HOUR_MS,
    NATIONAL_RETENTION_POLICIES,
    ROLLUP_MEASUREMENTS,
    ROLLUP_RP,
    SUMMARY_LONG_RP,
    SUMMARY_RP,
)
from federation.summary import HourCache, summarise
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point, to_lines
from pdcs.storage import InfluxDB
from pdcs.storage.influx import InfluxError
from supervision.county_year import county_year_points
from supervision.periods import BEIJING
from supervision.schedule import HolidayCalendar
from supervision.serving import ServingRules

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
DEFAULT_SETTLE_S = 120.0
DEFAULT_FIRST_S = 86_400.0  # a province shipping for the first time, without --since: the last day
ROLLUP_DAYS_AGAIN = 3  # roll-up days re-copied each time: the roll-up job writes a day after it ends
DRAIN_ORDER = (ROLLUP_RP, SUMMARY_LONG_RP, SUMMARY_RP)
DEFAULT_RECHECK_S = 86_400.0  # how far back late polls make hours be produced again

Progress = Callable[[str, int, int], None]  # province, buckets done, buckets in all


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class ProvinceState:
    through_ms: int | None = None  # every bucket before this is queued
    rollups_from_ms: int | None = None  # roll-up rows from here on were queued …
    rollups_at_ms: int = 0  # … at this time
    # polls (device_up points) per 5-minute bucket when it was summarised, for the last ``recheck_s``:
    # a bucket whose count changed since got polls late (a collector's spool draining after its link
    # came back) and its hour is produced again
    polls: dict[str, int] = field(default_factory=dict)


@dataclass
class PassResult:
    queued: dict[str, int] = field(default_factory=dict)  # province → points queued this pass
    through_ms: dict[str, int] = field(default_factory=dict)
    delivered: bool = True  # every spool empty at the end
    pending: int = 0  # points still in the spools
    error: str = ""


class StateFile:
    """Each province's checkpoint, as JSON replaced atomically (write, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self.provinces = {p: ProvinceState(**v) for p, v in raw.get("provinces", {}).items()}

    def get(self, province: str) -> ProvinceState:
        return self.provinces.setdefault(province, ProvinceState())

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        body = {"provinces": {p: vars(s) for p, s in sorted(self.provinces.items())}}
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class Shipper:
    def __init__(
        self,
        inventory: Inventory,
        provinces: Iterable[str],
        province_store: Callable[[str], InfluxDB],
        national: InfluxDB,
        spool_dir: Path,
        *,
        settle_s: float = DEFAULT_SETTLE_S,
        rollup_every_s: float = 3600.0,
        device_daily: bool = False,
        recheck_s: float = DEFAULT_RECHECK_S,
        clock: Callable[[], int] = now_ms,
        rules: ServingRules | None = None,
        calendar: HolidayCalendar | None = None,
        batch_size: int = 5000,
    ) -> None:
        self.inventory = inventory
        self.provinces = sorted(set(provinces))
        self.province_store = province_store
        self.national = national
        self.settle_ms = int(settle_s * 1000)
        self.rollup_every_ms = int(rollup_every_s * 1000)
        self.recheck_ms = int(recheck_s * 1000)
        self.rollup_measurements = ROLLUP_MEASUREMENTS + ((DEVICE_DAILY,) if device_daily else ())
        self.clock = clock
        self.rules = rules
        self.calendar = calendar
        spool_dir.mkdir(parents=True, exist_ok=True)
        self.state = StateFile(spool_dir / "state.json")
        self.hour_cache = {p: HourCache() for p in self.provinces}
        self.spools = {rp: Spool(spool_dir / f"{rp}.sqlite", max_points=10_000_000) for rp in DRAIN_ORDER}
        self.writers = {
            rp: Writer(
                sp,
                national,
                batch_size=batch_size,
                retention_policy=rp,
                schema=NATIONAL_RETENTION_POLICIES,
            )
            for rp, sp in self.spools.items()
        }

    def close(self) -> None:
        for sp in self.spools.values():
            sp.close()

    @property
    def pending(self) -> int:
        return sum(sp.depth for sp in self.spools.values())

    # -- produce -------------------------------------------------------------
    def _queue(self, rp: str, points: list[Point]) -> int:
        return self.spools[rp].append(to_lines(points)) if points else 0

    def produce(self, province: str, since_ms: int | None = None, progress: Progress | None = None) -> int:
        """Queue the province's complete buckets since its checkpoint (or ``since_ms``); returns points queued."""
        now = self.clock()
        st = self.state.get(province)
        limit = (now - self.settle_ms) // BUCKET_MS * BUCKET_MS
        start = since_ms if since_ms is not None else st.through_ms
        if start is None:
            start = now - int(DEFAULT_FIRST_S * 1000)
        start = start // BUCKET_MS * BUCKET_MS
        queued = 0
        store = self.province_store(province)
        if start < limit:
            total = (limit - start) // BUCKET_MS
            polls = self._poll_counts(store, province, start, limit)  # before: a poll arriving meanwhile shows
            cache = self.hour_cache[province] if since_ms is None else HourCache()
            pieces = summarise(store, self.inventory, province, start, limit, now, self.rules, self.calendar, cache)
            for end, summaries in pieces:
                queued += self._queue_summaries(summaries.points())
                st.through_ms = max(st.through_ms or 0, end) if since_ms is None else end
                st.polls.update({str(t): n for t, n in polls.items() if t < end})
                self.state.save()
                if progress:
                    progress(province, (end - start) // BUCKET_MS, total)
            if since_ms is None and limit % HOUR_MS == 0:  # once an hour: hours that got polls late
                queued += self._late(province, store, now, st, start)
        queued += self._rollups(province, store, now, st, since_ms)
        through = st.through_ms if st.through_ms is not None else start
        status = Point(
            FEDERATION_STATUS, {"province": province}, {"through_ms": through, "shipped_at_ms": now}, now * 1_000_000
        )
        queued += self._queue(SUMMARY_RP, [status])
        self.state.save()
        return queued

    def _queue_summaries(self, points: tuple[list[Point], list[Point]]) -> int:
        five, hourly = points
        return self._queue(SUMMARY_LONG_RP, hourly) + self._queue(SUMMARY_RP, five)

    @staticmethod
    def _poll_counts(store: InfluxDB, province: str, start: int, end: int) -> dict[int, int]:
        q = (
            f'SELECT count("up") FROM "{DEVICE_UP}" WHERE "province" = $p AND time >= {start}ms AND time < {end}ms '
            "GROUP BY time(5m) fill(none)"
        )
        return {int(t): int(n) for s in store.query(q, params={"p": province}) for t, n in s.values if n}

    def _late(self, province: str, store: InfluxDB, now: int, st: ProvinceState, start: int) -> int:
        """Produce again the hours whose polls before ``start`` (summarised by earlier passes) changed since."""
        known = {int(t): n for t, n in st.polls.items()}
        if not known:
            return 0
        since = max(min(known), start - self.recheck_ms)
        since -= since % BUCKET_MS
        counts = self._poll_counts(store, province, since, start) if since < start else {}
        changed = {
            t for t in counts.keys() | {t for t in known if since <= t < start} if counts.get(t, 0) != known.get(t, 0)
        }
        queued = 0
        for hour in sorted({t - t % HOUR_MS for t in changed}):
            log.info("%s: polls of %s arrived late; producing that hour again", province, hour)
            for _, summaries in summarise(
                store, self.inventory, province, hour, hour + HOUR_MS, now, self.rules, self.calendar
            ):
                queued += self._queue_summaries(summaries.points())
        known.update(counts)
        st.polls = {str(t): n for t, n in sorted(known.items()) if t >= start - self.recheck_ms}
        return queued

    def _rollups(self, province: str, store: InfluxDB, now: int, st: ProvinceState, since_ms: int | None) -> int:
        if since_ms is None and st.rollups_at_ms and now - st.rollups_at_ms < self.rollup_every_ms:
            return 0
        if since_ms is not None:
            start = since_ms - DAY_MS  # the local day holding ``since`` began up to a day before it in UTC
        elif st.rollups_from_ms is not None:
            start = max(st.rollups_from_ms, st.rollups_at_ms - ROLLUP_DAYS_AGAIN * DAY_MS)
        else:
            start = now - int(DEFAULT_FIRST_S * 1000) - DAY_MS
        year_start = datetime.fromtimestamp(now / 1000, BEIJING).replace(
            month=1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        # the yearly rows (time = 1 January, Beijing) of this year, and of last year early in January
        yearly_from = min(start, int(year_start.replace(year=year_start.year - 1).timestamp() * 1000))
        queued = 0
        for m in self.rollup_measurements:
            points = rollup_points(store, m, province, yearly_from if m == "facility_yearly" else start, now + DAY_MS)
            queued += self._queue(ROLLUP_RP, points)
        for year in range(datetime.fromtimestamp(yearly_from / 1000, BEIJING).year, year_start.year + 1):
            queued += self._queue(ROLLUP_RP, county_year_points(store, self.inventory, province, year))
        st.rollups_from_ms = now - now % DAY_MS
        st.rollups_at_ms = now
        return queued

    # -- deliver -------------------------------------------------------------
    async def _deliver(self) -> None:
        for rp in DRAIN_ORDER:
            await self.writers[rp].drain()

    def deliver(self) -> str:
        """Send what the spools hold, in order; "" when all went, else why not (the points stay queued)."""
        try:
            asyncio.run(self._deliver())
        except InfluxError as exc:
            return str(exc) or type(exc).__name__
        return ""

    def run_once(self, since_ms: int | None = None, progress: Progress | None = None) -> PassResult:
        result = PassResult()
        for p in self.provinces:
            result.queued[p] = self.produce(p, since_ms, progress)
            result.through_ms[p] = self.state.get(p).through_ms or 0
        result.error = self.deliver()
        result.pending = self.pending
        result.delivered = not result.error and result.pending == 0
        if result.error:
            log.warning("national store unavailable (%s): %d points kept in the spool", result.error, result.pending)
        return result
