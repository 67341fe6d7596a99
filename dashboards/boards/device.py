"""设备详情: one device — state, errors, interfaces, host resources, wireless, checks."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.common import (
    PASS_FAIL,
    UP_DOWN,
    Names,
    hide_time,
    region_filter,
    region_variables,
    renamed_columns,
    stat_panel,
    table_panel,
    thresholds,
    timeseries_panel,
)
from dashboards.influxql import InfluxQL

UID = "pdcs-device"
FOLDER = "devices"


def build(names: Names) -> db.Dashboard:
    where = region_filter("province", "city", "county", "facility", "device")
    d = board(UID, "设备详情", "单台设备的在线状态、离线原因、接口流量、主机资源、无线用户与安全检查。")
    for v in region_variables("device", also_multi=("city",)):
        d = d.with_variable(v)

    d = d.with_panel(
        stat_panel(
            "状态",
            "最近一次采集的在线状态。",
            InfluxQL(f'SELECT last("up") FROM "device_up" WHERE $timeFilter AND {where}', columns=("last",)),
        )
        .mappings(UP_DOWN)
        .thresholds(thresholds((None, "red"), (1, "green")))
    )
    d = d.with_panel(
        stat_panel(
            "运行时间",
            "设备自上次启动以来的运行时间（SNMP sysUpTime 或代理上报）。",
            InfluxQL(f'SELECT last("uptime_s") FROM "device_up" WHERE $timeFilter AND {where}', columns=("last",)),
            unit="s",
        ).thresholds(thresholds((None, "blue")))
    )
    d = d.with_panel(
        stat_panel(
            "响应时间",
            "最近一次采集的响应时间。",
            InfluxQL(f'SELECT last("rtt_ms") FROM "device_up" WHERE $timeFilter AND {where}', columns=("last",)),
            unit="ms",
        ).thresholds(thresholds((None, "green"), (200, "orange"), (1000, "red")))
    )
    d = d.with_panel(
        stat_panel(
            "在线率",
            "所选时间范围内在线的采集次数占比。",
            InfluxQL(f'SELECT mean("up") * 100 FROM "device_up" WHERE $timeFilter AND {where}', columns=("mean",)),
            unit="percent",
        ).thresholds(thresholds((None, "red"), (95, "orange"), (99, "green")))
    )
    d = d.with_panel(
        timeseries_panel(
            "响应时间趋势",
            "采集响应时间随时间的变化；断点表示离线。",
            InfluxQL(
                f'SELECT mean("rtt_ms") AS "rtt_ms" FROM "device_up" WHERE $timeFilter AND {where} '
                "GROUP BY time($__interval) fill(null)",
                columns=("rtt_ms",),
            ).alias("响应时间"),
            unit="ms",
        )
    )
    errors = table_panel(
        "离线记录",
        "离线的采集及错误信息（最近 50 条）。",
        InfluxQL(
            f'SELECT "error", "source" FROM "device_up" WHERE $timeFilter AND {where} AND "up" = 0 '
            "ORDER BY time DESC LIMIT 50",
            columns=("error", "source"),
        ).table(),
    )
    d = d.with_panel(renamed_columns(errors, {"Time": "时间", "error": "错误", "source": "来源"}))
    d = d.with_panel(
        timeseries_panel(
            "接口流量",
            "各接口入/出方向速率。",
            InfluxQL(
                'SELECT mean("in_bps") AS "in_bps", mean("out_bps") AS "out_bps" FROM "interface" '
                f'WHERE $timeFilter AND {where} GROUP BY time($__interval), "ifname" fill(null)',
                columns=("in_bps", "out_bps"),
                group_by=("ifname",),
            ).alias("$tag_ifname $col"),
            unit="bps",
        )
    )
    interfaces = table_panel(
        "接口状态",
        "各接口最近一次采集的运行状态、速率与利用率。",
        InfluxQL(
            'SELECT last("oper_up") AS "oper_up", last("speed_bps") AS "speed_bps", '
            'last("in_util_pct") AS "in_util_pct", last("out_util_pct") AS "out_util_pct" FROM "interface" '
            f'WHERE $timeFilter AND {where} GROUP BY "ifname", "ifindex", "uplink"',
            columns=("oper_up", "speed_bps", "in_util_pct", "out_util_pct"),
            group_by=("ifname", "ifindex", "uplink"),
        ).table(),
    )
    interfaces = interfaces.override_by_name("oper_up", [dm.DynamicConfigValue(id_val="mappings", value=UP_DOWN)])
    interfaces = interfaces.override_by_name("speed_bps", [dm.DynamicConfigValue(id_val="unit", value="bps")])
    renames = {
        "ifname": "接口",
        "ifindex": "ifIndex",
        "uplink": "出口",
        "oper_up": "状态",
        "speed_bps": "速率",
        "in_util_pct": "入方向利用率 (%)",
        "out_util_pct": "出方向利用率 (%)",
    }
    d = d.with_panel(hide_time(renamed_columns(interfaces, renames)))
    d = d.with_panel(
        timeseries_panel(
            "主机资源",
            "终端 / 一体机的 CPU、内存与磁盘使用率。",
            InfluxQL(
                'SELECT mean("cpu_pct") AS "cpu_pct", mean("mem_used_pct") AS "mem_used_pct", '
                f'mean("disk_used_pct") AS "disk_used_pct" FROM "host" WHERE $timeFilter AND {where} '
                "GROUP BY time($__interval) fill(null)",
                columns=("cpu_pct", "mem_used_pct", "disk_used_pct"),
            ).alias("$col"),
            unit="percent",
        )
        .min(0)
        .max(100)
    )
    d = d.with_panel(
        timeseries_panel(
            "无线用户数",
            "各射频 / SSID 上的在线用户数。",
            InfluxQL(
                f'SELECT mean("clients") AS "clients" FROM "wireless" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "ap", "radio", "ssid" fill(null)',
                columns=("clients",),
                group_by=("ap", "radio", "ssid"),
            ).alias("$tag_radio $tag_ssid"),
        )
    )
    d = d.with_panel(
        timeseries_panel(
            "系统日志",
            "设备发来的 syslog 条数（按严重程度）；日志原文：pdcs syslog search 或 API /devices/{id}/syslog。",
            InfluxQL(
                f'SELECT sum("messages") AS "messages" FROM "syslog" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "severity" fill(none)',
                columns=("messages",),
                group_by=("severity",),
            ).alias("$tag_severity"),
        ).span(24)
    )
    checks = table_panel(
        "安全检查",
        "各检查项最近一次的结果与证据（等保 2.0 条款）。",
        InfluxQL(
            'SELECT last("passed") AS "passed", last("status") AS "status", last("detail") AS "detail" '
            f'FROM "security_check" WHERE $timeFilter AND {where} '
            'GROUP BY "check", "mlps_item", "mlps_level", "severity"',
            columns=("passed", "status", "detail"),
            group_by=("check", "mlps_item", "mlps_level", "severity"),
        ).table(),
    )
    checks = checks.override_by_name("passed", [dm.DynamicConfigValue(id_val="mappings", value=PASS_FAIL)])
    renames = {
        "check": "检查项",
        "mlps_item": "等保条款",
        "mlps_level": "等级",
        "severity": "严重程度",
        "passed": "结果",
        "status": "状态",
        "detail": "证据",
    }
    return d.with_panel(hide_time(renamed_columns(checks, renames)).span(24))
