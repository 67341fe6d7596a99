"""pdcs-agent against Debian's prometheus-node-exporter: resident memory and CPU per scrape.

Both exporters run on loopback; each is scraped N times over one keep-alive
connection, alternating in rounds so background load falls on both alike.
CPU time comes from /proc/<pid>/stat (utime + stime) before and after; resident
memory is VmRSS (and the peak, VmHWM) after the scrapes.  The agent runs with
its default configuration: all ten security checks (against this host, run
once in the background before measuring — they are cached, not re-run per
scrape), a kiosk-application watch and one service probe.

    python bench/agent_footprint.py            # 3000 scrapes each
    python bench/agent_footprint.py --quick    # 300 scrapes each, < 60 s

The last output line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devstack.agent import start_agent
from devstack.node_exporter import start_node_exporter

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def mem_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 scrapes each (< 60 s)")
    ap.add_argument("--scrapes", type=int, help="scrapes per exporter")
    args = ap.parse_args()
    n = args.scrapes or (300 if args.quick else 3000)
    rounds = 10
    with tempfile.TemporaryDirectory(prefix="pdcs-bench-") as tmp:
        base = Path(tmp)
        node = start_node_exporter(base / "node")
        agent_port = 0
        agent = None
        try:
            from devstack.procs import free_port

            agent_port = free_port()
            agent = start_agent(
                base / "agent",
                {
                    "device": "bench-kiosk",
                    "kiosk_app": "kiosk-reader",
                    "services": [{"name": "portal", "url": f"http://127.0.0.1:{agent_port}/healthz"}],
                },
                port=agent_port,
            )
            deadline = time.monotonic() + 60
            while httpx.get(f"{agent.url}/checks", timeout=10).json()["count"] < 10:
                if time.monotonic() > deadline:
                    raise SystemExit("agent checks did not finish")
                time.sleep(0.2)
            time.sleep(1.0)  # let the first probe and check run settle
            targets = {
                "pdcs": (agent.process.pid, f"{agent.url}/metrics"),
                "node_exporter": (node.process.pid, f"{node.url}/metrics"),
            }
            cpu = dict.fromkeys(targets, 0.0)
            size = dict.fromkeys(targets, 0)
            wall = dict.fromkeys(targets, 0.0)
            clients = {k: httpx.Client(timeout=10) for k in targets}
            for name, (_, url) in targets.items():  # warm-up
                for _ in range(5):
                    clients[name].get(url)
            print(f"scraping each exporter {n} times in {rounds} alternating rounds", file=sys.stderr)
            for r in range(rounds):
                for name, (pid, url) in targets.items():
                    c0, t0 = cpu_s(pid), time.perf_counter()
                    for _ in range(n // rounds):
                        size[name] = len(clients[name].get(url).content)
                    wall[name] += time.perf_counter() - t0
                    cpu[name] += cpu_s(pid) - c0
                print(f"  round {r + 1}/{rounds}", file=sys.stderr)
            for c in clients.values():
                c.close()
            done = n // rounds * rounds
            out = {
                "scrapes": done,
                "pdcs_rss_mb": round(mem_mb(targets["pdcs"][0], "VmRSS"), 1),
                "node_exporter_rss_mb": round(mem_mb(targets["node_exporter"][0], "VmRSS"), 1),
                "pdcs_peak_rss_mb": round(mem_mb(targets["pdcs"][0], "VmHWM"), 1),
                "node_exporter_peak_rss_mb": round(mem_mb(targets["node_exporter"][0], "VmHWM"), 1),
                "pdcs_cpu_ms_per_scrape": round(cpu["pdcs"] * 1000 / done, 3),
                "node_exporter_cpu_ms_per_scrape": round(cpu["node_exporter"] * 1000 / done, 3),
                "pdcs_scrape_ms": round(wall["pdcs"] * 1000 / done, 2),
                "node_exporter_scrape_ms": round(wall["node_exporter"] * 1000 / done, 2),
                "pdcs_bytes": size["pdcs"],
                "node_exporter_bytes": size["node_exporter"],
            }
            out["goal_rss_le_35mb"] = out["pdcs_rss_mb"] <= 35.0
            out["goal_cpu_le_node_exporter"] = out["pdcs_cpu_ms_per_scrape"] <= out["node_exporter_cpu_ms_per_scrape"]
        finally:
            if agent is not None:
                agent.stop()
            node.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
