"""Series → memory on a real influxd: the TSI index (what pdcs configures) against the in-memory index (the peer).

A synthetic fleet in pdcs's own shape — facilities of five devices (a switch carrying the uplink, a wireless AP,
two e-reading terminals and a kiosk, ``bench/dashboards.py``), one poll of every series the collectors write for
them (``devstack.history``: device_up, interface, wireless, host, security_check, syslog, inventory_device …) —
grown until the database holds about N series, on a fresh influxd per index and size. Measured:

- ``rss_write_mb``: the server's resident memory right after the writes (cache and index hot);
- ``rss_mb`` / ``heap_mb``: after a restart and one query of every series' last point — the steady state a
  store runs in (inmem rebuilds its whole index in the heap at start; TSI maps its index files, so part of
  its RSS is page cache the kernel can drop), and ``start_s``, how long that restart took;
- ``series_per_device`` in this fleet (the real dev stack's recordings: docs/benchmarks.md).

Usage: ``python bench/cardinality.py [--series 100000,1000000] [--quick]``; the last line is JSON with the
TSI figures and the inmem peer beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dashboards import KINDS, build_inventory
from devstack.history import week_of_points
from devstack.influxdb import InfluxServer, start_influxdb
from pdcs.points import to_lines
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import InfluxDB
from pdcs.storage.influx import InfluxError

MB = 1024 * 1024


def facility_template(end_s: int) -> dict[str, str]:
    """Every series one facility's five devices get over a day (series key → one line), ids of facility 0."""
    inventory = build_inventory(len(KINDS))
    template: dict[str, str] = {}
    for line in to_lines(week_of_points(inventory, end_s, step_s=600, days=1)):
        key = line.split(" ", 1)[0]  # measurement and tags: the series key
        template.setdefault(key, line.rsplit(" ", 1)[0])
    return template


def fleet_lines(n_devices: int, end_s: int, template: dict[str, str]) -> tuple[list[str], int]:
    """One point of every series of ``n_devices`` devices (the template per facility), and how many series."""
    inventory = build_inventory(n_devices)
    first = next(iter(inventory.facilities.values()))
    lines: dict[str, str] = {}
    for fac in inventory.facilities.values():
        for key, line in template.items():
            new_key = key.replace(first.id, fac.id).replace(f"county={first.county}", f"county={fac.county}")
            lines.setdefault(new_key, line.replace(first.id, fac.id).replace(first.county, fac.county))
    ns = end_s * 10**9
    return [f"{line} {ns}" for line in lines.values()], len(lines)


def rss_mb(server: InfluxServer) -> float:
    return psutil.Process(server.process.pid).memory_info().rss / MB


def heap_mb(server: InfluxServer) -> float:
    """Go heap in use (``/debug/vars`` memstats): the index and caches InfluxDB holds, without mapped files."""
    stats = httpx.get(f"{server.url}/debug/vars", timeout=30).json()["memstats"]
    return float(stats["HeapInuse"]) / MB


def measure(index: str, n_devices: int, end_s: int, template: dict[str, str]) -> dict[str, float | int | str]:
    lines, series = fleet_lines(n_devices, end_s, template)
    with tempfile.TemporaryDirectory(prefix=f"card-{index}-") as tmp:
        server = start_influxdb(Path(tmp), index=index)
        try:
            db = InfluxDB(server.url, "bench", timeout_s=300, batch_size=5000)
            db.ensure_database(RETENTION_POLICIES)
            t0 = time.perf_counter()
            db.write_lines(lines)
            write_s = time.perf_counter() - t0
            stored = series if series > 200_000 else _series(db)  # SHOW … EXACT CARDINALITY times out beyond
            rss_write = rss_mb(server)
            _wait_cache_written(server)  # the points out of the cache into TSM files: what stays is the index
            server.stop()
            t0 = time.perf_counter()
            server.start_again(timeout_s=600)
            start_s = time.perf_counter() - t0
            try:  # touch the index of every device
                db.query("SELECT last(up) FROM device_up GROUP BY device")
                touched = True
            except InfluxError:  # the dev server's 60 s query timeout (millions of series)
                touched = False
            out: dict[str, float | int | str] = {
                "index": index,
                "devices": n_devices,
                "series": stored,
                "series_per_device": round(series / n_devices, 2),
                "write_s": round(write_s, 1),
                "rss_write_mb": round(rss_write),
                "rss_mb": round(rss_mb(server)),
                "heap_mb": round(heap_mb(server)),
                "start_s": round(start_s, 1),
                "query_all_devices": "ok" if touched else "timed out (60 s)",
                "disk_mb": round(sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file()) / MB),
            }
        finally:
            server.stop()
    print(json.dumps(out), file=sys.stderr)
    return out


def _wait_cache_written(server: InfluxServer, timeout_s: float = 120) -> None:
    """Until every shard's cache is snapshotted (devstack/influxdb.py: cold after 10 s without writes)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        stats = httpx.get(f"{server.url}/debug/vars", timeout=30).json()
        cached = sum(
            v["values"].get("memBytes", 0)
            for v in stats.values()
            if isinstance(v, dict) and v.get("name") == "tsm1_cache"
        )
        if cached == 0:
            return
        time.sleep(1)


def _series(db: InfluxDB) -> int:
    rows = [r for s in db.query("SHOW SERIES EXACT CARDINALITY") for r in s.rows()]
    return sum(int(r["count"]) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default="100000,1000000", help="comma-separated target series counts")
    ap.add_argument("--indexes", default="tsi1,inmem", help="comma-separated: tsi1 (pdcs's) and inmem (the peer)")
    ap.add_argument("--quick", action="store_true", help="50,000 series only (under a minute)")
    args = ap.parse_args()
    targets = [50_000] if args.quick else [int(x) for x in args.series.split(",")]
    end_s = int(time.time()) // 600 * 600
    template = facility_template(end_s)
    per_device = len(template) / len(KINDS)
    rows: list[dict[str, float | int | str]] = []
    for target in targets:
        n_devices = max(5, round(target / per_device))
        for index in args.indexes.split(","):
            rows.append(measure(index, n_devices, end_s, template))
    largest = max(r["series"] for r in rows)
    last = {str(r["index"]): r for r in rows if r["series"] == largest}
    summary: dict[str, object] = {"series": largest, "series_per_device": rows[-1]["series_per_device"]}
    for index, prefix in (("tsi1", "tsi"), ("inmem", "inmem")):
        if index in last:
            summary |= {f"{prefix}_{k}": last[index][k] for k in ("rss_mb", "heap_mb", "rss_write_mb", "start_s")}
    print(json.dumps({**summary, "runs": rows}))


if __name__ == "__main__":
    main()
