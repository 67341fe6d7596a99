"""One evaluation cycle of every default alert rule over 10,000 devices in a real InfluxDB.

Synthetic county-scale data: facilities of five devices (a switch carrying the
uplink, a wireless AP, three terminals with agents), ten minutes of
``device_up`` per device, interface, wireless (a day, hourly), host,
security-check and collector points; about 5% of devices down, a few whole
facilities dark, some full disks and failing checks.  The evaluator runs its
real cycle (one InfluxQL query per rule, grouped by device; state in SQLite)
with delivery to Alerta left out — Alerta hears only transitions, which are
few; the cost that grows with the fleet is reading and judging.

Peer: the obvious design, one query per device, measured on a sample and
extrapolated to the fleet (``per_device_query_est_s``).

Usage: ``python bench/alerts.py [--devices N] [--quick]``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alert_rules.evaluator import Evaluator
from alert_rules.load import load_rules
from alert_rules.state import StateStore
from devstack.influxdb import start_influxdb
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, OpeningSpan, Region
from pdcs.settings import RAW_RP, RAW_RP_DURATION
from pdcs.storage import InfluxDB

PER_FACILITY = 5
ALL_DAY = (OpeningSpan.parse("00:00-24:00"),)


def build_inventory(n_devices: int) -> Inventory:
    n_fac = max(1, n_devices // PER_FACILITY)
    regions = {"51": Region(code="51", name="四川省"), "5101": Region(code="5101", name="成都市")}
    facilities: dict[str, Facility] = {}
    devices: dict[str, Device] = {}
    for f in range(n_fac):
        county = f"5101{(f % 20) + 1:02d}"
        regions.setdefault(county, Region(code=county, name=f"第{county[-2:]}县"))
        fid = f"fac{f:05d}"
        facilities[fid] = Facility(
            id=fid,
            name=f"第{f}号文化站",
            kind=FacilityKind.TOWNSHIP_CENTRE,
            county=county,
            opening_hours={d: ALL_DAY for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            holiday_calendar=False,
        )
        kinds = [DeviceKind.SWITCH, DeviceKind.WIRELESS_AP] + [DeviceKind.E_READING_TERMINAL] * (PER_FACILITY - 2)
        for i, kind in enumerate(kinds):
            did = f"{fid}-d{i}"
            agent = "http://127.0.0.1:9100/metrics" if kind is DeviceKind.E_READING_TERMINAL else None
            devices[did] = Device(id=did, kind=kind, facility=fid, agent_url=agent)
    return Inventory(regions=regions, facilities=facilities, devices=devices)


def tagstr(tags: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(tags.items()))


def synthesize(inv: Inventory, now_s: float, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    now = int(now_s) * 10**9
    minute, hour = 60 * 10**9, 3600 * 10**9
    lines: list[str] = []
    dark = {fid for fid in inv.facilities if rnd.random() < 0.01}  # whole facilities down
    for dev in inv.devices.values():
        tags = inv.device_tags(dev)
        t = tagstr(tags)
        down = dev.facility in dark or rnd.random() < 0.04
        source = "agent" if dev.agent_url else "snmp"
        for k in range(10):
            lines.append(f"device_up,{t},source={source} up={0 if down else 1}i {now - k * minute}")
        if dev.kind is DeviceKind.SWITCH:
            util = 95.0 if rnd.random() < 0.02 else rnd.uniform(5, 60)
            oper = 0 if rnd.random() < 0.01 else 1
            for k in range(10):
                lines.append(
                    f"interface,{t},ifname=ge0/1,ifindex=1,uplink=1 in_util_pct={util},out_util_pct={util / 3},"
                    f"oper_up={oper}i,in_bps={util * 1e6},out_bps={util * 3e5} {now - k * minute}"
                )
        elif dev.kind is DeviceKind.WIRELESS_AP:
            idle = rnd.random() < 0.03
            for k in range(24):
                lines.append(f"wireless,{t} clients={0 if idle else rnd.randint(1, 30)}i {now - k * hour}")
        else:
            disk = 95.0 if rnd.random() < 0.02 else rnd.uniform(20, 80)
            for k in range(3):
                lines.append(f"host,{t} disk_used_pct={disk},cpu_pct=12.5,mem_used_pct=40.0 {now - k * 5 * minute}")
            for check in ("default_password", "antivirus"):
                passed = 0 if rnd.random() < 0.01 else 1
                lines.append(f"security_check,{t},check={check},severity=critical,source=agent passed={passed}i {now}")
    # The collectors keep reporting through the five minutes the mass cycle steps on (points ahead of
    # now): devices silent while their collector is alive are down, not no data (supervision.liveness).
    for c in range(10):
        for k in range(-6, 15):
            depth = 5000 + k * 100 if c == 0 else 0
            lines.append(f"collector,collector=c{c},regions=5101 cycle_s=2.5,spool_depth={depth}i {now - k * minute}")
    return lines


def naive_per_device(influx: InfluxDB, inv: Inventory, sample: int) -> float:
    """Seconds per device for the obvious design: one device_up query per device."""
    ids = list(inv.devices)[:sample]
    t0 = time.perf_counter()
    for did in ids:
        influx.query('SELECT last("up") FROM "device_up" WHERE time > now() - 10m AND "device" = $d', params={"d": did})
    return (time.perf_counter() - t0) / len(ids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="2,000 devices (< 60 s)")
    args = ap.parse_args()
    n = 2_000 if args.quick else args.devices
    with tempfile.TemporaryDirectory(prefix="pdcs-bench-alerts-") as tmp:
        server = start_influxdb(Path(tmp) / "influx")
        try:
            influx = InfluxDB(server.url, "bench", timeout_s=120)
            influx.ensure_database([(RAW_RP, RAW_RP_DURATION, True)])
            inv = build_inventory(n)
            now = time.time()
            lines = synthesize(inv, now)
            t0 = time.perf_counter()
            influx.write_lines(lines)
            write_s = time.perf_counter() - t0
            print(f"wrote {len(lines)} points for {len(inv.devices)} devices in {write_s:.1f}s", file=sys.stderr)
            store = StateStore(Path(tmp) / "alerts.sqlite")
            ev = Evaluator(load_rules(), influx, inv, store, None, clock=lambda: now)
            # 1: faults seen, states created; 2: steady (nothing changes); 3: five minutes on, every
            # pending fault fires at once and, the data being five minutes old by then, every agent
            # looks silent too — a mass event, the worst cycle.
            cycles: dict[str, float] = {}
            reports = {}
            for label, at in (("first", now), ("steady", now + 1), ("mass_transition", now + 300)):
                r = ev.cycle(at, deliver=False)
                cycles[label] = round(r.duration_s, 3)
                reports[label] = r
                print(f"cycle {label}: {r.duration_s:.2f}s {r.summary()}", file=sys.stderr)
            last = reports["mass_transition"]
            per_dev = naive_per_device(influx, inv, 200 if not args.quick else 50)
            result = {
                "bench": "alerts",
                "devices": len(inv.devices),
                "facilities": len(inv.facilities),
                "rules": len(ev.runners),
                "points": len(lines),
                "cycle_s": max(cycles.values()),
                "cycles_s": cycles,
                "goal_s": 10.0,
                "rule_s": last.rule_s,
                "firing": last.firing,
                "opened_in_mass_cycle": len(last.opened),
                "suppressed": last.suppressed,
                "queued_messages": last.outbox,
                "per_device_query_est_s": round(per_dev * len(inv.devices) * len(ev.runners), 1),
                "per_device_query_ms": round(per_dev * 1000, 2),
                "write_s": round(write_s, 1),
            }
            store.close()
            influx.close()
        finally:
            server.stop()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
