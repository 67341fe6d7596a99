"""A province's link to the national store cut for a simulated day: what is lost, what is duplicated.

The province ships its 5-minute summaries (``county_summary``, ``province_summary``,
``federation_status``) through a durable spool (``collectors/spool.py``) drained by the
collectors' writer (``collectors/writer.py``) — what NATIONAL.md §2 says the national
shipper does — to the national InfluxDB through :class:`Link`, a loopback TCP relay the
bench can cut.  The simulated day (288 buckets) runs compressed:

1. link up: the first buckets are produced and shipped;
2. the link is cut the worst way — a write reaches InfluxDB, the answer is lost on the way
   back (so the writer must send that batch again) — then stays down while the rest of the
   day's buckets are produced into the spool;
3. the link comes back; the writer drains the spool.

Then every expected point is looked up in the national store: ``lost`` = expected points
(series + bucket) missing; ``duplicated`` = points that are not expected or whose values
differ from what the province produced (a re-sent point overwrites itself: InfluxDB keys a
point by series and time, so a plain repeat is not a duplicate — NATIONAL.md §2).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from bench.national_data import (
    BUCKET_S,
    COUNTY_SUMMARY,
    FEDERATION_STATUS,
    FLOAT_FIELDS,
    INT_FIELDS,
    NATIONAL_RPS,
    PROVINCE_SUMMARY,
    SUMMARY_RP,
    County,
    status_lines,
    summary_lines,
)
from collectors.spool import Spool
from collectors.writer import Writer
from devstack.procs import free_port
from pdcs.storage import InfluxDB

NS = "000000000"  # seconds → nanoseconds (the writer sends the default precision)


class Link:
    """A TCP relay ``127.0.0.1:port`` → ``target`` that can be cut and restored."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self.lose_next_answer = False  # forward the next request, drop InfluxDB's answer, then cut
        self.answers_lost = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
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
                        await self.cut()
                        return
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        with contextlib.suppress(asyncio.CancelledError):  # the relay was closed under it: a cut link
            await asyncio.gather(pipe(c_reader, u_writer, False), pipe(u_reader, c_writer, True))
        self._conns -= {c_writer, u_writer}


@dataclass
class Replication:
    province: str
    buckets: int
    expected: int
    found: int
    lost: int
    duplicated: int
    differing: int
    answers_lost: int
    writer_failures: int
    spool_peak: int
    spool_dropped: int  # the spool's bound (drop-oldest) is the only way it loses points
    drain_s: float

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def day_lines(counties: list[County], start_s: int, bucket: int) -> list[str]:
    """What the province ships for one bucket: its summaries and its federation status (ns precision)."""
    t = start_s + bucket * BUCKET_S
    lines = list(summary_lines(counties, t, t + BUCKET_S, BUCKET_S))
    lines += status_lines([counties[0].province], t + BUCKET_S)
    return [line + NS for line in lines]


async def _cut_day(
    national: InfluxDB,
    national_port: int,
    counties: list[County],
    start_s: int,
    spool_dir: Path,
    buckets: int,
    max_points: int,
) -> tuple[dict[tuple[str, str, int], str], Link, Writer, Spool, int, float]:
    link = Link(national_port)
    await link.up()
    shipper_db = InfluxDB(link.url, national.database, timeout_s=10, retries=0)
    spool = Spool(spool_dir / "spool.sqlite", max_points=max_points)
    writer = Writer(
        spool, shipper_db, retention_policy=SUMMARY_RP, schema=NATIONAL_RPS, min_backoff_s=0.05, max_backoff_s=0.5
    )
    stop = asyncio.Event()
    task = asyncio.create_task(writer.run(stop))
    expected: dict[tuple[str, str, int], str] = {}
    peak = 0
    cut_at, back_at = buckets // 8, buckets - buckets // 16  # most of the day down
    for b in range(buckets):
        lines = day_lines(counties, start_s, b)
        for line in lines:
            key, _, rest = line.partition(" ")
            fields, _, ts = rest.rpartition(" ")
            expected[(key, fields, int(ts))] = line
        if b == cut_at:
            link.lose_next_answer = True  # the write in flight arrives, its answer does not
        if b == back_at:
            await link.up()
        await asyncio.to_thread(spool.append, lines)
        writer.wakeup.set()
        peak = max(peak, spool.depth)
        await asyncio.sleep(0.01 if link.answers_lost == 0 else 0)
        if b == cut_at:
            while link.answers_lost == 0:  # wait for the cut to happen on a real write
                await asyncio.sleep(0.01)
    t0 = time.perf_counter()
    while spool.depth:
        await asyncio.sleep(0.05)
    drain_s = time.perf_counter() - t0
    stop.set()
    await task
    await link.cut()
    shipper_db.close()
    return expected, link, writer, spool, peak, drain_s


def measure(
    national: InfluxDB,
    national_port: int,
    counties: list[County],
    start_s: int,
    spool_dir: Path,
    buckets: int = 288,
    max_points: int = 2_000_000,
) -> Replication:
    """Run the cut day and compare the national store with what the province produced."""
    expected, link, writer, spool, peak, drain_s = asyncio.run(
        _cut_day(national, national_port, counties, start_s, spool_dir, buckets, max_points)
    )
    dropped = spool.dropped
    spool.close()
    province = counties[0].province
    end_s = start_s + buckets * BUCKET_S
    want: dict[tuple[str, int], dict[str, object]] = {}
    for key, fields, ts in expected:
        want[(key, ts // 1_000_000_000)] = dict(_parse_field(f) for f in fields.split(","))
    got: dict[tuple[str, int], dict[str, object]] = {}
    status_end = end_s + BUCKET_S
    for measurement, cols, end in (
        (COUNTY_SUMMARY, ("city", "county", "province", *INT_FIELDS, *FLOAT_FIELDS), end_s),
        (PROVINCE_SUMMARY, ("province", *INT_FIELDS, *FLOAT_FIELDS), end_s),
        (FEDERATION_STATUS, ("province", "through_ms", "shipped_at_ms"), status_end),
    ):
        columns = ", ".join(f'"{c}"' for c in cols)
        q = (
            f'SELECT {columns} FROM "{SUMMARY_RP}"."{measurement}" '
            f"WHERE \"province\" = '{province}' AND time >= {start_s}s AND time < {end}s"
        )
        for s in national.query(q, epoch="s"):
            for row in s.rows():
                tags = [t for t in ("city", "county", "province") if t in cols]
                key = measurement + "".join(f",{t}={row[t]}" for t in tags)
                got[(key, int(row["time"]))] = {c: row[c] for c in cols if c not in tags and row[c] is not None}
    lost = sum(1 for k in want if k not in got)
    extra = sum(1 for k in got if k not in want)
    differing = sum(1 for k, v in want.items() if k in got and got[k] != v)
    return Replication(
        province=province,
        buckets=buckets,
        expected=len(want),
        found=sum(1 for k in want if k in got),
        lost=lost,
        duplicated=extra + differing,
        differing=differing,
        answers_lost=link.answers_lost,
        writer_failures=writer.failures,
        spool_peak=peak,
        spool_dropped=dropped,
        drain_s=round(drain_s, 3),
    )


def _parse_field(text: str) -> tuple[str, object]:
    k, _, v = text.partition("=")
    return (k, int(v[:-1])) if v.endswith("i") else (k, float(v))
