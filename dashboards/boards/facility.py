"""场馆看板: one facility's devices over time, uplink, wireless and terminals."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import statetimeline
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.boards.county import device_table, failing_checks_table, unreported_table
from dashboards.common import (
    OPEN_CLOSED,
    UP_DOWN,
    Names,
    hide_time,
    name_columns,
    region_filter,
    region_variables,
    renamed_columns,
    series_names,
    table_panel,
    timeseries_panel,
)
from dashboards.influxql import DATASOURCE, InfluxQL
from dashboards.queries import clients_sum, open_state

UID = "pdcs-facility"
FOLDER = "regions"


def build(names: Names) -> db.Dashboard:
    where = region_filter("province", "city", "county", "facility", "device")
    d = board(UID, "场馆看板", "一个场馆（图书馆、文化馆、综合文化服务中心等）内各设备的运行情况。")
    for v in region_variables("device", multi_from="device", also_multi=("city",)):
        d = d.with_variable(v)

    timeline = (
        statetimeline.Panel()
        .title("设备在线状态")
        .description(
            "每台设备在各时间段的在线（绿）/ 离线（红）状态；首行“开放时间”是场馆按开放时间（含节假日、闭馆公告）"
            "开放（蓝）/ 闭馆（灰）的时段——闭馆时终端关机属正常，不算停服。"
        )
        .datasource(DATASOURCE)
        .with_target(
            InfluxQL(
                f'SELECT last("up") FROM "device_up" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "device" fill(previous)',
                columns=("last",),
                group_by=("device",),
            ).alias("$tag_device")
        )
        .with_target(
            InfluxQL(open_state(where, "facility"), columns=("open",), group_by=("facility",))
            .ref_id("B")
            .alias("开放时间")
        )
        .mappings(UP_DOWN + OPEN_CLOSED)
        .show_value(cm.VisibilityMode.NEVER)
        .merge_values(True)
        .row_height(0.8)
        .legend(cb.VizLegendOptions().show_legend(False))
        .tooltip(cb.VizTooltipOptions().mode(cm.TooltipDisplayMode.SINGLE))
        .span(24)
        .height(8)
    )
    d = d.with_panel(series_names(timeline, names))  # type: ignore[arg-type]
    d = d.with_panel(
        device_table(
            where,
            names,
            "场馆内清单中每台设备最近一次采集的状态、响应时间、运行时间与场馆开放状态；从未上报的设备显示“未上报”。",
            facility_board=True,
        )
    )
    d = d.with_panel(unreported_table(where, names))

    d = d.with_panel(
        timeseries_panel(
            "出口带宽",
            "出口链路（uplink=1）的入/出方向速率。",
            InfluxQL(
                'SELECT mean("in_bps") AS "in_bps", mean("out_bps") AS "out_bps" FROM "interface" '
                f"WHERE $timeFilter AND {where} AND \"uplink\" = '1' "
                'GROUP BY time($__interval), "device", "ifname" fill(null)',
                columns=("in_bps", "out_bps"),
                group_by=("device", "ifname"),
            ).alias("$tag_ifname $col"),
            unit="bps",
        )
    )
    d = d.with_panel(
        timeseries_panel(
            "出口利用率",
            "出口链路入/出方向利用率（占接口速率的百分比），持续高于 80% 说明带宽不足。",
            InfluxQL(
                'SELECT max("in_util_pct") AS "in_util_pct", max("out_util_pct") AS "out_util_pct" FROM "interface" '
                f"WHERE $timeFilter AND {where} AND \"uplink\" = '1' "
                'GROUP BY time($__interval), "device", "ifname" fill(null)',
                columns=("in_util_pct", "out_util_pct"),
                group_by=("device", "ifname"),
            ).alias("$tag_ifname $col"),
            unit="percent",
        )
        .min(0)
        .max(100)
    )
    clients = timeseries_panel(
        "无线用户数",
        "各无线接入点（或控制器下各 AP）上的在线用户数。",
        InfluxQL(clients_sum(where, "device"), columns=("clients",), group_by=("device",)).alias("$tag_device"),
    )
    d = d.with_panel(series_names(clients, names))
    cpu = timeseries_panel(
        "终端 CPU 使用率",
        "电子阅览终端、一体机与服务器的 CPU 使用率。",
        InfluxQL(
            f'SELECT mean("cpu_pct") FROM "host" WHERE $timeFilter AND {where} '
            'GROUP BY time($__interval), "device" fill(null)',
            columns=("mean",),
            group_by=("device",),
        ).alias("$tag_device"),
        unit="percent",
    )
    d = d.with_panel(series_names(cpu.min(0).max(100), names))

    hosts = table_panel(
        "终端资源",
        "各终端最近一次上报的 CPU、内存、磁盘使用率、会话数与一体机应用状态。",
        InfluxQL(
            'SELECT last("cpu_pct") AS "cpu_pct", last("mem_used_pct") AS "mem_used_pct", '
            'last("disk_used_pct") AS "disk_used_pct", last("sessions") AS "sessions", '
            f'last("kiosk_app_up") AS "kiosk_app_up" FROM "host" WHERE $timeFilter AND {where} '
            'GROUP BY "device", "kind"',
            columns=("cpu_pct", "mem_used_pct", "disk_used_pct", "sessions", "kiosk_app_up"),
            group_by=("device", "kind"),
        ).table(),
    )
    for col in ("cpu_pct", "mem_used_pct", "disk_used_pct"):
        hosts = hosts.override_by_name(col, [dm.DynamicConfigValue(id_val="unit", value="percent")])
    hosts = hosts.override_by_name("kiosk_app_up", [dm.DynamicConfigValue(id_val="mappings", value=UP_DOWN)])
    hosts = name_columns(hosts, names, ["device", "kind"])
    renames = {
        "device": "设备",
        "kind": "类型",
        "cpu_pct": "CPU",
        "mem_used_pct": "内存",
        "disk_used_pct": "磁盘",
        "sessions": "会话数",
        "kiosk_app_up": "一体机应用",
    }
    d = d.with_panel(hide_time(renamed_columns(hosts, renames)).span(24))
    return d.with_panel(failing_checks_table(where, names))
