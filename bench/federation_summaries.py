"""Benchmark: producing the national summaries — InfluxDB continuous queries vs the shipping job.

A synthetic province on a real InfluxDB: N devices (default 2,000) in facilities of five (a
switch with its uplink, an AP, two terminals, a kiosk), 50 facilities a county, open 09:00–17:00;
one day of minute polls (``device_up``), uplink rates (``interface``), AP client totals
(``wireless``) and the collector's points; a tenth of the switches down for an hour; the
collector silent for 20 minutes (those devices are *unknown*, not down).  Then:

* ``job_bucket_s`` / ``job_hour_s`` / ``job_day_s`` — ``federation.summary.summarise`` (what
  ``pdcs federation ship`` runs) for one 5-minute bucket, one hour (what a steady ``--loop``
  pass costs when an hour completes) and the whole day (a backfill after a link cut);
* ``cq_bucket_s`` / ``cq_day_s`` — the peer: the ``SELECT … INTO "summary"`` statements a
  continuous query would run, one per figure InfluxQL can express (devices answering up and
  polled, uplink bps, clients per county and 5-minute bucket; ``RESAMPLE``-free CQs run them
  for the last interval), for one bucket and as the day's backfill;
* ``cq_subquery_accepted`` — whether InfluxDB accepts a CQ holding the subquery the
  per-device "latest state" needs (created only: devstack runs InfluxDB with the CQ service off);
* ``cq_rows_in_silence`` / ``job_unknown_devices`` — during the collector's 20-minute silence the
  CQ has no poll to count, so it writes no row for that bucket (a board reads a gap — or 0 devices
  up), while the job says how many devices are unknown; a device that stopped answering while its
  collector was alive is also "no poll" to a CQ, but down to the job (liveness joins two
  measurements, which InfluxQL cannot);
* ``job_summary_points`` — points the job produces for the day.

``--quick`` (< 60 s): 150 devices.  The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from devstack.influxdb import start_influxdb  # noqa: E402
from federation.schema import NATIONAL_RETENTION_POLICIES  # noqa: E402
from federation.summary import summarise  # noqa: E402
from inventory.models import Device, Facility, Inventory, Region  # noqa: E402
from pdcs.points import COLLECTOR, DEVICE_UP, INTERFACE, WIRELESS, Point, to_lines  # noqa: E402
from pdcs.settings import RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION  # noqa: E402
from pdcs.storage import InfluxDB  # noqa: E402
from pdcs.storage.influx import InfluxError  # noqa: E402

CN = ZoneInfo("Asia/Shanghai")
WEEKDAYS = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
PER_FACILITY = ("switch", "wireless_ap", "e_reading_terminal", "e_reading_terminal", "kiosk")
FACILITIES_PER_COUNTY = 50
MINUTE = 60_000


def recent_weekday() -> date:
    day = datetime.now(CN).date() - timedelta(days=2)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def build(devices: int) -> Inventory:
    n_fac = max(1, devices // len(PER_FACILITY))
    regions = {"51": Region(code="51", name="四川省"), "5101": Region(code="5101", name="成都市")}
    facilities: dict[str, Facility] = {}
    devs: dict[str, Device] = {}
    for f in range(n_fac):
        county = f"5101{1 + f // FACILITIES_PER_COUNTY:02d}"
        regions.setdefault(county, Region(code=county, name=f"县{county}"))
        fid = f"f{f:05d}"
        facilities[fid] = Facility.model_validate(
            {"id": fid, "name": fid, "kind": "township_centre", "county": county, "opening_hours": WEEKDAYS}
        )
        for i, kind in enumerate(PER_FACILITY):
            extra = {"uplink_interface": "ge0/0/1"} if kind == "switch" else {}
            devs[f"{fid}-{i}"] = Device.model_validate({"id": f"{fid}-{i}", "kind": kind, "facility": fid, **extra})
    return Inventory(regions=regions, facilities=facilities, devices=devs)


def write_day(db: InfluxDB, inv: Inventory, t0: int, quiet: tuple[int, int]) -> int:
    rng = random.Random(19)
    switches = [d for d in inv.devices.values() if d.kind.value == "switch"]
    down = {d.id for d in rng.sample(switches, max(1, len(switches) // 10))}
    down_at = (t0 + 10 * 3_600_000, t0 + 11 * 3_600_000)
    written = 0
    for dev in inv.devices.values():
        tags = inv.device_tags(dev)
        pts = []
        for m in range(1440):
            t = t0 + m * MINUTE
            if quiet[0] <= t < quiet[1]:
                continue
            up = 0 if dev.id in down and down_at[0] <= t < down_at[1] else 1
            pts.append(Point(DEVICE_UP, tags | {"source": "snmp"}, {"up": up}, t * 1_000_000))
            if dev.kind.value == "switch" and up:
                f = {"in_bps": rng.uniform(1e6, 5e7), "out_bps": rng.uniform(1e5, 1e7)}
                pts.append(Point(INTERFACE, tags | {"ifname": "ge0/0/1", "uplink": "1"}, f, t * 1_000_000))
            if dev.kind.value == "wireless_ap":
                pts.append(Point(WIRELESS, tags | {"vendor": "x"}, {"clients": rng.randint(0, 30)}, t * 1_000_000))
        written += db.write_lines(to_lines(pts))
    col = [
        Point(COLLECTOR, {"collector": "c51", "regions": "51"}, {"cycle_s": 1.0}, (t0 + m * MINUTE) * 1_000_000)
        for m in range(1440)
        if not quiet[0] <= t0 + m * MINUTE < quiet[1]
    ]
    return written + db.write_lines(to_lines(col))


def cq_statements(a: int, b: int) -> list[str]:
    """What continuous queries into the summary RP could compute per county and 5-minute bucket."""
    cond = f"time >= {a}ms AND time < {b}ms"
    return [
        'SELECT sum("up") AS "polls_up", count("up") AS "polls" INTO "summary"."county_cq" FROM "device_up" '
        f'WHERE {cond} GROUP BY time(5m), "province", "city", "county"',
        'SELECT sum("i") AS "uplink_in_bps", sum("o") AS "uplink_out_bps" INTO "summary"."county_cq" FROM '
        '(SELECT mean("in_bps") AS "i", mean("out_bps") AS "o" FROM "interface" WHERE "uplink" = \'1\' '
        f'AND {cond} GROUP BY time(5m), "province", "city", "county", "device", "ifname") '
        f'WHERE {cond} GROUP BY time(5m), "province", "city", "county"',
        'SELECT sum("c") AS "clients" INTO "summary"."county_cq" FROM '
        '(SELECT mean("clients") AS "c" FROM "wireless" WHERE "ap" = \'\' AND "ssid" = \'\' '
        f'AND {cond} GROUP BY time(5m), "province", "city", "county", "device") '
        f'WHERE {cond} GROUP BY time(5m), "province", "city", "county"',
    ]


def timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="150 devices (< 60 s)")
    ap.add_argument("--devices", type=int, default=2000)
    args = ap.parse_args()
    n = 150 if args.quick else args.devices
    inv = build(n)
    day = recent_weekday()
    t0 = int(datetime.combine(day, datetime.min.time(), CN).timestamp() * 1000)
    t1 = t0 + 86_400_000
    quiet = (t0 + 14 * 3_600_000, t0 + 14 * 3_600_000 + 20 * MINUTE)
    now = t1 + 3_600_000
    with tempfile.TemporaryDirectory(prefix="pdcs-bench-fed-") as tmp:
        server = start_influxdb(Path(tmp) / "influx")
        try:
            db = InfluxDB(url=server.url, database="province", retries=1, timeout_s=600)
            db.ensure_database([(RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False)])
            for name, duration, *_ in NATIONAL_RETENTION_POLICIES:  # the CQ's target RP in the province store
                if name == "summary":
                    db.execute(f'CREATE RETENTION POLICY "{name}" ON "province" DURATION {duration} REPLICATION 1')
            t = time.perf_counter()
            raw = write_day(db, inv, t0, quiet)
            write_s = time.perf_counter() - t
            bucket = (t0 + 10 * 3_600_000, t0 + 10 * 3_600_000 + 300_000)
            hour = (t0 + 10 * 3_600_000, t0 + 11 * 3_600_000)

            def job(a: int, b: int) -> int:
                return sum(len(s.county) + len(s.hourly_county) for _, s in summarise(db, inv, "51", a, b, now))

            job_bucket_s = timed(lambda: job(*bucket))
            job_hour_s = timed(lambda: job(*hour))
            points: list[int] = []
            job_day_s = timed(lambda: points.append(job(t0, t1)))
            print(f"job: bucket {job_bucket_s:.3f} s, hour {job_hour_s:.3f} s, day {job_day_s:.2f} s", flush=True)
            cq_bucket_s = timed(lambda: [db.query(q) for q in cq_statements(*bucket)])
            # a CQ does not backfill: SELECT … INTO by hand, hour by hour (one statement for the whole day
            # exceeds InfluxDB's 60 s query timeout at 2,000 devices — measured in the first full run)
            cq_day_s = timed(
                lambda: [
                    db.query(q) for h in range(24) for q in cq_statements(t0 + h * 3_600_000, t0 + (h + 1) * 3_600_000)
                ]
            )
            try:
                db.execute(
                    'CREATE CONTINUOUS QUERY "cq_up" ON "province" BEGIN SELECT sum("up") INTO "summary"."cq_up" '
                    'FROM (SELECT last("up") AS "up" FROM "device_up" GROUP BY time(5m), "county", "device") '
                    'GROUP BY time(5m), "county" END'
                )
                accepted = True
            except InfluxError as exc:
                accepted = False
                print(f"CQ with a subquery refused: {exc}")
            # during the collector's silence: polls answered (the CQ's view) vs the job's unknown devices
            q0 = quiet[0] + 5 * MINUTE
            cq_rows = db.query(f'SELECT "polls_up" FROM "summary"."county_cq" WHERE time = {q0}ms')
            cq_silent_rows = sum(len(s.values) for s in cq_rows)
            summaries = next(s for _, s in summarise(db, inv, "51", q0, q0 + 300_000, now))
            unknown = sum(f["devices_unknown"] for f in summaries.county.values())
        finally:
            server.stop()
    figures = {
        "devices": n,
        "raw_points": raw,
        "write_s": round(write_s, 2),
        "job_bucket_s": round(job_bucket_s, 3),
        "job_hour_s": round(job_hour_s, 3),
        "job_day_s": round(job_day_s, 2),
        "job_summary_points": points[0],
        "cq_bucket_s": round(cq_bucket_s, 3),
        "cq_day_s": round(cq_day_s, 2),
        "cq_subquery_accepted": accepted,
        "cq_rows_in_silence": cq_silent_rows,
        "job_unknown_devices": unknown,
        "day": day.isoformat(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
