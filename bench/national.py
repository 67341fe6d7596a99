"""National scale (issue 19): boards on summaries at 10^6 devices, the raw peer, a province's link cut.

On loopback: K provincial InfluxDBs and a national one (``devstack.influxdb``, free ports,
tmp folders).  For each fleet size of the curve (default 10^4, 10^5, 10^6 devices;
``bench/national_data.py`` has the layout) the national store gets, in the schema of
NATIONAL.md §2: ``county_summary``/``province_summary`` for every county, 5-minute tier
(RP ``summary``) for the last ``--days-5m`` days and hourly tier (RP ``summary_long``) for
31 days, ``federation_status``, ``facility_daily`` for the last two days and one
``facility_yearly`` row per facility.  Then, per size:

* ``national_board_s`` / ``province_board_s``: every variable and panel query of the board
  (``dashboards/``, on the summaries) over the last 24 h, substituted as Grafana sends them,
  run one after another (the slowest of three openings); ``*_30d_s`` over 30 days.
* ``national_annual_report_s``: the nation's availability of the year plus its annual
  assessment as the national API answers them (``supervision.national_answers``), from the
  county year rows (``supervision/county_year.py``) that each province's shipper computes from its
  ``facility_yearly`` rows — computed here by that same code, province by province, from the
  synthetic year rows (``county_rows_build_s``: all provinces; ``county_rows_largest_province_s``:
  the largest, a shipper's cost each ``rollup_every_s``).  Up to 10^5 devices the facility path
  (``supervision.answers``, every ``facility_yearly`` row, as ``bench/supervision.py`` times it)
  runs too (``facility_path_report_s``) and both must give the same figures (``same_figures``).
* ``national_report_document_s``: the whole year report document of the nation (``reports.gather.build_report``,
  what ``pdcs report -r 0`` builds) with the national store, per step in ``national_report_document_steps``;
  the national store stands for the province stores too (no raw points: security and grading find none,
  service use reads the ``facility_yearly`` rows copied there).

Once, at the largest size:

* ``raw_national_board_s`` (the peer): the national board as it was before issue 19
  (raw points, ``dashboards/boards/raw_regions.py``) over 24 h of raw collector output
  (``devstack.history``, a poll every 10 minutes) for a sample of counties, one county in
  each of the first provincial stores; timed on the sample and scaled linearly to the
  fleet (``× devices ÷ sample devices``; the full run measures two sample sizes to show
  the cost is linear in devices).  A raw national board over K provincial stores would
  also have to ask each of them; the sum over stores is what is scaled.
* ``replication_lost`` / ``replication_duplicated``: ``bench/national_replication.py``.

Usage: ``python bench/national.py [--quick] [--sizes 10000,100000,1000000] [--provinces K]``;
the last line is JSON (ours beside the raw peer).  ``--quick``: 3 provincial stores,
10^4 devices, raw points for 20 facilities (100 devices) — under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import national_boards as nb
from bench import national_data as nd
from bench import national_replication as nr
from bench.supervision import national_report as facility_path_report
from dashboards.templating import TimeRange
from devstack.history import write_week
from devstack.influxdb import InfluxServer, start_influxdb
from federation import schema as fs
from inventory.models import Inventory
from pdcs.points import to_lines
from pdcs.settings import RETENTION_POLICIES, ROLLUP_RP
from pdcs.storage import InfluxDB
from pdcs.storage.influx import InfluxError
from reports.gather import build_report
from supervision import national_answers
from supervision.county_year import county_year_points
from supervision.periods import year_period

PROVINCE_DB = "pdcs"
ROLLUP_DAYS = 2


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class Stores:
    national: InfluxServer
    provinces: list[InfluxServer]

    def stop(self) -> None:
        for s in [self.national, *self.provinces]:
            s.stop()


def start_stores(base: Path, k: int) -> Stores:
    national = start_influxdb(base / "national")
    provinces = [start_influxdb(base / f"province{i}") for i in range(k)]
    return Stores(national, provinces)


def load_national(db: InfluxDB, c: nd.Country, now_s: int, days_5m: float, sched: Any) -> tuple[int, float]:
    """Write the summaries and roll-ups of ``c`` into the national store; (lines, seconds)."""
    db.ensure_database(fs.NATIONAL_RETENTION_POLICIES)
    counties = list(c.counties)
    end = now_s - now_s % nd.BUCKET_S
    start_5m = end - int(days_5m * 86400)
    hour_end = now_s - now_s % nd.HOUR_S
    start_1h = hour_end - 31 * 86400
    daily = rollup_days(now_s)
    # One job per thread: the generators are Python (one core), InfluxDB parses on the other.
    jobs = [
        lambda: nd.write(db, nd.summary_lines(counties, start_5m, end, nd.BUCKET_S), fs.SUMMARY_RP),
        lambda: nd.write(db, nd.summary_lines(counties, start_1h, hour_end, nd.HOUR_S), fs.SUMMARY_LONG_RP),
        lambda: nd.write(db, nd.status_lines(c.provinces, end, {c.provinces[-1]: 3 * 3600}), fs.SUMMARY_RP),
        lambda: nd.write(db, nd.yearly_lines(counties, sched), fs.ROLLUP_RP),
        lambda: nd.write(db, nd.daily_lines(counties, daily, sched), fs.ROLLUP_RP),
    ]
    t0 = time.perf_counter()
    n = nd.write_parallel(jobs)
    return n, time.perf_counter() - t0


def rollup_days(now_s: int) -> list[date]:
    """The days of ``facility_daily`` written: the last ROLLUP_DAYS before today, within the report's year."""
    today = date.fromtimestamp(now_s)
    days = [today - timedelta(days=i) for i in range(ROLLUP_DAYS, 0, -1)]
    return [d for d in days if d.year == nd.YEAR]


