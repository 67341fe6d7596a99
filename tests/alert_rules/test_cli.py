"""``pdcs alerts --once`` and ``pdcs maintenance`` as child processes against the real servers."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from alert_rules.alerta import AlertaClient
from alert_rules.heartbeat import send_heartbeat
from devstack.alerta import AlertaServer
from inventory.load import load_inventory
from pdcs.points import to_lines
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import device_up
from tests.support.cli import REPO, pdcs_argv, pdcs_env

EXAMPLES = REPO / "inventory" / "examples"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(pdcs_argv(*args), env=pdcs_env(**env), capture_output=True, text=True, timeout=120)


def server_env(influx: InfluxDB, alerta_server: AlertaServer, key: str) -> dict[str, str]:
    return {
        "PDCS_INFLUX_URL": influx.url,
        "PDCS_INFLUX_DB": influx.database,
        "PDCS_ALERTA_URL": alerta_server.url,
        "PDCS_ALERTA_API_KEY": key,
        "PDCS_LOG_LEVEL": "DEBUG",
    }


def test_alerts_once_sends_and_never_shows_the_key(
    tmp_path: Path, influx: InfluxDB, alerta: AlertaClient, alerta_server: AlertaServer
) -> None:
    inv = load_inventory(EXAMPLES)
    device = next(d for d in inv.devices.values() if d.enabled)
    influx.write_lines(to_lines([device_up(inv, device.id, 0, time.time_ns())]))
    env = server_env(influx, alerta_server, alerta_server.admin_key)
    state = str(tmp_path / "alerts.sqlite")
    # critical security check failing: for 0s, fires on the first cycle, whatever the opening hours
    tags = {**inv.device_tags(device), "check": "default_password", "severity": "critical", "source": "agent"}
    influx.write_lines([f"security_check,{','.join(f'{k}={v}' for k, v in sorted(tags.items()))} passed=0i"])
    out = run("alerts", "--once", "--inventory", str(EXAMPLES), "--state", state, **env)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["opened"] >= 1 and summary["delivered"] >= 1 and summary["alerta_up"]
    assert alerta_server.admin_key not in out.stdout + out.stderr
    events = {a["event"] for a in alerta.alerts()}
    assert "security_critical_failed:default_password" in events
    assert any(h["origin"].startswith("pdcs-alerts/") for h in alerta.heartbeats())

    # A wrong key: Alerta says 401, the evaluator keeps its messages and does not print the key.
    influx.write_lines(
        [f"security_check,{','.join(f'{k}={v}' for k, v in sorted({**tags, 'check': 'usb'}.items()))} passed=0i"]
    )
    wrong = "wrong-key-5f2d9c1e"
    out = run(
        "alerts", "--once", "--inventory", str(EXAMPLES), "--state", state, **{**env, "PDCS_ALERTA_API_KEY": wrong}
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["outbox"] == 1 and not summary["alerta_up"]
    assert wrong not in out.stdout + out.stderr
    # the right key again: the kept message is delivered
    out = run("alerts", "--once", "--inventory", str(EXAMPLES), "--state", state, **env)
    assert json.loads(out.stdout.strip().splitlines()[-1])["outbox"] == 0
    assert "security_critical_failed:usb" in {a["event"] for a in alerta.alerts()}


def test_maintenance_window_is_a_blackout(
    tmp_path: Path, influx: InfluxDB, alerta: AlertaClient, alerta_server: AlertaServer
) -> None:
    env = server_env(influx, alerta_server, alerta_server.admin_key)
    added = run("maintenance", "add", "--facility", "F9", "--duration", "1h", "--reason", "机房断电检修", **env)
    assert added.returncode == 0, added.stderr
    blackout_id = added.stdout.strip()
    listed = run("maintenance", "list", "--json", **env)
    [b] = json.loads(listed.stdout)
    assert b["id"] == blackout_id and b["tags"] == ["facility=F9"] and b["text"] == "机房断电检修"
    # An alert of that facility is suppressed by Alerta; another facility's is not.
    base = {"environment": "Production", "service": ["x"], "severity": "major", "event": "device_down"}
    alerta.send_alert({**base, "resource": "F9-T1", "tags": ["facility=F9"]})
    alerta.send_alert({**base, "resource": "F8-T1", "tags": ["facility=F8"]})
    assert {a["resource"] for a in alerta.alerts() if a["status"] != "blackout"} == {"F8-T1"}
    removed = run("maintenance", "remove", blackout_id, **env)
    assert removed.returncode == 0
    assert alerta.blackouts() == []
    bad = run("maintenance", "add", "--reason", "x", **env)
    assert bad.returncode == 2


def test_collector_heartbeat_function(alerta: AlertaClient, alerta_server: AlertaServer) -> None:
    settings = Settings(alerta_url=alerta_server.url, alerta_api_key=alerta_server.admin_key)  # type: ignore[arg-type]
    assert send_heartbeat("pdcs-collector/510121", 180, settings=settings)
    [h] = alerta.heartbeats()
    assert h["origin"] == "pdcs-collector/510121" and h["timeout"] == 180
    # Alerta unreachable: False, no exception (the collector keeps collecting)
    down = Settings(alerta_url="http://127.0.0.1:9", alerta_api_key="k")  # type: ignore[arg-type]
    assert send_heartbeat("pdcs-collector/510121", 180, settings=down) is False
    assert send_heartbeat("x", 1, settings=Settings(alerta_url=None)) is False


def test_alerts_service_loop_stops_on_sigterm(
    tmp_path: Path, influx: InfluxDB, alerta: AlertaClient, alerta_server: AlertaServer
) -> None:
    env = server_env(influx, alerta_server, alerta_server.admin_key)
    argv = pdcs_argv("alerts", "--interval", "0.5", "--inventory", str(EXAMPLES), "--state", str(tmp_path / "s.db"))
    log = (tmp_path / "alerts.log").open("w")  # a file, not a pipe: an unread pipe would block the child's logging
    proc = subprocess.Popen(argv, env=pdcs_env(**env), stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert proc.stdout is not None
        lines = [json.loads(proc.stdout.readline()) for _ in range(2)]  # two cycles
        assert all(line["failed_rules"] == {} for line in lines)
        second = run("alerts", "--once", "--inventory", str(EXAMPLES), "--state", str(tmp_path / "s.db"), **env)
        assert second.returncode == 1 and "another `pdcs alerts` is running" in second.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_alerts_once_notifies_through_the_configured_channel(
    tmp_path: Path, influx: InfluxDB, alerta: AlertaClient, alerta_server: AlertaServer
) -> None:
    from devstack.robots import Robot, start_robots

    robots = start_robots()
    try:
        url = robots.add(Robot("dingtalk", "county-token", secret="SEC-county", keywords=("告警", "恢复")))
        config = tmp_path / "notify.yaml"
        config.write_text(
            "channels:\n"
            "  county: {type: dingtalk, url: {env: T_DING_URL}, secret: {env: T_DING_SECRET}, keywords: [告警]}\n"
            "routes:\n"
            "  - {name: 全省, match: {region: '51'}, channels: [county]}\n",
            encoding="utf-8",
        )
        inv = load_inventory(EXAMPLES)
        device = next(d for d in inv.devices.values() if d.enabled)
        tags = {**inv.device_tags(device), "check": "default_password", "severity": "critical", "source": "agent"}
        influx.write_lines([f"security_check,{','.join(f'{k}={v}' for k, v in sorted(tags.items()))} passed=0i"])
        env = {
            **server_env(influx, alerta_server, alerta_server.admin_key),
            "T_DING_URL": url,
            "T_DING_SECRET": "SEC-county",
            "PDCS_ALERTA_ENVIRONMENT": "开发",
        }
        state = str(tmp_path / "alerts.sqlite")
        out = run(
            "alerts", "--once", "--inventory", str(EXAMPLES), "--state", state, "--notify-config", str(config), **env
        )
        assert out.returncode == 0, out.stderr
        [msg] = robots.of("dingtalk")
        assert "严重" in msg.text and (device.name or device.id) in msg.text and "处理建议" in msg.text
        assert "SEC-county" not in out.stdout + out.stderr and "county-token" not in out.stdout + out.stderr
        assert robots.refused == []
        [a] = [a for a in alerta.alerts() if a["resource"] == device.id]
        assert a["environment"] == "开发" and a["value"] == "未通过"
    finally:
        robots.stop()
