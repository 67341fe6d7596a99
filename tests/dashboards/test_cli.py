"""``pdcs grafana build / push / check`` run as the real command."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dashboards.build import JSON_DIR, build_all
from tests.dashboards.conftest import Week
from tests.dashboards.grafana_stub import grafana_stub
from tests.support.cli import pdcs_argv, pdcs_env

TOKEN = "glsa_test-token-0123456789"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(pdcs_argv("grafana", *args), env=pdcs_env(**env), capture_output=True, text=True, timeout=120)


def test_build_writes_the_committed_files(tmp_path: Path) -> None:
    done = run("build", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for b in build_all():
        assert (tmp_path / b.path).read_text(encoding="utf-8") == (JSON_DIR / b.path).read_text(encoding="utf-8")
    assert run("build", "--check", "--out", str(tmp_path)).returncode == 0
    (tmp_path / build_all()[0].path).write_text("{}", encoding="utf-8")
    stale = run("build", "--check", "--out", str(tmp_path))
    assert stale.returncode == 1 and "differs from the code" in stale.stderr


def test_build_with_an_inventory_names_facilities(tmp_path: Path, examples_dir: Path) -> None:
    done = run("build", "--out", str(tmp_path), "--inventory", str(examples_dir))
    assert done.returncode == 0, done.stderr
    assert "金堂县文化馆" in (tmp_path / "regions" / "pdcs-county.json").read_text(encoding="utf-8")
    bad = run("build", "--out", str(tmp_path), "--inventory", str(tmp_path / "missing"))
    assert bad.returncode == 2


def test_push_creates_folders_data_source_and_dashboards() -> None:
    with grafana_stub(TOKEN) as (url, state):
        first = run("push", "--url", url, "--influx-url", "http://influxdb:8086", PDCS_GRAFANA_TOKEN=TOKEN)
        assert first.returncode == 0, first.stderr
        assert state.rejected == []
        assert state.folders == {
            "pdcs-regions": "区域监管",
            "pdcs-devices": "设备",
            "pdcs-security": "安全合规",
            "pdcs-platform": "平台运维",
        }
        assert state.datasources["pdcs-influxdb"]["type"] == "influxdb"
        assert state.datasources["pdcs-influxdb"]["jsonData"]["dbName"] == "pdcs"
        assert set(state.dashboards) == {b.uid for b in build_all()}
        assert state.dashboards["pdcs-county"]["folderUid"] == "pdcs-regions"
        assert state.dashboards["pdcs-county"]["dashboard"]["title"] == "县级看板"
        assert TOKEN not in first.stdout + first.stderr

        # A second push updates in place: no new folders, every dashboard at version 2.
        again = run("push", "--url", url, PDCS_GRAFANA_TOKEN=TOKEN)
        assert again.returncode == 0, again.stderr
        assert {d["version"] for d in state.dashboards.values()} == {2}
        assert sum(1 for m, p in state.requests if m == "POST" and p == "/api/folders") == 4


def test_push_with_a_wrong_token_fails_cleanly() -> None:
    with grafana_stub(TOKEN) as (url, state):
        done = run("push", "--url", url, "--token", "wrong-token")
        assert done.returncode == 1
        assert "Grafana refused" in done.stderr and "wrong-token" not in done.stderr
        assert state.dashboards == {}


def test_check_runs_every_query_against_influxdb(week: Week) -> None:
    done = run("check", "--influx-url", week.db.url, "--influx-db", week.db.database)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout
    assert "ok    pdcs-county / 场馆状态 / A" in done.stdout
