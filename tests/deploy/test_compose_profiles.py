"""docker-compose.yml's platforms: the profiles (provincial, federation, national) and the shard maps they use.

No container engine runs here, so the file is checked as data: which services each platform runs, that no
service waits for one its platform leaves out, that every pdcs service reads the shard map from a folder it
mounts, and that each example shard map in deploy/shards/ loads with pdcs's own loader.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pdcs.storage.shards import load_shard_map
from tests.deploy.test_compose_services import SHARD_MAPS, compose, pdcs_services

REPO = Path(__file__).resolve().parents[2]
ALWAYS = {"influxdb", "grafana", "dashboards", "postgres", "alerta", "api"}
PLATFORMS = {  # COMPOSE_PROFILES → the services that run
    # a single node ships to its own summaries store, so 全国总览 and 省级看板 (data source pdcs-national) work
    "provincial": ALWAYS | {"snmpsim", "collector", "alerts", "federation", "influx-init"},
    "provincial,federation": ALWAYS | {"snmpsim", "collector", "alerts", "federation", "influx-init"},
    "national": ALWAYS | {"influx-init"},
}


def running(profiles: set[str]) -> set[str]:
    services: dict[str, Any] = compose()["services"]
    return {name for name, svc in services.items() if not svc.get("profiles") or set(svc["profiles"]) & profiles}


def env_example() -> dict[str, str]:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_each_platform_runs_its_services() -> None:
    for profiles, services in PLATFORMS.items():
        assert running(set(profiles.split(","))) == services, profiles
    assert env_example()["COMPOSE_PROFILES"] == "provincial"  # `docker compose up` stays a single node


def test_no_service_waits_for_one_its_platform_leaves_out() -> None:
    services: dict[str, Any] = compose()["services"]
    for profiles in ({"provincial"}, {"provincial", "federation"}, {"national"}):
        up = running(profiles)
        for name in up:
            missing = set(services[name].get("depends_on", {})) - up
            assert not missing, f"{sorted(profiles)}: {name} depends on {missing}, which does not run"


def test_every_pdcs_service_reads_the_shard_map_it_mounts() -> None:
    for name, svc in pdcs_services().items():
        env = svc.get("environment") or compose()["x-pdcs"]["environment"]
        path = env["PDCS_INFLUX_SHARDS"]
        assert path == "/etc/pdcs/shards/${PDCS_SHARDS_FILE:-single.yaml}", name
        volumes = svc.get("volumes") or compose()["x-pdcs"]["volumes"]
        assert "${PDCS_SHARDS_DIR:-./deploy/shards}:/etc/pdcs/shards:ro" in volumes, name
    assert (SHARD_MAPS / env_example()["PDCS_SHARDS_FILE"]).is_file()


@pytest.fixture
def shard_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """deploy/shards/ as an operator fills it: the secrets its maps refer to, in the environment and beside."""
    folder = tmp_path / "shards"
    shutil.copytree(SHARD_MAPS, folder)
    (folder / "secrets.yaml").write_text(yaml.safe_dump({"influx_51": "p51", "influx_44": "p44"}), encoding="utf-8")
    monkeypatch.setenv("PDCS_INFLUX_PASSWORD", "p")
    monkeypatch.setenv("PDCS_NATIONAL_INFLUX_PASSWORD", "pn")
    return folder


def test_the_example_shard_maps_load(shard_maps: Path) -> None:
    single = load_shard_map(shard_maps / "single.yaml")
    single_national = single.national()
    assert single.is_single and single_national is not None
    assert (single_national.url, single_national.database) == ("http://influxdb:8086", "pdcs_national")
    assert single.for_region("51").url == "http://influxdb:8086" and single.for_region("51").password == "p"
    provincial = load_shard_map(shard_maps / "provincial.yaml")
    national_store = provincial.national()
    assert national_store is not None and national_store.database == "pdcs_national"
    assert national_store.password == "pn" and provincial.for_region("51").url == "http://influxdb:8086"
    national = load_shard_map(shard_maps / "national.yaml")
    summaries = national.national()
    assert summaries is not None and (summaries.url, summaries.database) == ("http://influxdb:8086", "pdcs_national")
    assert national.for_region("510121").password == "p51" and national.for_region("44").password == "p44"
    # influx-init creates the database the national map names
    init = compose()["services"]["influx-init"]
    assert init["environment"]["PDCS_INFLUX_DB"] == summaries.database
