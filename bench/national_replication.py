"""A province's link to the national store cut for a simulated day: what is lost, what is duplicated.

The province ships through a durable spool (``collectors/spool.py``) drained by the
collectors' writer (``collectors/writer.py``) — what NATIONAL.md §2 says the national
shipper does — to the national InfluxDB through :class:`Link`, a loopback TCP relay the
bench can cut.  The simulated day (288 five-minute buckets of the province's
``county_summary``, ``province_summary`` and ``federation_status``) runs compressed:

1. link up: the first buckets are produced and shipped;
2. the link is cut the worst way — a write reaches InfluxDB, the answer is lost on the way
   back (so the writer must send that batch again) — then stays down while most of the
   day's buckets are produced into the spool;
3. the link comes back; the writer drains the spool.

The same day is written straight into a reference database beside it, and :func:`compare`
looks every point of the reference up in the shipped database: ``lost`` = reference points
(series + time) missing; ``duplicated`` = shipped points that are not in the reference or
whose values differ (a re-sent point overwrites itself: InfluxDB keys a point by series and
time, so a plain repeat is not a duplicate — NATIONAL.md §2).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.national_data import (
    BUCKET_S,
    County,
    status_lines,
    summary_lines,
    write,
)
from collectors.spool import Spool
from collectors.writer import Writer
from devstack.procs import free_port
from federation.schema import (
    BUCKET_MS,
    COUNTY_SUMMARY,
    FEDERATION_STATUS,
    HOUR_MS,
    NATIONAL_RETENTION_POLICIES,
    PROVINCE_SUMMARY,
    ROLLUP_MEASUREMENTS,
    ROLLUP_RP,
    SUMMARY_LONG_RP,
    SUMMARY_RP,
)
from federation.ship import Shipper
from inventory.models import Inventory
from pdcs.storage import InfluxDB

NS = "000000000"  # seconds → nanoseconds (the writer sends the default precision)
SHIPPED = ((SUMMARY_RP, COUNTY_SUMMARY), (SUMMARY_RP, PROVINCE_SUMMARY), (SUMMARY_RP, FEDERATION_STATUS))


class Link:
    """A TCP relay ``127.0.0.1:port`` → ``target`` on a thread of its own, that can be cut and restored."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="link", daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self.lose_next_answer = False  # forward the next request, drop InfluxDB's answer, then cut
        self.answers_lost = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, coro: Any) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def up(self) -> None:
        self._call(self._up())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        await self._cut()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for w in list(self._conns):
            w.transport.abort()
        self._conns.clear()

    async def _serve(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            u_reader, u_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            c_writer.transport.abort()
            return
        self._conns |= {c_writer, u_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, answers: bool) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    if answers and self.lose_next_answer:
                        self.lose_next_answer = False
                        self.answers_lost += 1
                        await self._cut()
                        return
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        with contextlib.suppress(asyncio.CancelledError):  # the relay was closed under it: a cut link
            await asyncio.gather(pipe(c_reader, u_writer, False), pipe(u_reader, c_writer, True))
        self._conns -= {c_writer, u_writer}


@dataclass
class Comparison:
    expected: int
    found: int
    lost: int
    extra: int
    differing: int

    @property
    def duplicated(self) -> int:
        return self.extra + self.differing


def _points(db: InfluxDB, rp: str, measurement: str, province: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every point of ``province`` in ``rp.measurement``: (series tags, time) → field values."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    keys = [r["tagKey"] for s in db.query(f'SHOW TAG KEYS FROM "{rp}"."{measurement}"') for r in s.rows()]
    q = f'SELECT * FROM "{rp}"."{measurement}" WHERE "province" = $p'
    for s in db.query(q, epoch="ns", params={"p": province}):
        for row in s.rows():
            tags = tuple((k, row.get(k)) for k in keys)
            out[(tags, row["time"])] = {k: v for k, v in row.items() if k not in keys and k != "time" and v is not None}
    return out


def compare(reference: InfluxDB, shipped: InfluxDB, province: str, what: Iterable[tuple[str, str]]) -> Comparison:
    """The shipped database against the reference, for ``province`` in each (retention policy, measurement)."""
    expected = found = extra = differing = 0
    for rp, m in what:
        want, got = _points(reference, rp, m, province), _points(shipped, rp, m, province)
        expected += len(want)
        found += sum(1 for k in want if k in got)
        extra += sum(1 for k in got if k not in want)
        differing += sum(1 for k, v in want.items() if k in got and got[k] != v)
    return Comparison(expected, found, expected - found, extra, differing)


@dataclass
class Replication:
    shipper: str  # what shipped: "spool+writer" (the harness) or "federation" (the national developer's)
    province: str
    buckets: int
    expected: int
    found: int
    lost: int
    duplicated: int
    differing: int
    answers_lost: int
    writer_failures: int  # failed writes (spool+writer) or passes that could not deliver (federation)
    spool_peak: int
    spool_dropped: int  # the spool's bound (drop-oldest) is the only way it loses points
    drain_s: float

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _pair(national: InfluxDB) -> tuple[InfluxDB, InfluxDB]:
    """Empty ``<db>_cut`` (what is shipped through the link) and ``<db>_ref`` (the reference) databases."""
    cut_db = InfluxDB(national.url, f"{national.database}_cut", timeout_s=120)
    ref_db = InfluxDB(national.url, f"{national.database}_ref", timeout_s=120)
    for d in (cut_db, ref_db):
        d.execute(f'DROP DATABASE "{d.database}"')
    return cut_db, ref_db


def _result(
    shipper: str,
    province: str,
    buckets: int,
    cmp: Comparison,
    link: Link,
    failures: int,
    peak: int,
    dropped: int,
    drain_s: float,
    dbs: tuple[InfluxDB, InfluxDB],
) -> Replication:
    """The figures of one cut day; the two databases dropped."""
    for d in dbs:
        d.execute(f'DROP DATABASE "{d.database}"')
        d.close()
    return Replication(
        shipper=shipper,
        province=province,
        buckets=buckets,
        expected=cmp.expected,
        found=cmp.found,
        lost=cmp.lost,
        duplicated=cmp.duplicated,
        differing=cmp.differing,
        answers_lost=link.answers_lost,
        writer_failures=failures,
        spool_peak=peak,
        spool_dropped=dropped,
        drain_s=round(drain_s, 3),
    )


def day_lines(counties: list[County], start_s: int, bucket: int) -> list[str]:
    """What the province ships for one bucket: its summaries and its federation status (ns precision)."""
    t = start_s + bucket * BUCKET_S
    lines = list(summary_lines(counties, t, t + BUCKET_S, BUCKET_S))
    lines += status_lines([counties[0].province], t + BUCKET_S)
    return [line + NS for line in lines]


async def _ship_day(
    link: Link, writer: Writer, spool: Spool, counties: list[County], start_s: int, buckets: int
) -> tuple[int, float]:
    stop = asyncio.Event()
    task = asyncio.create_task(writer.run(stop))
    peak = 0
    cut_at, back_at = buckets // 8, buckets - buckets // 16  # most of the day down
    for b in range(buckets):
        lines = day_lines(counties, start_s, b)
        if b == cut_at:
            link.lose_next_answer = True  # the write in flight arrives, its answer does not
        if b == back_at:
            link.up()
        await asyncio.to_thread(spool.append, lines)
        writer.wakeup.set()
        peak = max(peak, spool.depth)
        await asyncio.sleep(0.01 if link.answers_lost == 0 else 0)
        while b == cut_at and link.answers_lost == 0:  # wait for the cut to happen on a real write
            await asyncio.sleep(0.01)
    t0 = time.perf_counter()
    while spool.depth:
        await asyncio.sleep(0.05)
    drain_s = time.perf_counter() - t0
    stop.set()
    await task
    return peak, drain_s


def measure(
    national: InfluxDB,
    national_port: int,
    counties: list[County],
    start_s: int,
    spool_dir: Path,
    buckets: int = 288,
    max_points: int = 2_000_000,
) -> Replication:
    """Ship the cut day into ``national``'s ``<db>_cut`` database and compare it with ``<db>_ref``."""
    cut_db, ref_db = _pair(national)
    ref_db.ensure_database(NATIONAL_RETENTION_POLICIES)
    write(ref_db, (line for b in range(buckets) for line in day_lines(counties, start_s, b)), SUMMARY_RP, "ns")
    link = Link(national_port)
    link.up()
    shipper_db = InfluxDB(link.url, cut_db.database, timeout_s=10, retries=0)
    spool = Spool(spool_dir / "spool.sqlite", max_points=max_points)
    writer = Writer(
        spool,
        shipper_db,
        retention_policy=SUMMARY_RP,
        schema=NATIONAL_RETENTION_POLICIES,
        min_backoff_s=0.05,
        max_backoff_s=0.5,
    )
    try:
        peak, drain_s = asyncio.run(_ship_day(link, writer, spool, counties, start_s, buckets))
        dropped = spool.dropped
    finally:
        spool.close()
        link.close()
        shipper_db.close()
    province = counties[0].province
    cmp = compare(ref_db, cut_db, province, SHIPPED)
    return _result(
        "spool+writer", province, buckets, cmp, link, writer.failures, peak, dropped, drain_s, (cut_db, ref_db)
    )


def measure_shipper(
    national: InfluxDB,
    national_port: int,
    province_db: InfluxDB,
    inventory: Inventory,
    province: str,
    start_ms: int,
    hours: int,
    spool_dir: Path,
) -> Replication:
    """The same cut day shipped by the national developer's shipper (``federation.ship.Shipper``).

    The province's store holds raw points (and roll-ups) for ``hours`` from ``start_ms``; one
    pass an hour (the clock is the shipper's, stepped): the first passes delivered, then a pass
    whose write arrives and whose answer is lost, the link down for most of the day (the passes
    queue), back for the last hour, and passes until everything is delivered.  The reference is
    one pass over the whole day, with no cut, into ``<db>_ref``; every summary and roll-up point
    of the province is compared.
    """
    cut_db, ref_db = _pair(national)
    for d in (cut_db, ref_db):
        d.ensure_database(NATIONAL_RETENTION_POLICIES)
    settle_ms = 60_000
    clock = [start_ms]
    link = Link(national_port)
    link.up()
    shipper_db = InfluxDB(link.url, cut_db.database, timeout_s=10, retries=0)
    shipper = Shipper(
        inventory,
        [province],
        lambda _p: province_db,
        shipper_db,
        spool_dir / "cut",
        settle_s=60,
        clock=lambda: clock[0],
    )
    cut_at, back_at = max(1, hours // 8), hours - 1
    failed_passes = peak = 0
    try:
        for h in range(1, hours + 1):
            clock[0] = start_ms + h * HOUR_MS + settle_ms
            if h == cut_at:
                link.lose_next_answer = True
            if h == back_at:
                link.up()
            res = shipper.run_once(since_ms=start_ms if h == 1 else None)
            failed_passes += not res.delivered
            peak = max(peak, res.pending)
        t0 = time.perf_counter()
        for _ in range(10):
            if shipper.run_once().delivered:
                break
        drain_s = time.perf_counter() - t0
        dropped = sum(sp.dropped for sp in shipper.spools.values())
    finally:
        shipper.close()
        link.close()
        shipper_db.close()
    reference = Shipper(
        inventory, [province], lambda _p: province_db, ref_db, spool_dir / "ref", settle_s=60, clock=lambda: clock[0]
    )
    try:
        assert reference.run_once(since_ms=start_ms).delivered
    finally:
        reference.close()
    what = [(rp, m) for rp in (SUMMARY_RP, SUMMARY_LONG_RP) for m in (COUNTY_SUMMARY, PROVINCE_SUMMARY)]
    what += [(ROLLUP_RP, m) for m in ROLLUP_MEASUREMENTS]
    cmp = compare(ref_db, cut_db, province, what)
    buckets = hours * HOUR_MS // BUCKET_MS
    return _result("federation", province, buckets, cmp, link, failed_passes, peak, dropped, drain_s, (cut_db, ref_db))
