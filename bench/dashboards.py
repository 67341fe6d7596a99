"""How long the dashboards' queries take as the fleet grows (real InfluxDB, real queries).

Synthetic inventory: facilities of five devices (a switch carrying the uplink,
a wireless AP, two e-reading terminals and a kiosk) spread over 20 counties of
one city; ``days`` of collector output from ``devstack.history`` (a poll
every 10 minutes).  Each board's variables are resolved as Grafana would (the
first value, or "All") and every panel query is run, substituted, over the
board's whole range — the cost a county IT officer waits for when opening it.

No peer: Grafana runs the same InfluxQL; what matters is how the figures grow.

Usage: ``python bench/dashboards.py [--devices N] [--days D] [--quick]``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards.build import build_all, build_raw_peers
from dashboards.influxql import NATIONAL_DATASOURCE_UID
from dashboards.templating import TimeRange
from dashboards.verify import resolve_variables, run_targets
from devstack.history import write_week
from devstack.influxdb import start_influxdb
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, OpeningSpan, Region
from pdcs.settings import RAW_RP, RAW_RP_DURATION
from pdcs.storage import InfluxDB

KINDS = (
    DeviceKind.SWITCH,
    DeviceKind.WIRELESS_AP,
    DeviceKind.E_READING_TERMINAL,
    DeviceKind.E_READING_TERMINAL,
    DeviceKind.KIOSK,
)
HOURS = (OpeningSpan.parse("09:00-12:00"), OpeningSpan.parse("14:00-20:00"))


def build_inventory(n_devices: int) -> Inventory:
    regions = {"51": Region(code="51", name="四川省"), "5101": Region(code="5101", name="成都市")}
    facilities: dict[str, Facility] = {}
    devices: dict[str, Device] = {}
    for f in range(max(1, n_devices // len(KINDS))):
        county = f"5101{(f % 20) + 1:02d}"
        regions.setdefault(county, Region(code=county, name=f"第{county[-2:]}县"))
        fid = f"fac{f:05d}"
        facilities[fid] = Facility(
            id=fid,
            name=f"第{f}号文化站",
            kind=FacilityKind.TOWNSHIP_CENTRE,
            county=county,
            opening_hours={d: HOURS for d in ("tue", "wed", "thu", "fri", "sat", "sun")},
            uplink_mbps=100,
        )
        for i, kind in enumerate(KINDS):
            did = f"{fid}-d{i}"
            devices[did] = Device(id=did, kind=kind, facility=fid, vendor="huawei")
    return Inventory(regions=regions, facilities=facilities, devices=devices)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--quick", action="store_true", help="300 devices, 1 day (under a minute)")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.days = 300, 1
    inventory = build_inventory(args.devices)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_influxdb(Path(tmp))
        try:
            db = InfluxDB(server.url, "bench", timeout_s=120)
            db.ensure_database([(RAW_RP, RAW_RP_DURATION, True)])
            end = int(time.time())
            t0 = time.perf_counter()
            points = write_week(db, inventory, end, days=args.days)
            load_s = time.perf_counter() - t0
            print(f"{points} points for {len(inventory.devices)} devices written in {load_s:.1f}s", file=sys.stderr)
            days = int(args.days) if args.days >= 1 else 1
            tr = TimeRange(f"now-{days}d", "now", end * 1000)
            boards: dict[str, float] = {}
            slowest = ("", 0.0)
            queries = 0
            errors: list[str] = []
            for b in build_all() + build_raw_peers():
                if NATIONAL_DATASOURCE_UID in b.datasources():
                    continue  # the boards on the national summaries: bench/national.py
                t = time.perf_counter()
                variables, var_queries = resolve_variables(b, db, tr)
                results = run_targets(b, db, variables, tr)
                boards[b.uid] = round(time.perf_counter() - t, 3)
                queries += len(var_queries) + len(results)
                errors += [f"{b.uid} / {r.panel}: {p}" for r in results for p in r.problems]
                for r in results:
                    if r.problems:
                        continue
                    t = time.perf_counter()
                    db.query(r.query)
                    took = time.perf_counter() - t
                    if took > slowest[1]:
                        slowest = (f"{b.uid} / {r.panel}", took)
                print(f"{b.uid:16} {boards[b.uid]:7.3f}s", file=sys.stderr)
        finally:
            server.stop()
    print(
        json.dumps(
            {
                "devices": len(inventory.devices),
                "days": args.days,
                "points": points,
                "load_s": round(load_s, 1),
                "queries": queries,
                "board_open_s": boards,
                "slowest_query": slowest[0],
                "slowest_query_s": round(slowest[1], 3),
                "errors": errors,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
