"""The real collector's output, polled from simulated devices, reads correctly through every dashboard query."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from collectors.inventory_state import is_open
from dashboards.build import build_all
from dashboards.influxql import NATIONAL_DATASOURCE_UID
from dashboards.templating import TimeRange
from dashboards.verify import TargetResult, has_values, resolve_variables, run_targets
from devstack.simulated import write_dev_inventory
from devstack.snmpd import SnmpdServer
from devstack.snmpsim import SnmpsimServer
from inventory.load import load_inventory
from pdcs.storage import InfluxDB
from tests.support.cli import pdcs_argv, pdcs_env

EXAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "examples"
UNPOLLED = "jt-lib-unpolled-sw"


def test_one_collector_cycle_fills_the_state_panels(
    influx: InfluxDB, snmpd: SnmpdServer, snmpsim: SnmpsimServer, tmp_path: Path
) -> None:
    inventory = write_dev_inventory(EXAMPLES, tmp_path / "inventory", snmpd, snmpsim, interval_s=5)
    # In the inventory, polled by nothing (no address, no profile): it never reports a status.
    (inventory / "unpolled.yaml").write_text(
        yaml.safe_dump({"devices": [{"id": UNPOLLED, "name": "未接入交换机", "kind": "switch", "facility": "jt-lib"}]}),
        encoding="utf-8",
    )
    env = pdcs_env(
        PDCS_INFLUX_URL=influx.url,
        PDCS_INFLUX_DB=influx.database,
        PDCS_SPOOL_DIR=str(tmp_path / "spool"),
        PDCS_AUDIT_DIR=str(tmp_path / "audit"),
    )
    argv = pdcs_argv("collect", "--once", "--inventory", str(inventory), "--name", "county-510121")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    # Exit 1: the simulated set includes devices that do not answer (the dashboards must show them down).
    assert done.returncode in (0, 1), done.stderr
    assert "points written" in done.stdout

    tr = TimeRange("now-1h", "now", int(time.time() * 1000))
    with_values: set[tuple[str, str]] = set()
    results: dict[tuple[str, str, str], TargetResult] = {}
    for b in build_all():
        if NATIONAL_DATASOURCE_UID in b.datasources():
            continue  # 全国总览 / 省级看板 read the national summaries (test_summary_boards.py), not this output
        chosen = {"facility": "jt-lib"} if b.uid in ("pdcs-facility", "pdcs-device") else {}
        variables, _ = resolve_variables(b, influx, tr, chosen=chosen)
        for r in run_targets(b, influx, variables, tr):
            assert r.problems == [], f"{b.uid} / {r.panel}: {r.problems}"
            results[b.uid, r.panel, r.ref_id] = r
            if has_values(r):
                with_values.add((b.uid, r.panel))
    for expected in [
        ("pdcs-county", "设备总数"),
        ("pdcs-county", "离线设备"),
        ("pdcs-county", "场馆状态"),
        ("pdcs-county", "设备列表"),
        ("pdcs-county", "离线记录"),
        ("pdcs-facility", "设备在线状态"),
        ("pdcs-collectors", "采集器概览"),
        ("pdcs-county", "未上报设备"),
        ("pdcs-facility", "未上报设备"),
    ]:
        assert expected in with_values, expected

    # 设备总数 counts the inventory (the unpolled switch too), not only the devices that reported.
    loaded = load_inventory(inventory)
    county = loaded.devices_in(["510121"])
    assert _single(results["pdcs-county", "设备总数", "A"]) == len(county)
    reported = {row["device"] for row in _rows(results["pdcs-county", "设备列表", "A"])}
    assert UNPOLLED not in reported and len(reported) < len(county)
    # 未上报设备 = the inventory's rows (A) that Grafana's merge finds no device_up row (B) for.
    for uid in ("pdcs-county", "pdcs-facility"):
        listed = _merged_without_up(results[uid, "未上报设备", "A"], results[uid, "未上报设备", "B"])
        assert UNPOLLED in listed
        assert listed.isdisjoint(reported)
    assert (
        _merged_without_up(results["pdcs-county", "未上报设备", "A"], results["pdcs-county", "未上报设备", "B"])
        == {d.id for d in county} - reported
    )

    # The facility's scheduled state, as supervision/schedule.py says for now: the device table's 开放状态
    # column (1/0, every inventory device, merged with the status rows) and the timeline's 开放时间 row (4/2).
    lib_open = is_open(loaded.facilities["jt-lib"], time.time_ns())
    open_now = {row["device"]: row["open"] for row in _rows(results["pdcs-county", "设备列表", "B"])}
    assert set(open_now) == {d.id for d in county}
    assert open_now[UNPOLLED] == int(lib_open)
    expected_state = 4 if lib_open else 2
    states = {row["open"] for row in _rows(results["pdcs-facility", "设备在线状态", "B"]) if row["open"] is not None}
    assert states == {expected_state}

    # 离线设备 and 场馆状态 read inventory_device.state / down_open: a device down while its facility is closed
    # (switched off at night) is neither counted offline nor red; its facility's grid cell goes above 1 (闭馆).
    opened = {f: is_open(fac, time.time_ns()) for f, fac in loaded.facilities.items()}
    status = {(str(r["facility"]), str(r["device"])): r["up"] for r in _rows(results["pdcs-county", "设备列表", "A"])}
    assert 0 in status.values()  # the simulated set has devices that do not answer
    state = {k: 1 if up == 1 else (0 if opened[k[0]] else 2) for k, up in status.items()}
    assert _single(results["pdcs-county", "离线设备", "A"]) == sum(1 for s in state.values() if s == 0)
    grid = {s.tags["facility"]: s.values[0][1] for s in results["pdcs-county", "场馆状态", "A"].series}
    for f in {f for f, _ in state}:
        mine = [s for (g, _), s in state.items() if g == f]
        assert grid[f] == pytest.approx(sum(mine) / len(mine)), f


def _rows(r: TargetResult) -> list[dict[str, object]]:
    return [{**s.tags, **row} for s in r.series for row in s.rows()]


def _single(r: TargetResult) -> object:
    (value,) = [row[r.columns[0]] for row in _rows(r)]
    return value


def _merged_without_up(inventory: TargetResult, up: TargetResult) -> set[str]:
    """Grafana's merge transformation joins the two tables on their common columns (facility, device,
    kind); filterByValue (isNull on up) then keeps the rows only the inventory has."""
    key = ("facility", "device", "kind")
    with_up = {tuple(row[k] for k in key) for row in _rows(up) if row.get("up") is not None}
    return {str(row["device"]) for row in _rows(inventory) if tuple(row[k] for k in key) not in with_up}
