"""Every variable and panel query, substituted as Grafana would, against a real InfluxDB holding a week of data."""

from __future__ import annotations

from collections import defaultdict

import pytest

from collectors.inventory_state import is_open
from dashboards.build import Built, build_all, build_raw_peers
from dashboards.templating import TimeRange
from dashboards.verify import TargetResult, has_values, resolve_variables, run_targets
from inventory.models import DeviceKind
from tests.dashboards.conftest import Week

BOARDS = {b.uid: b for b in build_all()}


def week_range(week: Week) -> TimeRange:
    return TimeRange("now-7d", "now", week.end_s * 1000)


def assert_sound(results: list[TargetResult]) -> None:
    for r in results:
        assert r.problems == [], f"{r.dashboard} / {r.panel} / {r.ref_id}: {r.problems}\n{r.query}"


# 全国总览 and 省级看板 read the national summaries, not raw points (tests/dashboards/test_summary_boards.py);
# their raw predecessors (the benchmarks' peer) still read raw and are checked here.
SUMMARY_BOARDS = {"pdcs-national", "pdcs-province"}
RAW_PEERS = {b.uid: b for b in build_raw_peers()}


@pytest.mark.parametrize("uid", [u for u in {**BOARDS, **RAW_PEERS} if u != "pdcs-device" and u not in SUMMARY_BOARDS])
def test_every_panel_returns_its_columns_with_data(week: Week, uid: str) -> None:
    built = {**BOARDS, **RAW_PEERS}[uid]
    tr = week_range(week)
    variables, var_queries = resolve_variables(built, week.db, tr)
    for name, v in variables.items():
        assert v.options, f"variable {name}: {var_queries[name]} returned nothing"
    results = run_targets(built, week.db, variables, tr)
    assert len(results) == sum(1 for _ in built.targets()) > 0
    assert_sound(results)
    empty = [f"{r.panel}/{r.ref_id}: {r.query}" for r in results if not has_values(r)]
    assert empty == []


def test_variable_chain_narrows_to_the_inventory(week: Week) -> None:
    built = BOARDS["pdcs-device"]
    tr = week_range(week)
    variables, queries = resolve_variables(built, week.db, tr, chosen={"facility": "jt-cc"})
    assert variables["province"].options == ["51"]
    assert variables["county"].options == ["510121"]
    assert set(variables["facility"].options) == set(week.inventory.facilities)
    cc_devices = {d.id for d in week.inventory.devices.values() if d.facility == "jt-cc"}
    assert set(variables["device"].options) == cc_devices
    assert '"facility" =~ /^jt-cc$/' in queries["device"]


def test_device_detail_panels_have_data_for_each_kind_of_device(week: Week) -> None:
    """A device board panel is empty for kinds it does not apply to, but each panel has data for some kind."""
    built: Built = BOARDS["pdcs-device"]
    tr = week_range(week)
    kinds = (DeviceKind.SWITCH, DeviceKind.WIRELESS_AP, DeviceKind.E_READING_TERMINAL, DeviceKind.KIOSK)
    with_data: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind in kinds:
        # The first device of that kind, the last switch / kiosk (down at the end of the week) included by order.
        device = sorted((d for d in week.inventory.devices.values() if d.kind == kind), key=lambda d: d.id)[-1]
        chosen = {"facility": device.facility, "device": device.id}
        variables, _ = resolve_variables(built, week.db, tr, chosen=chosen)
        assert variables["device"].current() == [device.id]
        results = run_targets(built, week.db, variables, tr)
        assert_sound(results)
        for r in results:
            if has_values(r):
                with_data[(r.panel, r.ref_id)].append(kind.value)
    every = {(p.title, t.ref_id) for p, t in built.targets()}
    assert every - set(with_data) == set(), "panels empty for every kind of device"
    assert with_data[("接口流量", "A")] == ["switch"]
    assert with_data[("无线用户数", "A")] == ["wireless_ap"]
    assert "switch" in with_data[("离线记录", "A")]


def test_counters_match_the_generated_week(week: Week) -> None:
    """The county board's counters agree with what the generator wrote (last switch and kiosk down)."""
    built = BOARDS["pdcs-county"]
    tr = week_range(week)
    variables, _ = resolve_variables(built, week.db, tr)
    results = {r.panel: r for r in run_targets(built, week.db, variables, tr)}

    def value(panel: str) -> object:
        (series,) = results[panel].series
        return series.values[0][1]

    assert value("设备总数") == len(week.inventory.devices)
    assert value("在线设备") == len(week.inventory.devices) - 2
    # The generator leaves the last switch and the last kiosk (by id) down at the end: 离线设备 only while
    # their facility is open; down while closed they are switched off (state 2, 闭馆), not offline.
    devices = week.inventory.devices.values()
    down = {max(d.id for d in devices if d.kind == k) for k in (DeviceKind.SWITCH, DeviceKind.KIOSK)}
    opened = {f: is_open(fac, week.end_s * 10**9) for f, fac in week.inventory.facilities.items()}
    state = {d.id: 1 if d.id not in down else (0 if opened[d.facility] else 2) for d in devices}
    assert value("离线设备") == sum(1 for s in state.values() if s == 0)
    expected = {
        f: sum(state[d.id] for d in devices if d.facility == f) / sum(d.facility == f for d in devices)
        for f in week.inventory.facilities
    }
    grid = {s.tags["facility"]: s.values[0][1] for s in results["场馆状态"].series}
    assert grid == pytest.approx(expected)
    assert grid["jt-lib"] == 1.0
    assert grid["jt-wufeng"] == (0.5 if opened["jt-wufeng"] else 1.5)  # 1.5: 闭馆 (grey) on the board
