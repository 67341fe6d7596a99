"""ICMP targets per second: pdcs's IcmpCollector (icmplib, asyncio) beside fping, same targets, same run.

Targets are loopback addresses (127.20.0.0/16: every one answers, from the
kernel, so the figure is the prober's own cost) plus, unless ``--no-dead``,
addresses of a network namespace's subnet that nobody holds (they cost a
timeout each: 20 % of the targets, as in a county where a fifth of the
printers are switched off).  Ours: ``IcmpCollector.collect`` over every
target at once (``--concurrency`` requests in flight, one retry on a lost
reply); peer: ``fping -C1 -r1 -t <timeout> -i 1`` over the same list.  The
goal is 10,000 targets a minute (167/s) from one collector process.

Last output line: one JSON object with ``pdcs_icmp_targets_per_s``,
``fping_targets_per_s`` and ``ratio`` (ours ÷ fping's).  ``--quick``: 2,000
targets, well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from collectors.base import Target  # noqa: E402
from collectors.probes.icmp import IcmpCollector  # noqa: E402
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory  # noqa: E402


def loopback(n: int) -> list[str]:
    return [f"127.20.{i // 250}.{i % 250 + 1}" for i in range(n)]


def ours(targets: list[str], timeout_s: float, concurrency: int) -> tuple[float, int]:
    fac = Facility(id="f", name="馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    devices = {
        f"d{i}": Device(id=f"d{i}", kind=DeviceKind.KIOSK, facility="f", address=a) for i, a in enumerate(targets)
    }
    inv = Inventory(facilities={"f": fac}, devices=devices)
    col = IcmpCollector(timeout_s=timeout_s, concurrency=concurrency)
    tgts = [Target.of(inv, d) for d in devices.values()]

    async def go() -> list[int]:
        res = await asyncio.gather(*(col.collect(t) for t in tgts))
        return [int(p[0].fields["up"]) for p in res]

    t0 = time.monotonic()
    ups = asyncio.run(go())
    return time.monotonic() - t0, sum(ups)


def fping(targets: list[str], timeout_s: float, netns: str | None) -> tuple[float, int]:
    argv = ["fping", "-q", "-C1", "-r1", "-t", str(int(timeout_s * 1000)), "-i", "1", "-p", "20"]
    if netns:
        argv = ["ip", "netns", "exec", netns, *argv]
    t0 = time.monotonic()
    p = subprocess.run(argv, input="\n".join(targets), capture_output=True, text=True)
    dt = time.monotonic() - t0
    alive = sum(1 for ln in p.stderr.splitlines() if ":" in ln and ln.split(":", 1)[1].strip() not in ("-", ""))
    return dt, alive


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 targets")
    ap.add_argument("--targets", type=int, default=10_000)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--concurrency", type=int, default=500)
    ap.add_argument("--no-dead", action="store_true", help="loopback targets only")
    args = ap.parse_args()
    n = 2000 if args.quick else args.targets
    dead_n = 0 if args.no_dead else n // 5
    targets = loopback(n - dead_n)
    netns = None
    if dead_n:
        # Run both probers inside a namespace of our own whose subnet holds the dead addresses.
        from devstack.netns import probe_lab

        with probe_lab() as lab:
            targets_ns = targets + [f"10.77.{lab.n}.{10 + i % 240}" for i in range(dead_n)]
            netns = lab.probe.name
            code = (
                f"import json,sys; sys.path.insert(0, {str(REPO)!r}); from bench.probes import ours; "
                f"print(json.dumps(ours(json.load(sys.stdin), {args.timeout!r}, {args.concurrency!r})))"
            )
            r = lab.probe.python(["-c", code], input=json.dumps(targets_ns), timeout=600)
            if r.returncode != 0:
                raise SystemExit(r.stderr)
            ours_s, ours_up = json.loads(r.stdout.splitlines()[-1])
            fping_s, fping_up = fping(targets_ns, args.timeout, netns)
            total = len(targets_ns)
    else:
        ours_s, ours_up = ours(targets, args.timeout, args.concurrency)
        fping_s, fping_up = fping(targets, args.timeout, None)
        total = len(targets)
    print(f"pdcs IcmpCollector: {total} targets in {ours_s:.2f} s ({ours_up} up)", file=sys.stderr)
    print(f"fping:              {total} targets in {fping_s:.2f} s ({fping_up} up)", file=sys.stderr)
    out = {
        "targets": total,
        "dead": dead_n,
        "timeout_s": args.timeout,
        "pdcs_icmp_targets_per_s": round(total / ours_s, 1),
        "fping_targets_per_s": round(total / fping_s, 1),
        "ratio": round(fping_s / ours_s, 3),
        "pdcs_up": ours_up,
        "fping_up": fping_up,
        "goal_targets_per_s": round(10_000 / 60, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
