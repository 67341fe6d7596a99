"""The compose services run what the real pdcs offers: commands, settings, the evaluator's health check."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from devstack.alerta import AlertaServer, start_alerta
from devstack.influxdb import InfluxServer
from inventory.load import load_inventory
from pdcs.cli import app
from pdcs.settings import Settings
from tests.support.cli import pdcs_argv, pdcs_env

REPO = Path(__file__).resolve().parents[2]
SHARD_MAPS = REPO / "deploy" / "shards"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def pdcs_services() -> dict[str, dict[str, Any]]:
    """The services that run the pdcs image (the ``x-pdcs`` anchor)."""
    return {name: svc for name, svc in compose()["services"].items() if str(svc.get("image", "")).startswith("pdcs:")}


def shard_map_envs() -> set[str]:
    """The variables the example shard maps refer to ({env:NAME})."""
    return {m for f in SHARD_MAPS.glob("*.yaml") for m in re.findall(r"\{env:(\w+)\}", f.read_text(encoding="utf-8"))}


def test_each_pdcs_service_runs_a_real_command_with_real_options() -> None:
    services = pdcs_services()
    assert {"api", "collector", "alerts", "dashboards", "influx-init"} <= set(services)
    runner = CliRunner()
    for name in services:
        command = services[name]["command"]
        done = runner.invoke(app, [*command, "--help"])
        assert done.exit_code == 0, f"{name}: pdcs {' '.join(command)} → {done.output}"


def test_pdcs_environment_names_settings_or_inventory_secrets() -> None:
    services = pdcs_services()
    fields = {f"PDCS_{f.upper()}" for f in Settings.model_fields}
    inv = load_inventory(REPO / "inventory" / "examples")
    secret_envs = {
        ref.env
        for profile in [*inv.snmp_profiles.values(), *inv.ssh_profiles.values()]
        for ref in vars(profile).values()
        if getattr(ref, "env", None)
    }
    secret_envs |= shard_map_envs()
    for name in services:
        for key in services[name]["environment"]:
            assert key in fields or key in secret_envs, f"{name}: {key} is neither a setting nor a secret reference"


@pytest.fixture
def alerta_server() -> Iterator[AlertaServer]:
    server = start_alerta()
    yield server
    server.stop()


def test_evaluator_health_check_follows_its_heartbeat(
    alerta_server: AlertaServer, influx_server: InfluxServer, tmp_path: Path
) -> None:
    """deploy/heartbeat_check.py fails before the evaluator ran and passes once its heartbeat reached Alerta."""
    env = pdcs_env(
        PDCS_INFLUX_URL=influx_server.url,
        PDCS_INFLUX_DB=f"c_{uuid.uuid4().hex[:10]}",
        PDCS_INVENTORY=str(REPO / "deploy" / "inventory"),
        PDCS_ALERTA_URL=alerta_server.url,
        PDCS_ALERTA_API_KEY=alerta_server.admin_key,
        PDCS_ALERT_STATE=str(tmp_path / "alerts.sqlite"),
    )
    check = [sys.executable, str(REPO / "deploy" / "heartbeat_check.py")]
    assert subprocess.run(check, env=env, capture_output=True, timeout=30).returncode == 1
    Settings(influx_url=influx_server.url, influx_db=env["PDCS_INFLUX_DB"]).ensure_schema()
    once = subprocess.run(pdcs_argv("alerts", "--once"), env=env, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr
    assert subprocess.run(check, env=env, capture_output=True, timeout=30).returncode == 0
    wrong_key = {**env, "PDCS_ALERTA_API_KEY": "not-the-key"}
    assert subprocess.run(check, env=wrong_key, capture_output=True, timeout=30).returncode == 1
