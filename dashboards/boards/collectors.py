"""采集器状态: is pdcs itself healthy — cycle time, failures, spool, writes, malformed answers."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.common import Names, hide_time, renamed_columns, stat_panel, table_panel, thresholds, timeseries_panel
from dashboards.influxql import DATASOURCE, InfluxQL

UID = "pdcs-collectors"
FOLDER = "platform"


def build(names: Names) -> db.Dashboard:
    where = '"collector" =~ /^$collector$/'
    d = board(UID, "采集器状态", "各采集器的采集周期、设备成功/失败数、本地缓存积压与写入情况。")
    d = d.with_variable(
        db.QueryVariable("collector")
        .label("采集器")
        .datasource(DATASOURCE)
        .query('SHOW TAG VALUES FROM "collector" WITH KEY = "collector"')
        .refresh(dm.VariableRefresh.ON_DASHBOARD_LOAD)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
    )
    d = d.with_panel(
        stat_panel(
            "采集失败设备",
            "最近一个采集周期内失败的设备数之和。",
            InfluxQL(
                'SELECT sum("devices_failed") FROM (SELECT last("devices_failed") AS "devices_failed" '
                f'FROM "collector" WHERE $timeFilter AND {where} GROUP BY "collector")',
                columns=("sum",),
            ),
        ).thresholds(thresholds((None, "green"), (1, "orange")))
    )
    d = d.with_panel(
        stat_panel(
            "缓存积压",
            "尚未写入 InfluxDB 的缓存点数（InfluxDB 不可用时增长）。",
            InfluxQL(
                'SELECT sum("spool_depth") FROM (SELECT last("spool_depth") AS "spool_depth" '
                f'FROM "collector" WHERE $timeFilter AND {where} GROUP BY "collector")',
                columns=("sum",),
            ),
        ).thresholds(thresholds((None, "green"), (1000, "orange"), (100000, "red")))
    )
    d = d.with_panel(
        stat_panel(
            "丢弃的点",
            "所选时间范围内因缓存满等原因丢弃的点数。",
            InfluxQL(f'SELECT sum("points_dropped") FROM "collector" WHERE $timeFilter AND {where}', columns=("sum",)),
        ).thresholds(thresholds((None, "green"), (1, "red")))
    )
    d = d.with_panel(
        stat_panel(
            "异常应答",
            "所选时间范围内无法解析的设备应答数（采集器计数并跳过）。",
            InfluxQL(f'SELECT sum("malformed") FROM "collector" WHERE $timeFilter AND {where}', columns=("sum",)),
        ).thresholds(thresholds((None, "green"), (1, "orange")))
    )
    overview = table_panel(
        "采集器概览",
        "每个采集器最近一个周期的耗时、设备数与积压。",
        InfluxQL(
            'SELECT last("cycle_s") AS "cycle_s", last("devices_ok") AS "devices_ok", '
            'last("devices_failed") AS "devices_failed", last("devices_skipped") AS "devices_skipped", '
            'last("spool_depth") AS "spool_depth", last("malformed") AS "malformed" '
            f'FROM "collector" WHERE $timeFilter AND {where} GROUP BY "collector", "regions"',
            columns=("cycle_s", "devices_ok", "devices_failed", "devices_skipped", "spool_depth", "malformed"),
            group_by=("collector", "regions"),
        ).table(),
    )
    overview = overview.override_by_name("cycle_s", [dm.DynamicConfigValue(id_val="unit", value="s")])
    renames = {
        "collector": "采集器",
        "regions": "负责区域",
        "cycle_s": "周期耗时",
        "devices_ok": "成功",
        "devices_failed": "失败",
        "devices_skipped": "跳过",
        "spool_depth": "缓存积压",
        "malformed": "异常应答",
    }
    d = d.with_panel(hide_time(renamed_columns(overview, renames)).span(24))
    d = d.with_panel(
        timeseries_panel(
            "采集周期耗时",
            "每个采集周期的耗时；接近采集间隔说明采集器过载。",
            InfluxQL(
                f'SELECT max("cycle_s") FROM "collector" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "collector" fill(null)',
                columns=("max",),
                group_by=("collector",),
            ).alias("$tag_collector"),
            unit="s",
        )
    )
    d = d.with_panel(
        timeseries_panel(
            "设备采集结果",
            "每个周期采集成功与失败的设备数。",
            InfluxQL(
                'SELECT mean("devices_ok") AS "devices_ok", mean("devices_failed") AS "devices_failed" '
                f'FROM "collector" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "collector" fill(null)',
                columns=("devices_ok", "devices_failed"),
                group_by=("collector",),
            ).alias("$tag_collector $col"),
        )
    )
    d = d.with_panel(
        timeseries_panel(
            "缓存积压趋势",
            "本地缓存中等待写入的点数。",
            InfluxQL(
                f'SELECT max("spool_depth") FROM "collector" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "collector" fill(null)',
                columns=("max",),
                group_by=("collector",),
            ).alias("$tag_collector"),
        )
    )
    return d.with_panel(
        timeseries_panel(
            "写入点数",
            "每个时间段写入 InfluxDB 与丢弃的点数。",
            InfluxQL(
                'SELECT sum("points_written") AS "points_written", sum("points_dropped") AS "points_dropped" '
                f'FROM "collector" WHERE $timeFilter AND {where} '
                'GROUP BY time($__interval), "collector" fill(0)',
                columns=("points_written", "points_dropped"),
                group_by=("collector",),
            ).alias("$tag_collector $col"),
        )
    )