def time_board(board: nb.BoardQueries, db: InfluxDB, tr: TimeRange, repeat: int = 3) -> nb.Opened:
    """The slowest of ``repeat`` openings (errors from all)."""
    runs = [nb.open_board(board, db, tr) for _ in range(repeat)]
    worst = max(runs, key=lambda o: o.seconds)
    worst.errors = sorted({e for o in runs for e in o.errors})
    return worst


def boards_at(db: InfluxDB, now_ms: int) -> dict[str, Any]:
    """Open the national and province boards over 24 h and 30 days."""
    out: dict[str, Any] = {}
    for key, uid in (("national_board", nb.NATIONAL), ("province_board", nb.PROVINCE)):
        board = nb.board(uid)
        for suffix, span in (("", "now-24h"), ("_30d", "now-30d")):
            o = time_board(board, db, TimeRange(span, "now", now_ms))
            out[f"{key}{suffix}_s"] = round(o.seconds, 3)
            out[f"{key}{suffix}_detail"] = {
                "queries": o.queries,
                "rows": o.rows,
                "slowest": [o.slowest[0], round(o.slowest[1], 3)],
                "errors": o.errors,
            }
    return out


FACILITY_PATH_MAX_DEVICES = 100_000  # the facility path takes ~90 s at 10^6: measured up to 10^5


def county_rows(db: InfluxDB, inv: Inventory, provinces: tuple[str, ...] | list[str]) -> tuple[int, float, float]:
    """Each province's county year rows computed as its shipper does, written to the national store:
    (rows, seconds for all provinces, seconds for the largest)."""
    rows, largest = 0, 0.0
    t0 = time.perf_counter()
    for p in provinces:
        t = time.perf_counter()
        points = county_year_points(db, inv, p, nd.YEAR)
        largest = max(largest, time.perf_counter() - t)
        rows += db.write_lines(to_lines(points), retention_policy=ROLLUP_RP)
    return rows, time.perf_counter() - t0, largest


def national_report(db: InfluxDB, inv: Inventory, now_ms: int) -> tuple[float, dict[str, object]]:
    """The nation's year availability and annual assessment as the national API answers them."""
    t0 = time.perf_counter()
    avail = national_answers.region_availability(db, inv, "", year_period(nd.YEAR), "全国", now_ms=now_ms)
    assess = national_answers.region_assessment(db, db, inv, "", nd.YEAR)
    took = time.perf_counter() - t0
    return took, {
        "availability": avail["availability"],
        "facilities": avail["facilities"],
        "score": assess["score"],
        "coverage": assess["coverage"],
        "source": avail["source"],
        "basis": assess["basis"],
    }


