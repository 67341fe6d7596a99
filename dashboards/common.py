"""Pieces every pdcs dashboard shares: the region variable chain, filters, panels.

Points carry region codes and ids as tags (docs/architecture.md); the chained
variables province → city → county → facility → device list tag values, each
filtered by the levels above it, so choosing a county narrows the facilities.
Names are shown through value mappings and display-name overrides built from
an inventory (``Names``) when one is given at build time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import stat, table, timeseries
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.influxql import DATASOURCE, InfluxQL

LEVELS = ("province", "city", "county", "facility", "device")
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）", "facility": "场馆", "device": "设备"}
ALL_VALUE = ".*"


@dataclass(frozen=True)
class Names:
    """Display names for tag values: region codes, facility and device ids (from an inventory)."""

    by_value: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_value)


def region_filter(*levels: str) -> str:
    """``"province" =~ /^$province$/ AND ...`` for the given variable levels."""
    return " AND ".join(f'"{lv}" =~ /^${lv}$/' for lv in levels)


def variable_query(level: str, above: Sequence[str], measurement: str = "device_up") -> str:
    q = f'SHOW TAG VALUES FROM "{measurement}" WITH KEY = "{level}"'
    if above:
        q += " WHERE " + region_filter(*above)
    return q


def region_variables(
    upto: str,
    *,
    multi_from: str | None = None,
    also_multi: Sequence[str] = (),
    datasource: dm.DataSourceRef = DATASOURCE,
    measurement: str = "device_up",
) -> list[db.QueryVariable]:
    """The chained variables from province down to ``upto``.

    Levels from ``multi_from`` on (and those in ``also_multi``) are multi-value
    with "All" (``.*``); the others are single-value, so a county dashboard is
    about one county.  A level above the subject may still offer "All" so that a
    link from a higher board can name a county without its city (``$__all``).
    ``datasource``/``measurement``: where the tag values are listed (the boards on the national
    summaries list them from ``county_summary``).
    """
    levels = LEVELS[: LEVELS.index(upto) + 1]
    multi_index = LEVELS.index(multi_from) if multi_from else len(LEVELS)
    out = []
    for i, level in enumerate(levels):
        var = (
            db.QueryVariable(level)
            .label(LEVEL_LABELS[level])
            .datasource(datasource)
            .query(variable_query(level, levels[:i], measurement))
            .refresh(dm.VariableRefresh.ON_DASHBOARD_LOAD)
            .sort(dm.VariableSort.ALPHABETICAL_ASC)
        )
        if i >= multi_index or level in also_multi:
            var = var.multi(True).include_all(True).all_value(ALL_VALUE)
        out.append(var)
    return out


def board_url(uid: str, params: Mapping[str, str]) -> str:
    """A link to another pdcs board keeping the time range; ``params`` are variable → value (Grafana syntax)."""
    query = "&".join(f"var-{k}={v}" for k, v in params.items())
    return f"/d/{uid}/?{query}&${{__url_time_range}}"


# Links always pass city=$__all: every board below the national one offers "All" for city,
# so a link can name a county without knowing its city.
TO_FACILITY = {
    "province": "${province}",
    "city": "$__all",
    "county": "${county}",
    "facility": "${__value.raw}",
    "device": "$__all",
}


def link_column(panel: table.Panel, column: str, title: str, uid: str, params: Mapping[str, str]) -> table.Panel:
    """Clicking a cell of ``column`` opens board ``uid`` (``${__value.raw}`` is the cell's raw value)."""
    link = {"title": title, "url": board_url(uid, params)}
    return panel.override_by_name(column, [dm.DynamicConfigValue(id_val="links", value=[link])])


def value_names(names: Names) -> list[dm.ValueMapping]:
    if not names:
        return []
    return [dm.ValueMap(options={v: dm.ValueMappingResult(text=t) for v, t in sorted(names.by_value.items())})]


def name_columns(panel: table.Panel, names: Names, columns: Sequence[str]) -> table.Panel:
    """Show names instead of codes/ids in the given table columns."""
    maps = value_names(names)
    if maps:
        for col in columns:
            panel = panel.override_by_name(col, [dm.DynamicConfigValue(id_val="mappings", value=maps)])
    return panel


def series_names(panel: stat.Panel | timeseries.Panel, names: Names) -> stat.Panel | timeseries.Panel:
    """Display names for series named by a tag value (alias ``$tag_facility`` etc.)."""
    for value, text in sorted(names.by_value.items()):
        panel = panel.override_by_name(value, [dm.DynamicConfigValue(id_val="displayName", value=text)])
    return panel


def thresholds(*steps: tuple[float | None, str]) -> db.ThresholdsConfig:
    return (
        db.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps([dm.Threshold(value=v, color=c) for v, c in steps])
    )


UP_DOWN: list[dm.ValueMapping] = [
    dm.ValueMap(
        options={
            "0": dm.ValueMappingResult(text="离线", color="red", index=0),
            "1": dm.ValueMappingResult(text="在线", color="green", index=1),
        }
    )
]
# The 场馆状态 grid shows each facility's mean inventory_device.state (1 up, 0 down while open, 2 down while
# closed): an open facility has no 2s (0..1 = the share online), a closed one no 0s, so above 1 means
# closed with devices switched off — 闭馆, grey, not an outage.
FACILITY_CLOSED: list[dm.ValueMapping] = [
    dm.RangeMap(
        options=dm.DashboardRangeMapOptions(
            from_val=1.0001, to=2, result=dm.ValueMappingResult(text="闭馆", color="#8e8e8e", index=0)
        )
    )
]
# dashboards.queries.open_state: a facility's opening hours beside the devices' 0/1 (supervision/schedule.py).
OPEN_CLOSED: list[dm.ValueMapping] = [
    dm.ValueMap(
        options={
            "2": dm.ValueMappingResult(text="闭馆", color="#8e8e8e", index=0),
            "4": dm.ValueMappingResult(text="开放", color="blue", index=1),
        }
    )
]
# inventory_device.open as the facility's state now: closed is grey, so a terminal off at night is not read as red.
OPEN_NOW: list[dm.ValueMapping] = [
    dm.ValueMap(
        options={
            "0": dm.ValueMappingResult(text="闭馆", color="#8e8e8e", index=0),
            "1": dm.ValueMappingResult(text="开放", color="blue", index=1),
        }
    )
]
PASS_FAIL: list[dm.ValueMapping] = [
    dm.ValueMap(
        options={
            "0": dm.ValueMappingResult(text="未通过", color="red", index=0),
            "1": dm.ValueMappingResult(text="通过", color="green", index=1),
        }
    )
]


def stat_panel(
    title: str, description: str, *targets: InfluxQL, unit: str = "none", datasource: dm.DataSourceRef = DATASOURCE
) -> stat.Panel:
    p = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(datasource)
        .unit(unit)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .graph_mode(cm.BigValueGraphMode.NONE)
        .color_mode(cm.BigValueColorMode.BACKGROUND)
        .text_mode(cm.BigValueTextMode.AUTO)
        .height(4)
        .span(6)
    )
    for t in targets:
        p = p.with_target(t)
    return p


