"""Push mode end to end: agent → spool on disk → collector ingest → spool → InfluxDB.

The collector's ingest is stopped while the agent keeps producing batches;
after it comes back every batch the agent spooled is in InfluxDB exactly once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import yaml

from collectors.ingest import device_token
from devstack.agent import start_agent
from devstack.influxdb import InfluxServer
from devstack.ingest import IngestServer, start_ingest
from pdcs.storage import InfluxDB
from tests.agents.conftest import seed
from tests.support.push import push

SECRET = "test-ingest-secret-4g"
DEVICE = "jt-wufeng-kiosk01"


def _write_inventory(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inventory.yaml").write_text(
        yaml.safe_dump(
            {
                "regions": [
                    {"code": "51", "name": "四川省"},
                    {"code": "5101", "name": "成都市", "parent": "51"},
                    {"code": "510121", "name": "金堂县", "parent": "5101"},
                ],
                "facilities": [
                    {"id": "jt-wufeng", "name": "五凤镇综合文化服务中心", "kind": "township_centre", "county": "510121"}
                ],
                "devices": [
                    {"id": DEVICE, "name": "五凤镇数字文化一体机", "kind": "kiosk", "facility": "jt-wufeng"},
                    {"id": "jt-wufeng-ert01", "kind": "e_reading_terminal", "facility": "jt-wufeng"},
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return folder


def _wait(cond: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _count(influx: InfluxDB) -> int:
    res = influx.query(f"SELECT count(up) FROM device_up WHERE source='push' AND device='{DEVICE}'")
    return int(res[0].rows()[0]["count"]) if res else 0


def _post(ingest: IngestServer, body: bytes, token: str) -> httpx.Response:
    return push(ingest.push_url, body, token, json.loads(body)["device"])


def test_push_through_an_outage_loses_nothing_and_writes_nothing_twice(
    tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB
) -> None:
    ingest = start_ingest(
        tmp_path / "ingest",
        inventory=_write_inventory(tmp_path / "inventory"),
        secret=SECRET,
        influx_url=influx_server.url,
        influx_db=influx.database,
    )
    (tmp_path / "token").write_text(device_token(SECRET, DEVICE) + "\n", encoding="utf-8")
    spool = tmp_path / "agent" / "spool"
    cfg = {
        "device": DEVICE,
        "checks": {"interval_s": 3600, "root": str(seed(tmp_path / "root", {"etc/ufw/ufw.conf": "ENABLED=yes\n"}))},
        "push": {
            "url": ingest.push_url,
            "token": {"file": str(tmp_path / "token")},
            "interval_s": 0.25,
            "spool_dir": str(spool),
        },
    }
    agent = start_agent(tmp_path / "agent", cfg)
    outage: dict[str, bytes] = {}
    try:
        _wait(lambda: "accepted=3" in ingest.health() or _count(influx) >= 3, "first pushes")

        ingest.stop()  # the 4G link (or the collector) goes away

        def spooled() -> list[Path]:
            return sorted(spool.glob("*.json"))

        _wait(lambda: len(spooled()) >= 6, "batches spooled during the outage")
        for f in spooled():
            outage[f.name] = f.read_bytes()

        ingest.start_again()
        _wait(lambda: all(name not in {f.name for f in spooled()} for name in outage), "the spool to drain")
    finally:
        agent.stop()
    try:
        last_seq = int((spool / "seq").read_text())
        # Batches still in the spool when the agent stopped: some never sent, and maybe one the
        # ingest had already accepted when the agent was stopped before deleting it.  A restarted
        # agent sends them all again; do that here — each is either written or answered "duplicate".
        for left in sorted(spool.glob("*.json")):
            resp = _post(ingest, left.read_bytes(), device_token(SECRET, DEVICE))
            assert resp.status_code == 200 and resp.json()["status"] in ("ok", "duplicate"), resp.text
        expected = last_seq  # every batch the agent made, each exactly once
        _wait(lambda: _count(influx) >= expected, "the ingest writer to reach InfluxDB")
        time.sleep(0.5)  # anything extra would show up now
        assert _count(influx) == expected

        # Every batch spooled during the outage is there, at its own timestamp.
        times = {r["time"] for r in influx.query(f"SELECT up FROM device_up WHERE device='{DEVICE}'")[0].rows()}
        outage_times = {json.loads(b)["time_ms"] for b in outage.values()}
        assert len(outage_times) >= 6 and outage_times <= times
        # host, checks and the agent's tags made it too.
        host = influx.query(f"SELECT count(cpu_pct) FROM host WHERE device='{DEVICE}'")[0].rows()[0]["count"]
        assert host == expected
        checks = influx.query(
            f"SELECT status, detail FROM security_check WHERE device='{DEVICE}' "
            "AND \"check\"='host_firewall' AND source='agent'"
        )
        assert checks and checks[0].rows()[-1]["status"] == "pass"

        # Replaying a delivered batch (a lost acknowledgement) is answered "duplicate" and not written.
        replay = next(iter(outage.values()))
        resp = _post(ingest, replay, device_token(SECRET, DEVICE))
        assert resp.status_code == 200 and resp.json()["status"] == "duplicate"
        # A token is only good for its own device; a malformed batch is refused and counted.
        assert _post(ingest, replay, device_token(SECRET, "jt-wufeng-ert01")).status_code == 403
        assert _post(ingest, replay, device_token("other-secret", DEVICE)).status_code == 403
        bad = _post(ingest, b'{"device": "' + DEVICE.encode() + b'", "seq": "x"}', device_token(SECRET, DEVICE))
        assert bad.status_code == 400
        time.sleep(0.3)
        assert _count(influx) == expected
        assert "malformed=1" in ingest.health()
        assert SECRET not in (tmp_path / "ingest" / "ingest.log").read_text()
    finally:
        ingest.stop()


def test_pdcs_ingest_token_command() -> None:
    import subprocess

    from tests.support.cli import pdcs_argv, pdcs_env

    res = subprocess.run(pdcs_argv("ingest", "token", DEVICE), env=pdcs_env(PDCS_INGEST_SECRET=SECRET),
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert res.returncode == 0 and res.stdout.strip() == device_token(SECRET, DEVICE)
    env = pdcs_env()
    env.pop("PDCS_INGEST_SECRET", None)
    res = subprocess.run(pdcs_argv("ingest", "token", DEVICE), env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "PDCS_INGEST_SECRET is not set" in res.stderr


def test_push_into_the_collectors_own_spool(tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB) -> None:
    """`pdcs collect --ingest-listen`: pushes go into the collector's spool and out through its writer."""
    from devstack.procs import Managed, free_port
    from tests.support.cli import pdcs_argv, pdcs_env

    port = free_port()
    argv = pdcs_argv(
        "collect", "--inventory", str(_write_inventory(tmp_path / "inventory")), "--ingest-listen", f"127.0.0.1:{port}",
        "--influx-url", influx_server.url, "--influx-db", influx.database, "--spool-dir", str(tmp_path / "spool"),
    )  # fmt: skip
    collector = Managed("collector", argv, tmp_path / "collector.log", env=pdcs_env(PDCS_INGEST_SECRET=SECRET))
    collector.start()
    agent = None
    try:
        base = f"http://127.0.0.1:{port}"
        collector.wait_ready(lambda: httpx.get(f"{base}/ingest/v1/health", timeout=1).status_code == 200)
        (tmp_path / "token").write_text(device_token(SECRET, DEVICE))
        cfg = {
            "device": DEVICE,
            "checks": {"interval_s": 3600, "disabled": ["os_updates"]},
            "push": {"url": f"{base}/ingest/v1/push", "token": {"file": str(tmp_path / "token")}, "interval_s": 0.2,
                     "spool_dir": str(tmp_path / "agent-spool")},
        }  # fmt: skip
        agent = start_agent(tmp_path / "agent", cfg)
        _wait(lambda: _count(influx) >= 3, "pushed batches in InfluxDB through the collector")
        assert (tmp_path / "spool" / "pdcs-collector.ledger.json").exists()
    finally:
        if agent is not None:
            agent.stop()
        collector.stop()
    assert collector.proc is not None and collector.proc.returncode == 0, collector.tail()
