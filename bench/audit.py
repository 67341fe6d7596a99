"""Time to audit N simulated IOS devices concurrently over real SSH sessions.

The devices are fake-switches instances (devstack.fake_ios), half
compliant and half not, served by two child processes.  Ours: the
SshAuditCollector (netmiko in worker threads, ``--concurrency`` sessions at
once, every rule judged, records written).  Peer: the obvious script — a plain
netmiko loop, one device after another, fetching ``show running-config`` only
(no judging), timed over ``--serial`` devices and extrapolated to N.

Last output line: one JSON object (``devices``, ``seconds``, per-device
figures, the peer's beside ours).  ``--quick`` stays under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from collectors.base import Target  # noqa: E402
from collectors.ssh_audit.collector import SshAuditCollector  # noqa: E402
from collectors.ssh_audit.record import AuditStore  # noqa: E402
from devstack.fake_ios import FakeIosDevice, FakeIosServer, ios_seed, start_fake_ios  # noqa: E402
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, SecretRef, SshProfile  # noqa: E402

PASSWORD, ENABLE = "bench-Pa55", "bench-En4ble"


def start_devices(base: Path, n: int, processes: int) -> list[FakeIosServer]:
    seeds = [ios_seed("compliant"), ios_seed("noncompliant")]
    devices = [FakeIosDevice(f"sw{i:03d}", seeds[i % 2], password=PASSWORD, enable=ENABLE) for i in range(n)]
    share = -(-n // processes)
    return [
        start_fake_ios(base / f"p{k}", devices[k * share : (k + 1) * share], timeout_s=120)
        for k in range(processes)
        if devices[k * share : (k + 1) * share]
    ]


def inventory_of(servers: list[FakeIosServer]) -> Inventory:
    os.environ["PDCS_BENCH_SSH"] = PASSWORD
    os.environ["PDCS_BENCH_ENABLE"] = ENABLE
    fac = Facility(id="bench", name="bench", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    profile = SshProfile(
        name="p", username="admin", password=SecretRef(env="PDCS_BENCH_SSH"), secret=SecretRef(env="PDCS_BENCH_ENABLE")
    )
    devices = {
        name: Device(
            id=name, kind=DeviceKind.SWITCH, facility="bench", address=s.address(name), ssh_profile="p", vendor="cisco"
        )
        for s in servers
        for name in s.devices
    }
    return Inventory(facilities={"bench": fac}, devices=devices, ssh_profiles={"p": profile})


async def ours(inv: Inventory, concurrency: int, records: Path) -> tuple[float, dict[str, int]]:
    col = SshAuditCollector(inv, store=AuditStore(records), concurrency=concurrency)
    targets = [Target.of(inv, d) for d in inv.devices.values()]
    t0 = time.perf_counter()
    audits = await asyncio.gather(*(col.audit(t) for t in targets))
    seconds = time.perf_counter() - t0
    totals = {"pass": 0, "fail": 0, "unknown": 0}
    for a in audits:
        for k, v in a.counts().items():
            totals[k] += v
    return seconds, totals


def peer_serial(servers: list[FakeIosServer], n: int) -> float:
    from netmiko import ConnectHandler

    chosen = [(s, name) for s in servers for name in s.devices][:n]
    t0 = time.perf_counter()
    for s, name in chosen:
        conn = ConnectHandler(device_type="cisco_ios", host=s.host, port=s.devices[name].port, username="admin",
                              password=PASSWORD, secret=ENABLE, fast_cli=True)  # fmt: skip
        conn.enable()
        conn.send_command("show running-config")
        conn.disconnect()
    return (time.perf_counter() - t0) / max(1, len(chosen))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--serial", type=int, default=0, help="devices the serial peer loop is timed over (default: all)")
    ap.add_argument("--quick", action="store_true", help="a run under a minute (100 devices, peer over 5)")
    args = ap.parse_args()
    if args.quick:
        args.serial = 5
    args.serial = args.serial or args.devices
    with tempfile.TemporaryDirectory(prefix="pdcs-bench-audit-") as tmp:
        t0 = time.perf_counter()
        servers = start_devices(Path(tmp), args.devices, processes=2)
        start_s = time.perf_counter() - t0
        try:
            inv = inventory_of(servers)
            seconds, totals = asyncio.run(ours(inv, args.concurrency, Path(tmp) / "records"))
            per_device_serial = peer_serial(servers, args.serial)
        finally:
            for s in servers:
                s.stop()
    n = args.devices
    print(f"simulators up in {start_s:.1f}s; audited {n} devices in {seconds:.2f}s; rules {totals}", file=sys.stderr)
    result = {
        "devices": n,
        "seconds": round(seconds, 2),
        "concurrency": args.concurrency,
        "devices_per_s": round(n / seconds, 1),
        "rules_judged": totals["pass"] + totals["fail"],
        "rules_unknown": totals["unknown"],
        "peer": "netmiko serial loop (show running-config only)",
        "peer_seconds_per_device": round(per_device_serial, 3),
        "peer_seconds_extrapolated": round(per_device_serial * n, 1),
        "peer_devices_timed": min(args.serial, n),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