def table_panel(
    title: str, description: str, *targets: InfluxQL, datasource: dm.DataSourceRef = DATASOURCE
) -> table.Panel:
    p = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(datasource)
        .show_header(True)
        .cell_height(cm.TableCellHeight.SM)
        .footer(cb.TableFooterOptions().show(False).reducer(["sum"]).count_rows(False))
        .height(9)
        .span(12)
    )
    for t in targets:
        p = p.with_target(t)
    return p


def timeseries_panel(
    title: str, description: str, *targets: InfluxQL, unit: str = "none", datasource: dm.DataSourceRef = DATASOURCE
) -> timeseries.Panel:
    p = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(datasource)
        .unit(unit)
        .line_width(1)
        .fill_opacity(10)
        .span_nulls(False)
        .legend(
            cb.VizLegendOptions()
            .show_legend(True)
            .display_mode(cm.LegendDisplayMode.LIST)
            .placement(cm.LegendPlacement.BOTTOM)
        )
        .tooltip(cb.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING))
        .height(8)
        .span(12)
    )
    for t in targets:
        p = p.with_target(t)
    return p


def hidden_columns(panel: table.Panel, *columns: str) -> table.Panel:
    for col in columns:
        panel = panel.override_by_name(col, [dm.DynamicConfigValue(id_val="custom.hidden", value=True)])
    return panel


def renamed_columns(panel: table.Panel, renames: Mapping[str, str]) -> table.Panel:
    for col, text in renames.items():
        panel = panel.override_by_name(col, [dm.DynamicConfigValue(id_val="displayName", value=text)])
    return panel


def hide_time(panel: table.Panel) -> table.Panel:
    """Aggregates over the whole range carry a meaningless time column in table format."""
    return hidden_columns(panel, "Time")


def device_counters(where: str) -> list[stat.Panel]:
    """设备总数 / 在线 / 离线 / 未通过检查: the four counters at the top of the region boards."""
    from dashboards.queries import expected_devices, latest_check, latest_state, latest_up

    return [
        stat_panel(
            "设备总数",
            "清单中应监测的设备数（采集器每轮写入 inventory_device），含从未上报状态的设备。",
            InfluxQL(f'SELECT count("expected") FROM ({expected_devices(where)})', columns=("count",)),
        ).thresholds(thresholds((None, "blue"))),
        stat_panel(
            "在线设备",
            "最近一次采集为在线的设备数。",
            InfluxQL(f'SELECT sum("up") FROM ({latest_up(where)})', columns=("sum",)),
        ).thresholds(thresholds((None, "green"))),
        stat_panel(
            "离线设备",
            "最近一次采集为离线、且所在场馆处于开放时间的设备数；闭馆时关机的终端不计入。大于 0 时标红。",
            InfluxQL(f'SELECT sum("down_open") FROM ({latest_state(where, field="down_open")})', columns=("sum",)),
        )
        # down_open is written for every polled device (0 included): no answer means no data, not 0 offline.
        .no_value("无数据")
        .thresholds(thresholds((None, "green"), (1, "red"))),
        stat_panel(
            "未通过检查项",
            "各设备各检查项最近一次结果为未通过的数量（等保 2.0 检查）。",
            InfluxQL(f'SELECT count("passed") FROM ({latest_check(where)}) WHERE "passed" = 0', columns=("count",)),
        )
        .no_value("0")
        .thresholds(thresholds((None, "green"), (1, "orange"), (10, "red"))),
    ]
