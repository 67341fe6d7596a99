"""``pdcs grafana build --shards``: one data source per province store, the raw boards bound to each."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from dashboards.build import build_all, check
from dashboards.influxql import DATASOURCE_UID, NATIONAL_DATASOURCE_UID
from dashboards.shards import raw_boards
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import InfluxDB
from pdcs.storage.shards import write_shard_map
from tests.dashboards.conftest import Week
from tests.dashboards.grafana_stub import grafana_stub
from tests.dashboards.test_cli import TOKEN
from tests.dashboards.test_cli import run as grafana
from tests.support.cli import pdcs_argv, pdcs_env

MAP = """\
default: {url: http://10.0.0.1:8086, database: pdcs}
provinces:
  "51": {url: http://10.0.51.5:8086, database: pdcs, password: {env: PDCS_T_UNSET_51}}
national: {url: http://10.0.0.5:8086, database: pdcs_national}
"""


def _datasource_uids(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ds = node.get("datasource")
        if isinstance(ds, dict) and "uid" in ds:
            found.add(ds["uid"])
        for v in node.values():
            found |= _datasource_uids(v)
    elif isinstance(node, list):
        for v in node:
            found |= _datasource_uids(v)
    return found


def test_build_with_a_shard_map_writes_data_sources_and_store_boards(tmp_path: Path, examples_dir: Path) -> None:
    shard_map = tmp_path / "shards.yaml"
    shard_map.write_text(MAP, encoding="utf-8")
    out = tmp_path / "out"
    argv = pdcs_argv(
        "grafana", "build", "--out", str(out), "--inventory", str(examples_dir), "--shards", str(shard_map)
    )
    done = subprocess.run(argv, env=pdcs_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the password's variable is unset: grafana build needs none
    sources = {
        s["uid"]: s for s in yaml.safe_load((out / "datasources" / "pdcs.yaml").read_text("utf-8"))["datasources"]
    }
    assert set(sources) == {DATASOURCE_UID, f"{DATASOURCE_UID}-51", NATIONAL_DATASOURCE_UID}
    sc = sources[f"{DATASOURCE_UID}-51"]
    assert (sc["url"], sc["jsonData"]["dbName"], sc["name"]) == (
        "http://10.0.51.5:8086",
        "pdcs",
        "pdcs InfluxDB 四川省",
    )
    assert sc["secureJsonData"]["password"] == "$__env{PDCS_INFLUX_READ_PASSWORD_51}"
    assert sources[NATIONAL_DATASOURCE_UID]["jsonData"]["dbName"] == "pdcs_national"
    assert sources[DATASOURCE_UID]["isDefault"] and sources[DATASOURCE_UID]["url"] == "http://10.0.0.1:8086"
    # The single-store boards are written unchanged; each raw board has a copy on Sichuan's store.
    for b in build_all():
        assert (out / b.path).is_file()
    raw = raw_boards(build_all())
    assert {"pdcs-county", "pdcs-facility", "pdcs-device"} <= {b.uid for b in raw}
    assert "pdcs-national" not in {b.uid for b in raw}
    for b in raw:
        copy = json.loads((out / b.folder / f"{b.uid}-51.json").read_text("utf-8"))
        assert copy["uid"] == f"{b.uid}-51" and copy["title"].endswith("（四川省）")
        assert _datasource_uids(copy) == {f"{DATASOURCE_UID}-51"}
        targets = {m.group(1) for m in re.finditer(r"/d/([\w-]+)/", json.dumps(copy))}
        assert all(t.endswith("-51") for t in targets), targets  # links stay inside the store's boards
        back = json.dumps(copy).replace(f"{DATASOURCE_UID}-51", DATASOURCE_UID).replace("-51/", "/")
        assert check({**json.loads(back), "uid": b.uid}) == []  # as sound as the original, store aside
    county = (out / "regions" / "pdcs-county-51.json").read_text("utf-8")
    assert "/d/pdcs-facility-51/" in county and "金堂县文化馆" in county


def test_shards_needs_out(tmp_path: Path) -> None:
    done = subprocess.run(
        pdcs_argv("grafana", "build", "--shards", str(tmp_path / "x.yaml")),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--out" in done.stderr


def test_check_runs_the_raw_boards_on_every_store(tmp_path: Path, week: Week) -> None:
    """The generated week (Sichuan) in its province's store, an empty default: queries run on both."""
    empty = InfluxDB(url=week.db.url, database=f"{week.db.database}_empty", retries=0)
    empty.ensure_database(RETENTION_POLICIES)
    shard_map = write_shard_map(
        tmp_path / "shards.yaml", (empty.url, empty.database), {"51": (week.db.url, week.db.database)}
    )
    argv = pdcs_argv("grafana", "check", "--shards", str(shard_map))
    done = subprocess.run(argv, env=pdcs_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "ERROR" not in done.stdout, done.stdout + done.stderr
    assert "ok    [51] pdcs-county / 场馆状态 / A" in done.stdout  # Sichuan's data, on Sichuan's store
    assert "EMPTY pdcs-county / 场馆状态 / A" in done.stdout  # the default store holds no province here
    assert "SKIP  pdcs-national" in done.stdout  # no national store in this map
    empty.execute(f'DROP DATABASE "{empty.database}"')
    empty.close()


def test_push_with_a_shard_map_pushes_every_store(tmp_path: Path, examples_dir: Path) -> None:
    """``pdcs grafana push --shards``: what ``build --shards`` writes, through Grafana's HTTP API (a stand-in,
    ``grafana_stub``): every store's data source and pdcs-national, the boards and each store's copies —
    no secret in what it prints."""
    secrets = {
        "PDCS_T_UNSET_51": "influx-write-secret-51",  # the shard map's own reference: push never resolves it
        "PDCS_INFLUX_READ_USER_51": "grafana51",
        "PDCS_INFLUX_READ_PASSWORD_51": "read-secret-51",
        "PDCS_INFLUX_READ_PASSWORD_NATIONAL": "read-secret-national",
        "PDCS_GRAFANA_TOKEN": TOKEN,
    }
    shard_map = tmp_path / "shards.yaml"
    shard_map.write_text(MAP, encoding="utf-8")
    args = ("--shards", str(shard_map), "--inventory", str(examples_dir))
    built = tmp_path / "built"
    assert grafana("build", "--out", str(built), *args).returncode == 0
    raw = raw_boards(build_all())
    with grafana_stub(TOKEN) as (url, state):
        done = grafana("push", "--url", url, *args, **secrets)
        assert done.returncode == 0, done.stderr
        assert state.rejected == []
        assert set(state.datasources) == {DATASOURCE_UID, f"{DATASOURCE_UID}-51", NATIONAL_DATASOURCE_UID}
        sc = state.datasources[f"{DATASOURCE_UID}-51"]
        assert (sc["name"], sc["url"], sc["jsonData"]["dbName"], sc["user"]) == (
            "pdcs InfluxDB 四川省",
            "http://10.0.51.5:8086",
            "pdcs",
            "grafana51",
        )
        assert state.secrets[f"{DATASOURCE_UID}-51"] == {"password": "read-secret-51"}
        assert state.secrets[NATIONAL_DATASOURCE_UID] == {"password": "read-secret-national"}
        assert state.datasources[NATIONAL_DATASOURCE_UID]["jsonData"]["dbName"] == "pdcs_national"
        default = state.datasources[DATASOURCE_UID]
        assert default["isDefault"] and "user" not in default and state.secrets[DATASOURCE_UID] == {}
        # The boards and each raw board's copy on Sichuan's store, as build --shards writes them.
        assert set(state.dashboards) == {b.uid for b in build_all()} | {f"{b.uid}-51" for b in raw}
        for b in raw:
            saved = state.dashboards[f"{b.uid}-51"]
            assert saved["folderUid"] == f"pdcs-{b.folder}"
            written = json.loads((built / b.folder / f"{b.uid}-51.json").read_text("utf-8"))
            assert saved["dashboard"] == {**written, "id": None}
            assert _datasource_uids(saved["dashboard"]) == {f"{DATASOURCE_UID}-51"}
        assert _datasource_uids(state.dashboards["pdcs-national"]["dashboard"]) == {NATIONAL_DATASOURCE_UID}
        for secret in secrets.values():
            assert secret not in done.stdout + done.stderr

        # Again: nothing created twice, every board at version 2. A store that moved is reported, not changed
        # (Grafana's data source may carry settings made there), and the push goes on.
        moved = tmp_path / "moved.yaml"
        moved.write_text(MAP.replace("10.0.51.5", "10.0.51.6"), encoding="utf-8")
        again = grafana("push", "--url", url, "--shards", str(moved), "--inventory", str(examples_dir), **secrets)
        assert again.returncode == 0, again.stderr
        assert state.rejected == [] and {d["version"] for d in state.dashboards.values()} == {2}
        assert sum(1 for m, p in state.requests if m == "POST" and p == "/api/datasources") == 3
        assert "data source pdcs-influxdb-51 reads pdcs @ 10.0.51.5:8086, not pdcs @ 10.0.51.6:8086" in again.stderr
        assert state.datasources[f"{DATASOURCE_UID}-51"]["url"] == "http://10.0.51.5:8086"

        # A title another board holds in the folder: Grafana's 412 name-exists, reported, exit 1.
        state.dashboards["someone-else"] = {
            "dashboard": {"uid": "someone-else", "title": "县级看板（四川省）"},
            "folderUid": "pdcs-regions",
            "version": 1,
        }
        clash = grafana("push", "--url", url, *args, **secrets)
        assert clash.returncode == 1 and "Grafana refused" in clash.stderr and "name-exists" in clash.stderr
        assert TOKEN not in clash.stdout + clash.stderr

    both = grafana("push", "--url", url, "--influx-url", "http://x:8086", *args, PDCS_GRAFANA_TOKEN=TOKEN)
    assert both.returncode == 2 and "not both" in both.stderr