def national_report_document(db: InfluxDB, inv: Inventory) -> tuple[float, dict[str, float]]:
    """The whole national year report document (``pdcs report -r 0``) with the national store: (seconds, per
    step). ``db`` stands for the province stores too: it holds no raw points, so the sections that read them
    (security, grading) find none; usage reads the ``facility_yearly`` rows copied there."""
    steps: dict[str, float] = {}
    last = time.perf_counter()

    def progress(step: int, total: int, what: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps[what] = round(now - last, 3)
        last = now

    t0 = time.perf_counter()
    build_report(db, inv, "", year_period(nd.YEAR), "zh", progress, national=db)
    return time.perf_counter() - t0, steps


def one_size(server: InfluxServer, devices: int, now_s: int, days_5m: float, sched: Any) -> dict[str, Any]:
    c = nd.country(devices)
    db = InfluxDB(server.url, f"{fs.NATIONAL_DB}", timeout_s=300)
    db.execute(f'DROP DATABASE "{fs.NATIONAL_DB}"')
    lines, load_s = load_national(db, c, now_s, days_5m, sched)
    print(f"{c.devices:,} devices, {len(c.counties)} counties: {lines:,} lines in {load_s:.1f} s", file=sys.stderr)
    fig: dict[str, Any] = {
        "devices": c.devices,
        "facilities": c.facilities,
        "counties": len(c.counties),
        "provinces": len(c.provinces),
        "lines": lines,
        "load_s": round(load_s, 1),
        "load_avg_before": load_avg(),
    }
    fig |= boards_at(db, now_s * 1000)
    print(
        f"  boards 24 h: national {fig['national_board_s']} s, province {fig['province_board_s']} s; "
        f"30 d: {fig['national_board_30d_s']} s, {fig['province_board_30d_s']} s (load {load_avg()})",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    inv = nd.inventory(c)
    fig["inventory_build_s"] = round(time.perf_counter() - t0, 1)
    rows, build_s, largest_s = county_rows(db, inv, c.provinces)
    fig |= {"county_rows": rows, "county_rows_build_s": round(build_s, 1)}
    fig["county_rows_largest_province_s"] = round(largest_s, 2)
    t0 = time.perf_counter()
    try:
        report_s, summary = national_report(db, inv, now_s * 1000)
        fig["national_annual_report_s"] = round(report_s, 3)
        fig["national_annual_report"] = summary
    except InfluxError as exc:  # a query outlasting InfluxDB's query timeout is a finding
        fig["national_annual_report_s"] = None
        fig["national_annual_report_error"] = f"{exc} after {time.perf_counter() - t0:.1f} s"
    t0 = time.perf_counter()
    try:
        doc_s, doc_steps = national_report_document(db, inv)
        fig["national_report_document_s"] = round(doc_s, 3)
        fig["national_report_document_steps"] = doc_steps
    except InfluxError as exc:
        fig["national_report_document_s"] = None
        fig["national_report_document_error"] = f"{exc} after {time.perf_counter() - t0:.1f} s"
    print(
        f"  national report document: {fig['national_report_document_s']} s "
        f"{fig.get('national_report_document_steps', fig.get('national_report_document_error'))}",
        file=sys.stderr,
    )
    if devices <= FACILITY_PATH_MAX_DEVICES and fig["national_annual_report_s"] is not None:
        peer_s, peer = facility_path_report(db, inv)
        fig["facility_path_report_s"] = round(peer_s, 3)
        ours = fig["national_annual_report"]
        fig["same_figures"] = all(peer[k] == ours[k] for k in ("availability", "facilities", "score", "coverage"))
    fig["load_avg_after"] = load_avg()
    del inv
    db.close()
    print(
        f"  annual report: {fig['national_annual_report_s']} s from {fig['county_rows']} county rows "
        f"(built in {fig['county_rows_build_s']} s, largest province {fig['county_rows_largest_province_s']} s; "
        f"facility path {fig.get('facility_path_report_s')} s, same figures {fig.get('same_figures')}) "
        f"{fig.get('national_annual_report_error', '')} (load {fig['load_avg_after']})",
        file=sys.stderr,
    )
    return fig


def raw_peer(
    stores: Stores, c: nd.Country, now_s: int, sample_counties: int, steps: int, facilities: int, sched: Any
) -> tuple[dict[str, Any], list[tuple[nd.County, InfluxServer]]]:
    """Today's raw boards on raw points of a sample of counties, scaled to ``c.devices``; and the sample.

    The sample's provincial stores also get the counties' roll-ups (the shipper copies them)."""
    # Counties of distinct provinces first; province i lives in store i % K (as a shard map would put it).
    k = len(stores.provinces)
    picks: list[tuple[nd.County, InfluxServer]] = []
    for i in range(sample_counties):
        p = i % min(k, len(c.provinces))
        county = c.counties_of(c.provinces[p])[i // min(k, len(c.provinces))]
        county = nd.County(county.index, county.code, min(county.facilities, facilities))  # its first facilities
        picks.append((county, stores.provinces[p % k]))
    dbs = {s.url: InfluxDB(s.url, PROVINCE_DB, timeout_s=300) for s in stores.provinces}
    for d in dbs.values():
        d.execute(f'DROP DATABASE "{PROVINCE_DB}"')
        d.ensure_database(RETENTION_POLICIES)
    # Write in ``steps`` growing samples and time after each: the cost against devices.
    chunks = [picks[: max(1, len(picks) * (i + 1) // steps)] for i in range(steps)]
    written_counties: set[str] = set()
    points = 0
    samples = []
    write_s = 0.0
    for chunk in chunks:
        for county, server in chunk:
            if county.code in written_counties:
                continue
            written_counties.add(county.code)
            t0 = time.perf_counter()
            points += write_week(dbs[server.url], nd.inventory(c, [county]), now_s, days=1)
            write_s += time.perf_counter() - t0
            nd.write(dbs[server.url], nd.yearly_lines([county], sched), ROLLUP_RP)
            nd.write(dbs[server.url], nd.daily_lines([county], rollup_days(now_s), sched), ROLLUP_RP)
        sample_devices = sum(county.devices for county, _ in chunk)
        used = {server.url for _, server in chunk}
        tr = TimeRange("now-24h", "now", now_s * 1000)
        nat = sum(time_board(nb.raw(nb.NATIONAL), dbs[u], tr, repeat=1).seconds for u in used)
        # the province board per store (one province each): seconds per device of the slowest
        per_store = {u: sum(x.devices for x, srv in chunk if srv.url == u) for u in used}
        prov_s, prov_devices = max(
            ((time_board(nb.raw(nb.PROVINCE), dbs[u], tr, repeat=1).seconds, n) for u, n in per_store.items()),
            key=lambda x: x[0] / x[1],
        )
        samples.append(
            {
                "sample_devices": sample_devices,
                "stores": len(used),
                "national_s": round(nat, 3),
                "province_s": round(prov_s, 3),
                "province_devices": prov_devices,
            }
        )
        print(
            f"  raw boards on {sample_devices} devices: national {nat:.2f} s, "
            f"province {prov_s:.2f} s on {prov_devices} devices",
            file=sys.stderr,
        )
    last = samples[-1]
    province_devices = max(sum(x.devices for x in c.counties_of(p)) for p in c.provinces)
    for d in dbs.values():
        d.close()
    return {
        "raw_points": points,
        "raw_write_s": round(write_s, 1),
        "raw_samples": samples,
        # linear: the raw queries group by device (one series each); see the module docstring
        "raw_national_board_s": round(last["national_s"] * c.devices / last["sample_devices"], 1),
        "raw_province_board_s": round(last["province_s"] * province_devices / last["province_devices"], 1),
        "raw_scaling": f"measured on {last['sample_devices']} devices × {c.devices} / {last['sample_devices']} "
        f"(province: one store's {last['province_devices']} devices × {province_devices} devices of the largest "
        f"province / {last['province_devices']})",
    }, picks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 provincial stores, 10^4 devices, 100 raw devices (< 60 s)")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="fleet sizes of the curve (devices)")
    ap.add_argument("--provinces", type=int, default=31, help="provincial InfluxDBs (31 = one per province)")
    ap.add_argument("--days-5m", type=float, default=1.05, help="days of the 5-minute tier (24 h boards need 1)")
    ap.add_argument("--raw-counties", type=int, default=4, help="counties with raw points (the peer's sample)")
    ap.add_argument("--raw-facilities", type=int, default=nd.FACILITIES_PER_COUNTY, help="facilities of a raw county")
    ap.add_argument("--replication-buckets", type=int, default=288, help="5-minute buckets of the cut day")
    ap.add_argument("--shipper-hours", type=int, default=22, help="hours of the cut day the shipper ships")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.provinces, args.raw_counties, args.raw_facilities, args.shipper_hours = "10000", 3, 1, 20, 8
    sizes = [int(s) for s in args.sizes.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still stops the InfluxDBs (finally below)
    now_s = int(time.time())
    started = time.perf_counter()
    out: dict[str, Any] = {"load_avg_start": load_avg(), "provincial_stores": args.provinces}
    with tempfile.TemporaryDirectory(prefix="pdcs-national-") as tmp:
        stores = start_stores(Path(tmp), args.provinces)
        try:
            sched = nd.year_scheduled()
            curve = [one_size(stores.national, n, now_s, args.days_5m, sched) for n in sizes]
            top = curve[-1]
            c = nd.country(sizes[-1])
            figures, picks = raw_peer(
                stores, c, now_s, args.raw_counties, 1 if args.quick else 2, args.raw_facilities, sched
            )
            out |= figures
            national = InfluxDB(stores.national.url, fs.NATIONAL_DB, timeout_s=120)
            # The transport alone at full size: the largest province's summaries of a day through spool + writer,
            # a day well before the bulk-loaded 5-minute tier.
            province = max(c.provinces, key=lambda p: len(c.counties_of(p)))
            day = now_s - now_s % 86400 - 10 * 86400
            transport = nr.measure(
                national,
                stores.national.http_port,
                c.counties_of(province),
                day,
                Path(tmp) / "spool",
                args.replication_buckets,
            )
            print(f"  link cut, spool + writer: {transport.as_dict()}", file=sys.stderr)
            # End to end: the shipper of federation/ on the raw sample's first county (its province's store).
            county, server = picks[0]
            province_db = InfluxDB(server.url, PROVINCE_DB, timeout_s=120)
            start_ms = (now_s - 86400) // 3600 * 3600 * 1000 + 3_600_000
            try:
                rep = nr.measure_shipper(
                    national,
                    stores.national.http_port,
                    province_db,
                    nd.inventory(c, [county]),
                    county.province,
                    start_ms,
                    args.shipper_hours,
                    Path(tmp) / "shipper",
                )
                print(f"  link cut, federation shipper: {rep.as_dict()}", file=sys.stderr)
            except Exception as exc:  # the shipper failing is a finding: say so, keep the transport's figures
                out["replication_error"] = f"federation shipper failed: {type(exc).__name__}: {exc}"
                print(f"  link cut, federation shipper: {out['replication_error']}", file=sys.stderr)
                rep = transport
            province_db.close()
            national.close()
        finally:
            stores.stop()
    keys = (
        "national_board_s",
        "province_board_s",
        "national_board_30d_s",
        "province_board_30d_s",
        "national_annual_report_s",
        "national_report_document_s",
    )
    out |= {k: top[k] for k in keys}
    out["national_report_document_steps"] = top.get("national_report_document_steps")
    out |= {
        "devices": top["devices"],
        "replication_lost": rep.lost,
        "replication_duplicated": rep.duplicated,
        "replication": rep.as_dict(),
        "replication_transport": transport.as_dict(),
        "county_rows_largest_province_s": top["county_rows_largest_province_s"],
        "facility_path_report_s": top.get("facility_path_report_s"),
        "same_figures": top.get("same_figures"),
        "curve": [
            {
                k: f.get(k)
                for k in (
                    "devices",
                    "counties",
                    "lines",
                    "load_s",
                    "load_avg_after",
                    "county_rows_build_s",
                    "facility_path_report_s",
                    "same_figures",
                    *keys,
                )
            }
            for f in curve
        ],
        "detail": {f["devices"]: {k: v for k, v in f.items() if k.endswith("_detail")} for f in curve},
        "load_avg_end": load_avg(),
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
