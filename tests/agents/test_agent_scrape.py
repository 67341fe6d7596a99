"""A real pdcs-agent process scraped over HTTP by the pdcs collector into a real InfluxDB."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from collectors.base import Target
from collectors.prometheus_scrape import PrometheusScrapeCollector
from devstack.agent import AgentServer, start_agent
from devstack.procs import free_port
from pdcs.points import to_lines
from pdcs.storage import InfluxDB
from tests.agents.conftest import kiosk_inventory, seed
from tests.support.cli import pdcs_argv, pdcs_env


@pytest.fixture(scope="module")
def kiosk_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running process with a distinctive name, standing in for the kiosk application."""
    exe = tmp_path_factory.mktemp("kiosk") / "kiosk-reader"
    shutil.copy("/bin/sleep", exe)
    proc = subprocess.Popen([str(exe), "600"])
    yield "kiosk-reader"
    proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory, kiosk_app: str) -> Iterator[AgentServer]:
    base = tmp_path_factory.mktemp("agent")
    # Checks look at a seeded root: a firewall that is on, and nothing else configured.
    root = seed(base / "root", {"etc/ufw/ufw.conf": "ENABLED=yes\n"})
    dead = free_port()
    port = free_port()
    cfg = {
        "device": "jt-ert-kiosk01",
        "kiosk_app": kiosk_app,
        "mlps_level": 3,
        "services": [
            {"name": "数字图书馆门户", "url": f"http://127.0.0.1:{port}/healthz"},
            {"name": "文化云", "url": f"http://127.0.0.1:{dead}/"},
        ],
        "probes": {"interval_s": 1, "timeout_s": 2},
        "checks": {"interval_s": 600, "root": str(root)},
    }
    server = start_agent(base, cfg, port=port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # checks and probes run in the background after start
        checks = httpx.get(f"{server.url}/checks", timeout=5).json()
        metrics = httpx.get(f"{server.url}/metrics", timeout=5).text
        if checks["count"] == 10 and "pdcs_service_up{" in metrics:
            break
        time.sleep(0.2)
    yield server
    server.stop()


async def test_agent_scraped_into_influxdb(agent: AgentServer, influx: InfluxDB) -> None:
    inv = kiosk_inventory({"jt-ert-kiosk01": f"{agent.url}/metrics"})
    target = Target.of(inv, inv.devices["jt-ert-kiosk01"])
    scraper = PrometheusScrapeCollector(timeout_s=5)
    try:
        points = await scraper.collect(target)
    finally:
        await scraper.aclose()
    influx.write_lines(to_lines(points))

    up = influx.query("SELECT up, uptime_s, rtt_ms FROM device_up WHERE device='jt-ert-kiosk01' AND source='agent'")
    row = up[0].rows()[0]
    assert row["up"] == 1 and row["uptime_s"] > 0 and row["rtt_ms"] > 0

    host = influx.query("SELECT * FROM host WHERE device='jt-ert-kiosk01'")[0].rows()[0]
    assert 0 <= host["mem_used_pct"] <= 100 and 0 < host["disk_used_pct"] <= 100
    assert host["kiosk_app_up"] == 1
    assert host["net_rx_bytes"] >= 0 and host["sessions"] >= 0 and host["uptime_s"] > 0
    assert host["county"] == "510121" and host["kind"] == "kiosk" and host["facility"] == "jt-ert"

    probes = influx.query("SELECT up, latency_ms FROM service_probe GROUP BY service")
    by_service = {s.tags["service"]: s.rows()[0] for s in probes}
    assert by_service["数字图书馆门户"]["up"] == 1 and by_service["数字图书馆门户"]["latency_ms"] > 0
    assert by_service["文化云"]["up"] == 0

    # Every check reached security_check with its evidence, equal to the agent's /checks.
    served = {c["check"]: c for c in httpx.get(f"{agent.url}/checks", timeout=5).json()["data"]}
    series = influx.query(
        "SELECT status, passed, detail FROM security_check GROUP BY check, mlps_item, mlps_level, severity, source"
    )
    stored = {s.tags["check"]: (s.tags, s.rows()[0]) for s in series}
    assert set(stored) == set(served) and len(stored) == 10
    for check, (tags, row) in stored.items():
        assert row["status"] == served[check]["status"]
        assert row["detail"] == served[check]["detail"][:480] and row["detail"]
        assert tags["mlps_item"] == served[check]["mlps_item"] and tags["mlps_item"].startswith("8.1.")
        assert tags["mlps_level"] == "3" and tags["source"] == "agent"
        assert row["passed"] == {"pass": 1, "fail": 0, "unknown": None}[row["status"]]
    assert stored["host_firewall"][1]["status"] == "pass"
    assert stored["host_firewall"][1]["detail"] == "ufw enabled (/etc/ufw/ufw.conf ENABLED=yes)"
    assert stored["usb_storage"][1]["status"] == "fail"


def test_agent_cli_checks_exit_code(tmp_path: Path) -> None:
    from agents.cli import main

    root = seed(tmp_path, {"etc/ufw/ufw.conf": "ENABLED=yes\n"})
    cfg = tmp_path / "agent.yaml"
    cfg.write_text(f"checks:\n  root: {root}\n  disabled: [os_updates]\n", encoding="utf-8")
    assert main(["--config", str(cfg), "checks", "--json"]) == 1  # most checks fail on an empty root
    cfg.write_text("checks: {interval_s: -1}\n", encoding="utf-8")
    assert main(["--config", str(cfg), "checks"]) == 2
    cfg.write_text("checks: {disabled: [usb_storge]}\n", encoding="utf-8")
    assert main(["--config", str(cfg), "checks"]) == 2


def test_pdcs_collect_scrapes_the_agent(agent: AgentServer, influx: InfluxDB, tmp_path: Path) -> None:
    """The collector process itself (`pdcs collect --once`) picks the agent up from the inventory."""
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "inventory.yaml").write_text(
        yaml.safe_dump(
            {
                "facilities": [{"id": "jt-ert", "name": "金堂县公共电子阅览室", "kind": "e_reading_room",
                                "county": "510121"}],
                "devices": [{"id": "jt-ert-kiosk01", "kind": "kiosk", "facility": "jt-ert",
                             "agent_url": f"{agent.url}/metrics"},
                            # JSON where an exposition should be: malformed, counted, the other unaffected.
                            {"id": "jt-ert-kiosk02", "kind": "kiosk", "facility": "jt-ert",
                             "agent_url": f"{agent.url}/checks"}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )  # fmt: skip
    res = subprocess.run(
        pdcs_argv("collect", "--once", "--inventory", str(inv), "--influx-url", influx.url,
                  "--influx-db", influx.database, "--spool-dir", str(tmp_path / "spool")),
        env=pdcs_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 1, res.stdout + res.stderr  # one device failed
    assert "1 ok, 1 failed" in res.stdout
    assert influx.query("SELECT up FROM device_up WHERE device='jt-ert-kiosk01'")[0].rows()[0]["up"] == 1
    down = influx.query("SELECT up, error FROM device_up WHERE device='jt-ert-kiosk02'")[0].rows()[0]
    assert down["up"] == 0 and down["error"].startswith("malformed exposition")
    assert influx.query("SELECT malformed FROM collector")[0].rows()[-1]["malformed"] == 1
    checks = influx.query("SELECT count(status) FROM security_check WHERE device='jt-ert-kiosk01' GROUP BY check")
    assert len(checks) == 10
    assert influx.query("SELECT kiosk_app_up FROM host WHERE device='jt-ert-kiosk01'")[0].rows()[0]["kiosk_app_up"] == 1
