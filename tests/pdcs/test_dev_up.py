"""The README's run command: ``pdcs dev up`` brings up a platform whose API answers from real polls."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil
import pytest

from devstack.procs import free_port
from pdcs.settings import Settings, read_env_file
from tests.support.cli import interruptible, pdcs_argv, pdcs_env


def _children_of(workdir: Path) -> list[psutil.Process]:
    """Processes whose command line names the work folder (the servers the run command started)."""
    me = psutil.Process().pid
    return [
        p for p in psutil.process_iter(["cmdline"]) if p.pid != me and str(workdir) in " ".join(p.info["cmdline"] or [])
    ]


def test_dev_up_serves_availability_from_real_polls(tmp_path: Path) -> None:
    port = free_port()
    workdir = tmp_path / "dev"
    started = datetime.now(UTC)
    proc = subprocess.Popen(
        pdcs_argv("dev", "up", "--workdir", str(workdir), "--api-port", str(port), "--interval", "5"),
        env=pdcs_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=interruptible,
    )
    printed: list[str] = []  # the run command's output, read as it comes (the syslog port is printed)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            printed.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        answer: dict[str, object] = {}
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            assert proc.poll() is None, "".join(printed)
            # A window that has closed: points still arriving could land between count() and sum().
            end = datetime.now(UTC) - timedelta(seconds=2)
            window = {"start": (end - timedelta(minutes=10)).isoformat(), "end": end.isoformat()}
            token_file = workdir / "api-token"  # every API route but /health needs a token
            auth = {"Authorization": f"Bearer {token_file.read_text().strip()}"} if token_file.exists() else {}
            try:
                r = httpx.get(f"{base}/devices/sim-lib-core-sw/availability", params=window, headers=auth, timeout=5)
                if r.status_code == 200 and r.json().get("answered", 0) >= 2:
                    answer = r.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert answer, "no availability answer from polled devices"
        assert answer["polls"] == answer["answered"]  # net-snmp answers every poll
        assert answer["share"] == 1.0
        # Figures only for the monitored minutes (issue 14): the county's "today" counts scheduled time
        # only since the stack's first polls, with no outage before them; its last month — nothing was
        # monitored — has no figure at all: no 0 %, no outage, every facility listed as not monitored.
        county = httpx.get(f"{base}/devices/sim-lib-core-sw", headers=auth, timeout=5).json()["region"]["county"][
            "code"
        ]
        beijing = timezone(timedelta(hours=8))
        now = datetime.now(beijing)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = httpx.get(
            f"{base}/regions/{county}/availability",
            params={"start": midnight.isoformat(), "end": now.isoformat()},
            headers=auth,
            timeout=30,
        ).json()
        monitored_s = (datetime.now(UTC) - started).total_seconds()
        assert today["scheduled_s"] <= monitored_s
        assert all(datetime.fromisoformat(o["start"]) >= started for o in today["outages"] + today["no_data"])
        assert today["availability"] is None or today["scheduled_s"] > 0
        first = midnight.replace(day=1)
        last_month = httpx.get(
            f"{base}/regions/{county}/availability",
            params={"start": (first - timedelta(days=1)).replace(day=1).isoformat(), "end": first.isoformat()},
            headers=auth,
            timeout=30,
        ).json()
        assert last_month["scheduled_s"] == 0 and last_month["availability"] is None
        assert last_month["coverage"] is None and last_month["outage_count"] == 0 and last_month["no_data"] == []
        assert last_month["unmonitored_facilities"] and last_month["data"] == []
        # The device where nothing listens is polled too, and is down.
        down = httpx.get(f"{base}/devices/sim-offline-ap/availability", params=window, headers=auth, timeout=5).json()
        assert down["polls"] >= 1 and down["answered"] == 0
        # The reading-room terminal's pdcs-agent is scraped over HTTP, security checks included.
        terminal = httpx.get(
            f"{base}/devices/sim-e-reading-terminal/availability", params=window, headers=auth, timeout=5
        ).json()
        assert terminal["answered"] >= 1
        # Alerting came up too: the collector and the rule evaluator beat to the run's Alerta.
        alerta = (workdir / "alerta-url").read_text().strip()
        key = {"Authorization": f"Key {(workdir / 'alerta-key').read_text().strip()}"}
        origins: set[str] = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(origins) < 2:
            beats = httpx.get(f"{alerta}/heartbeats", headers=key, timeout=5).json().get("heartbeats", [])
            origins = {b["origin"].split("/")[0] for b in beats} & {"pdcs-collector", "pdcs-alerts"}
            time.sleep(1)
        assert origins == {"pdcs-collector", "pdcs-alerts"}, beats
        assert httpx.get(f"{alerta}/alerts", timeout=5).status_code == 401  # the key is needed
        # The local channel sink: a test message through the county's (signed) DingTalk robot is shown.
        sent = subprocess.run(
            pdcs_argv("notify", "test", "dev-county", "--config", str(workdir / "notify.yaml")),
            env=pdcs_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0 and "accepted (code 0)" in sent.stdout, sent.stdout + sent.stderr
        assert "【测试】pdcs 告警通知通道测试" in (workdir / "notify-sink.log").read_text(encoding="utf-8")
        # Syslog: a message sent with logger(1) to the printed port is counted in InfluxDB by the indexer
        # (from 127.0.0.1, so it counts for the first simulated device; local3.crit marks it as ours).
        found = re.search(r"syslog +udp 127\.0\.0\.1:(\d+)", "".join(printed))
        assert found, "".join(printed)
        logger = ["logger", "-n", "127.0.0.1", "-P", found.group(1), "-d", "-p", "local3.crit", "-t", "pdcs-test"]
        subprocess.run([*logger, "pdcs dev up syslog test"], check=True, timeout=10)
        env = read_env_file(workdir / "env")
        settings = Settings(influx_url=env["PDCS_INFLUX_URL"], influx_db=env["PDCS_INFLUX_DB"])
        query = (
            "SELECT sum(messages) FROM syslog WHERE syslog_facility='local3' AND severity='crit' AND time > now() - 1h"
        )
        counted = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not counted:
            with settings.influx() as db:
                counted = sum(row["sum"] for s in db.query(query) for row in s.rows())
            time.sleep(1)
        assert counted == 1, (workdir / "syslog-index.log").read_text(errors="replace")
        assert _children_of(workdir), "the servers should be running under the work folder"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    out = "".join(printed)
    assert proc.returncode == 0, out
    assert "pdcs is running." in out
    time.sleep(0.5)
    assert _children_of(workdir) == [], "Ctrl-C must stop every server the run command started"
    with pytest.raises(httpx.TransportError):  # Alerta too (its PostgreSQL may live outside the work folder)
        httpx.get(alerta, timeout=2)
