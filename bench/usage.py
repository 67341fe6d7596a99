"""Benchmark of the daily usage roll-up (服务效能): terminals' sessions and Wi-Fi use over one day.

A synthetic nation slice: N terminals (default 10,000) in facilities of 10
terminals and 2 APs (default 2,000 APs), 100 facilities a county, all open
09:00–21:00.  One day of agent data per terminal — a power-on period and
eight user sessions, every other terminal reporting idle time (each session
locked for its last 5 minutes: ``idle_s`` and an ``idle`` period) — and one
day of 5-minute polls per AP (a ``device_up`` point and ``wireless`` clients in total and per SSID, with the running
distinct-client count) are written to a real InfluxDB.  Then:

* ``usage_rollup_s`` — the usage roll-up of the day for every county, as
  ``pdcs rollup`` runs it (supervision/usage.py with supervision/wifi_usage.py:
  terminal periods read raw, Wi-Fi in 5-minute buckets computed by InfluxDB)
  and written to the ``rollup`` policy.  Goal ≤ 10 s for 10,000 terminals and
  2,000 APs.
* ``raw_replay_s`` — the peer: the facility Wi-Fi figures replayed in Python
  from the raw ``wireless`` and ``device_up`` points of the day and the
  terminal figures from the raw periods, without writing (what an answer for
  one day costs without the roll-up); roll-up and replay must agree (``agree``).
* ``influx_group_by_time_s`` — the alternative we measured and rejected:
  InfluxDB computing the 5-minute buckets of the Wi-Fi totals (``GROUP BY
  time(5m), device``); InfluxDB 1.x runs one iterator per series for it.

Beside the wall time, ``usage_rollup_cpu_s`` (this process's and InfluxDB's CPU
seconds over the roll-up) and ``load_avg_1m``: the machine is shared, and the
wall time grows with the others' work while the CPU time does not.

``--quick`` (< 60 s): 2,000 terminals and 400 APs.  The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psutil  # noqa: E402

from devstack.influxdb import InfluxServer, start_influxdb  # noqa: E402
from inventory.models import Device, Facility, Inventory, Region  # noqa: E402
from pdcs.points import DEVICE_UP, TERMINAL_SESSION, WIRELESS, Point, to_lines  # noqa: E402
from pdcs.settings import RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION  # noqa: E402
from pdcs.storage import InfluxDB  # noqa: E402
from supervision import usage, wifi_usage  # noqa: E402
from supervision.rollup import local_day  # noqa: E402
from supervision.schedule import official_calendar  # noqa: E402

CN = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)
EVERY_DAY = {d: "09:00-21:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SSIDS = ("pdcs-readers", "pdcs-guest")


def build(terminals: int, aps: int) -> Inventory:
    n_fac = max(1, terminals // 10)
    regions = {"51": Region(code="51", name="四川省"), "5101": Region(code="5101", name="成都市")}
    facilities, devices = {}, {}
    for f in range(n_fac):
        county = f"51{1 + f // 10000:02d}{1 + (f // 100) % 100:02d}"
        regions.setdefault(county[:4], Region(code=county[:4], name=f"市{county[:4]}"))
        regions.setdefault(county, Region(code=county, name=f"县{county}"))
        fid = f"f{f:05d}"
        facilities[fid] = Facility.model_validate(
            {"id": fid, "name": fid, "kind": "e_reading_room", "county": county, "opening_hours": EVERY_DAY}
        )
    fids = sorted(facilities)
    for i in range(terminals):
        d = Device.model_validate({"id": f"t{i:06d}", "kind": "e_reading_terminal", "facility": fids[i // 10 % n_fac]})
        devices[d.id] = d
    for i in range(aps):
        d = Device.model_validate({"id": f"ap{i:05d}", "kind": "wireless_ap", "facility": fids[i // 2 % n_fac]})
        devices[d.id] = d
    return Inventory(regions=regions, facilities=facilities, devices=devices)


def write_day(influx: InfluxDB, inv: Inventory, rng: random.Random) -> int:
    d0 = datetime.combine(DAY, datetime.min.time(), tzinfo=CN).timestamp()
    lines: list[str] = []
    written = 0

    def flush(force: bool = False) -> None:
        nonlocal lines, written
        if len(lines) >= 50_000 or (force and lines):
            written += influx.write_lines(lines)
            lines = []

    for dev in inv.devices.values():
        tags = inv.device_tags(dev)
        if dev.kind.value == "e_reading_terminal":
            pts = [
                Point(
                    TERMINAL_SESSION,
                    {**tags, "seat": "power"},
                    {"duration_s": 14 * 3600.0, "open": 0},
                    int((d0 + 8 * 3600) * 1e9),
                )
            ]
            reports_idle = int(dev.id[1:]) % 2 == 0  # every other terminal reports idle time (locks)
            for _ in range(8):
                start = d0 + rng.uniform(8.5, 21.5) * 3600
                fields: dict[str, float | int] = {"duration_s": rng.uniform(600, 5400), "open": 0}
                if reports_idle:  # locked for its last 5 minutes: the session's idle_s and the terminal's idle period
                    fields["idle_s"] = 300.0
                    locked = start + float(fields["duration_s"]) - 300
                    idle = {"duration_s": 300.0, "open": 0}
                    pts.append(Point(TERMINAL_SESSION, {**tags, "seat": "idle"}, idle, int(locked * 1e9)))
                pts.append(Point(TERMINAL_SESSION, {**tags, "seat": "graphical"}, fields, int(start * 1e9)))
            lines += to_lines(pts)
        else:
            seen = 0
            for k in range(288):
                t = d0 + k * 300 + 7
                ts = int(t * 1e9)
                hour = k / 12
                clients = rng.randint(0, 15) if 9 <= hour < 21 else 0
                seen += rng.randint(0, clients)
                split = rng.randint(0, clients)
                lines += to_lines(
                    [
                        Point(DEVICE_UP, {**tags, "source": "snmp"}, {"up": 1}, ts),
                        Point(WIRELESS, {**tags, "vendor": "h3c"}, {"clients": clients, "distinct_clients": seen}, ts),
                        Point(WIRELESS, {**tags, "vendor": "h3c", "ssid": SSIDS[0]}, {"clients": split}, ts),
                        Point(WIRELESS, {**tags, "vendor": "h3c", "ssid": SSIDS[1]}, {"clients": clients - split}, ts),
                    ]
                )
        flush()
    flush(True)
    return written


def cpu_s(server: InfluxServer) -> float:
    """CPU seconds so far of this process (all threads) and of the InfluxDB server."""
    t = psutil.Process(server.process.pid).cpu_times()
    return time.process_time() + t.user + t.system


def counties(inv: Inventory) -> list[str]:
    return sorted({f.county for f in inv.facilities.values()})


def rollup_usage(influx: InfluxDB, inv: Inventory) -> int:
    cal = official_calendar()
    return sum(usage.rollup_county_day(influx, inv, c, DAY, cal) for c in counties(inv))


def raw_replay(influx: InfluxDB, inv: Inventory) -> dict[str, tuple[int, float]]:
    """Per facility (peak clients, client-hours) replayed from every raw point, plus the terminal figures."""
    cal = official_calendar()
    period = local_day(DAY, CN)
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    out: dict[str, tuple[int, float]] = {}
    for county in counties(inv):
        facs = [f for f in inv.facilities.values() if f.county == county]
        periods = usage.fetch_periods(influx, {"county": county}, start, end)
        for fac in facs:
            usage.facility_usage(fac, usage.terminals_of(inv, fac), periods, period, cal).fields()
        q = (
            f"SELECT clients, facility FROM {WIRELESS} WHERE county = '{county}' AND ssid = '' AND ap = '' "
            f"AND radio = '' AND time >= {start}ms AND time < {end}ms GROUP BY device"
        )
        buckets: dict[str, dict[tuple[str, int], list[float]]] = defaultdict(lambda: defaultdict(list))
        for s in influx.query(q):
            dev = s.tags["device"]
            for t, clients, fid in s.values:
                buckets[fid][(dev, int(t) // wifi_usage.BUCKET_MS * wifi_usage.BUCKET_MS)].append(clients)
        q = (
            f"SELECT up FROM {DEVICE_UP} WHERE county = '{county}' AND kind = 'wireless_ap' "
            f"AND time >= {start}ms AND time < {end}ms"
        )
        sum(1 for s in influx.query(q) for _ in s.values)  # read as the replay would (coverage)
        for fid, rows in buckets.items():
            peak: dict[int, float] = defaultdict(float)
            client_s = 0.0
            for (_, b), vals in rows.items():
                peak[b] += max(vals)
                client_s += sum(vals) / len(vals) * wifi_usage.BUCKET_MS / 1000
            out[fid] = (int(max(peak.values())), client_s / 3600)
    return out


def influx_buckets(influx: InfluxDB, inv: Inventory) -> int:
    """The rejected alternative: InfluxDB computes the 5-minute buckets (GROUP BY time) of the Wi-Fi totals."""
    period = local_day(DAY, CN)
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    rows = 0
    for county in counties(inv):
        q = (
            f"SELECT max(clients), mean(clients), max(distinct_clients) FROM {WIRELESS} WHERE county = '{county}' "
            f"AND ssid = '' AND ap = '' AND radio = '' AND time >= {start}ms AND time < {end}ms "
            "GROUP BY time(5m), device fill(none)"
        )
        rows += sum(len(s.values) for s in influx.query(q))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 terminals and 400 APs (< 60 s)")
    ap.add_argument("--terminals", type=int, default=None)
    ap.add_argument("--aps", type=int, default=None)
    args = ap.parse_args()
    n_t = args.terminals or (2_000 if args.quick else 10_000)
    n_ap = args.aps or (400 if args.quick else 2_000)
    figures: dict[str, object] = {"terminals": n_t, "aps": n_ap, "day": DAY.isoformat()}
    with tempfile.TemporaryDirectory(prefix="pdcs-bench-usage-") as tmp:
        server = start_influxdb(Path(tmp) / "influx")
        try:
            influx = InfluxDB(url=server.url, database="pdcs", timeout_s=300)
            influx.ensure_database([(RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False)])
            inv = build(n_t, n_ap)
            figures["facilities"] = len(inv.facilities)
            figures["counties"] = len(counties(inv))
            t0 = time.perf_counter()
            figures["raw_points"] = write_day(influx, inv, random.Random(16))
            figures["write_s"] = round(time.perf_counter() - t0, 2)
            print(f"wrote {figures['raw_points']} points in {figures['write_s']} s", file=sys.stderr)
            time.sleep(2 if args.quick else 12)  # let InfluxDB snapshot its cache, as by the next morning
            figures["load_avg_1m"] = round(os.getloadavg()[0], 1)
            t0, cpu0 = time.perf_counter(), cpu_s(server)
            figures["rollup_rows"] = rollup_usage(influx, inv)
            figures["usage_rollup_s"] = round(time.perf_counter() - t0, 2)
            # what the roll-up cost in CPU, ours and InfluxDB's: unlike the wall time, it does not grow with
            # the other work on the machine
            figures["usage_rollup_cpu_s"] = round(cpu_s(server) - cpu0, 2)
            print(f"usage roll-up: {figures['usage_rollup_s']} s", file=sys.stderr)
            t0 = time.perf_counter()
            replay = raw_replay(influx, inv)
            figures["raw_replay_s"] = round(time.perf_counter() - t0, 2)
            rolled = {
                s.tags["facility"]: (int(v[1]), v[2])
                for s in influx.query(
                    f'SELECT wifi_peak_clients, wifi_client_hours FROM "{ROLLUP_RP}".facility_daily GROUP BY facility'
                )
                for v in s.values
            }
            figures["agree"] = len(rolled) == len(replay) and all(
                rolled[f][0] == replay[f][0] and abs(rolled[f][1] - replay[f][1]) < 1e-6 for f in replay
            )
            t0 = time.perf_counter()
            influx_buckets(influx, inv)
            figures["influx_group_by_time_s"] = round(time.perf_counter() - t0, 2)
            figures["goal_usage_rollup_s"] = 10
        finally:
            server.stop()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
