"""SNMP polling: pdcs's collector against Debian's prometheus-snmp-exporter, same targets, one run.

Targets: several private net-snmp agents, each answering many communities, so
that every (agent, community) pair is one "device" (snmpsim is far too slow to
load a collector).  Every device poll reads the same objects in both tools:
sysUpTime and sysName (GET) and the IF-MIB columns ifName, ifOperStatus,
ifHCInOctets, ifHCOutOctets and ifHighSpeed (GETBULK walks).

Figures (CPU of the collector process only, from psutil):

* ``pdcs_devices_per_cpu_s`` — device polls per CPU-second of the pdcs
  collector (gufo-snmp + point building; this process, nothing else running in it);
* ``snmp_exporter_devices_per_cpu_s`` — scrapes (one device each) per
  CPU-second of the snmp_exporter process (scraped by this process over HTTP);
* ``ratio`` — pdcs ÷ snmp_exporter;
* ``pdcs_devices_per_min`` — devices one collector process polls per minute
  of wall time, end to end (cycle, spool, InfluxDB write);
* ``points_per_s`` — points per second from the start of that cycle until
  InfluxDB acknowledged the last one.

``--quick`` finishes in well under a minute; the last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collectors.base import Target
from collectors.service import CollectorService, ServiceConfig
from collectors.snmp.collector import SnmpCollector
from devstack.influxdb import start_influxdb
from devstack.procs import Managed, free_port, require
from devstack.snmpd import SnmpdServer, start_snmpd
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, Region, SecretRef, SnmpProfile
from pdcs.settings import RAW_RP, RAW_RP_DURATION
from pdcs.storage import InfluxDB

WALK = [
    "1.3.6.1.2.1.31.1.1.1.1",  # ifName
    "1.3.6.1.2.1.2.2.1.8",  # ifOperStatus
    "1.3.6.1.2.1.31.1.1.1.6",  # ifHCInOctets
    "1.3.6.1.2.1.31.1.1.1.10",  # ifHCOutOctets
    "1.3.6.1.2.1.31.1.1.1.15",  # ifHighSpeed
]
IDX = [{"labelname": "ifIndex", "type": "gauge"}]
METRICS = [
    {"name": "sysUpTime", "oid": "1.3.6.1.2.1.1.3", "type": "gauge"},
    {"name": "sysName", "oid": "1.3.6.1.2.1.1.5", "type": "DisplayString"},
    {"name": "ifName", "oid": WALK[0], "type": "DisplayString", "indexes": IDX},
    {"name": "ifOperStatus", "oid": WALK[1], "type": "gauge", "indexes": IDX},
    {"name": "ifHCInOctets", "oid": WALK[2], "type": "counter", "indexes": IDX},
    {"name": "ifHCOutOctets", "oid": WALK[3], "type": "counter", "indexes": IDX},
    {"name": "ifHighSpeed", "oid": WALK[4], "type": "gauge", "indexes": IDX},
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def communities(n: int) -> list[str]:
    return [f"dev{i:05d}" for i in range(n)]


def build_inventory(base: Path, agents: list[SnmpdServer], per_agent: int) -> Inventory:
    secrets = {}
    profiles = {}
    devices = {}
    county = "510121"
    for a, agent in enumerate(agents):
        for c in communities(per_agent):
            key = f"a{a}-{c}"
            secrets[key] = c
            profiles[key] = SnmpProfile(
                name=key, version="2c", community=SecretRef(file="secrets.yaml", key=key), timeout_s=2, retries=1
            )
            devices[key] = Device(
                id=key, kind=DeviceKind.SWITCH, facility="lib", address=agent.address, snmp_profile=key
            )
    (base / "secrets.yaml").write_text(yaml.safe_dump(secrets), encoding="utf-8")
    return Inventory(
        regions={"51": Region(code="51", name="四川省"), county: Region(code=county, name="金堂县")},
        facilities={"lib": Facility(id="lib", name="金堂县图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county=county)},
        devices=devices,
        snmp_profiles=profiles,
        base_dir=base,
    )


def cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


async def bench_pdcs_cpu(inv: Inventory, rounds: int, in_flight: int) -> tuple[float, int, int]:
    """Poll every device ``rounds`` times through SnmpCollector; (cpu seconds, polls, failures)."""
    col = SnmpCollector(inv.snmp_profiles, vendors=False)
    targets = [Target.of(inv, d) for d in inv.devices.values()]
    sem = asyncio.Semaphore(in_flight)
    me = psutil.Process()

    async def one(t: Target) -> int:
        async with sem:
            points = await col.collect(t)
        return 0 if points and points[0].fields.get("up") == 1 else 1

    # Warm-up: one poll of every device resolves its credentials (cached for 5 minutes, as in a
    # running collector), so the measured rounds are the steady state of polling.
    await asyncio.gather(*(one(t) for t in targets))
    c0 = cpu_s(me)
    failed = 0
    for _ in range(rounds):
        failed += sum(await asyncio.gather(*(one(t) for t in targets)))
    return cpu_s(me) - c0, rounds * len(targets), failed


async def bench_exporter(
    url: str, agents: list[SnmpdServer], per_agent: int, rounds: int, in_flight: int, exporter: psutil.Process
) -> tuple[float, int, int]:
    sem = asyncio.Semaphore(in_flight)
    targets = [(a.address, c) for a in agents for c in communities(per_agent)]
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=in_flight)) as client:

        async def one(addr: str, module: str) -> int:
            async with sem:
                r = await client.get(f"{url}/snmp", params={"target": addr, "module": module})
            return 0 if r.status_code == 200 and "ifHCInOctets{" in r.text else 1

        await asyncio.gather(*(one(a, m) for a, m in targets))  # the same warm-up as pdcs
        c0 = cpu_s(exporter)
        failed = 0
        for _ in range(rounds):
            failed += sum(await asyncio.gather(*(one(a, m) for a, m in targets)))
        return cpu_s(exporter) - c0, rounds * len(targets), failed


async def bench_end_to_end(inv: Inventory, influx_url: str, spool: Path, in_flight: int) -> dict[str, float]:
    db = InfluxDB(url=influx_url, database=f"bench_{uuid.uuid4().hex[:8]}", retries=0, timeout_s=60)
    db.ensure_database([(RAW_RP, RAW_RP_DURATION, True)])
    svc = CollectorService(inv, db, spool, ServiceConfig(period_s=300, max_in_flight=in_flight))
    me = psutil.Process()
    c0, t0 = cpu_s(me), time.monotonic()
    stats = await svc.run_once()
    wall = time.monotonic() - t0
    cpu = cpu_s(me) - c0
    written = svc.writer.written
    stored = db.query("SELECT count(up) FROM device_up")[0].rows()[0]["count"]
    svc.close()
    return {
        "devices": stats.ok + stats.failed,
        "ok": stats.ok,
        "cycle_s": stats.duration_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "points": written,
        "device_up_stored": stored,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small run, < 60 s")
    ap.add_argument("--agents", type=int, default=None, help="snmpd instances")
    ap.add_argument("--per-agent", type=int, default=None, help="communities (devices) per snmpd")
    ap.add_argument("--rounds", type=int, default=None, help="polls of every device for the CPU figures")
    ap.add_argument("--in-flight", type=int, default=100)
    args = ap.parse_args()
    import signal

    # SIGTERM (timeout, Ctrl-C from a supervisor) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    agents_n = args.agents or (2 if args.quick else 8)
    # snmpd looks communities up linearly: beyond a few hundred per agent it, not the collector, is measured.
    per_agent = args.per_agent or (250 if args.quick else 300)
    rounds = args.rounds or (1 if args.quick else 3)
    tmp = Path(tempfile.mkdtemp(prefix="pdcs-bench-"))
    procs: list[Managed] = []
    agents: list[SnmpdServer] = []
    try:
        log(f"starting {agents_n} snmpd with {per_agent} communities each, InfluxDB, snmp_exporter")
        for i in range(agents_n):
            agents.append(start_snmpd(tmp / f"snmpd{i}", extra_communities=tuple(communities(per_agent))))
        influx = start_influxdb(tmp / "influx")
        procs.append(influx.process)
        modules = {
            c: {"walk": WALK, "get": ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"], "metrics": METRICS,
                "version": 2, "max_repetitions": 25, "retries": 1, "timeout": "2s", "auth": {"community": c}}
            for c in communities(per_agent)
        }  # fmt: skip
        (tmp / "snmp.yml").write_text(yaml.safe_dump(modules), encoding="utf-8")
        port = free_port()
        exporter = Managed(
            "snmp_exporter",
            [require("prometheus-snmp-exporter"), f"--config.file={tmp / 'snmp.yml'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            tmp / "snmp_exporter.log",
        ).start()  # fmt: skip
        procs.append(exporter)
        url = f"http://127.0.0.1:{port}"
        exporter.wait_ready(lambda: httpx.get(f"{url}/metrics", timeout=1).status_code == 200, 60)
        inv = build_inventory(tmp, agents, per_agent)
        n = len(inv.devices)

        log(f"pdcs: {rounds} x {n} device polls (CPU of this process)")
        p_cpu, p_polls, p_failed = asyncio.run(bench_pdcs_cpu(inv, rounds, args.in_flight))
        log(f"  {p_polls} polls, {p_failed} failed, {p_cpu:.2f} CPU-s")
        log(f"snmp_exporter: {rounds} x {n} scrapes (CPU of the exporter process)")
        e_cpu, e_polls, e_failed = asyncio.run(
            bench_exporter(url, agents, per_agent, rounds, args.in_flight, psutil.Process(exporter.pid))
        )
        log(f"  {e_polls} scrapes, {e_failed} failed, {e_cpu:.2f} CPU-s")
        log(f"pdcs end to end: one cycle of {n} devices into InfluxDB")
        e2e = asyncio.run(bench_end_to_end(inv, influx.url, tmp / "spool.sqlite", args.in_flight * 2))
        log(f"  {json.dumps(e2e)}")
        pdcs_rate = p_polls / p_cpu if p_cpu else 0.0
        exp_rate = e_polls / e_cpu if e_cpu else 0.0
        result = {
            "devices": n,
            "rounds": rounds,
            "pdcs_devices_per_cpu_s": round(pdcs_rate, 1),
            "snmp_exporter_devices_per_cpu_s": round(exp_rate, 1),
            "ratio": round(pdcs_rate / exp_rate, 2) if exp_rate else None,
            "pdcs_failed": p_failed,
            "snmp_exporter_failed": e_failed,
            "pdcs_devices_per_min": round(e2e["devices"] / e2e["wall_s"] * 60, 0),
            "pdcs_e2e_ok": e2e["ok"],
            "pdcs_e2e_cpu_s": round(e2e["cpu_s"], 2),
            "points_per_s": round(e2e["points"] / e2e["wall_s"], 0),
            "cpu_count": os.cpu_count(),
        }
        print(json.dumps(result), flush=True)
        return 0
    finally:
        for p in procs:
            p.stop()
        for a in agents:
            a.stop()


if __name__ == "__main__":
    raise SystemExit(main())
