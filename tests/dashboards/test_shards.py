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
