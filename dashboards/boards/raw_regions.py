"""The national and province boards as they were before the national summaries: raw points only.

Not provisioned (``dashboards.build.BOARDS`` holds the boards on the summaries); kept buildable so that
bench/national.py can time "today's raw queries on the same data" as the peer figure of issue 19
(``dashboards.build.build_raw_peers``).  Their cost grows with the fleet; the summaries' does not.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.common import (
    Names,
    device_counters,
    hide_time,
    link_column,
    name_columns,
    region_filter,
    region_variables,
    renamed_columns,
    series_names,
    table_panel,
    timeseries_panel,
)
from dashboards.influxql import InfluxQL
from dashboards.queries import latest_check, latest_up, uplink_sum

NATIONAL_UID = "pdcs-national-raw"
PROVINCE_UID = "pdcs-province-raw"
FOLDER = "regions"


def national(names: Names) -> db.Dashboard:
    where = region_filter("province")
    d = board(
        NATIONAL_UID, "全国总览（原始数据）", "全国公共数字文化设施运行总览：设备在线、出口带宽与安全检查，按省汇总。"
    )
    for v in region_variables("province", multi_from="province"):
        d = d.with_variable(v)
    for p in device_counters(where):
        d = d.with_panel(p)

    by_province = table_panel(
        "各省设备在线率",
        "各省设备在所选时间范围内的在线率（在线采集次数 / 采集次数）与设备数。",
        InfluxQL(
            f'SELECT mean("up") * 100 AS "availability" FROM "device_up" WHERE $timeFilter AND {where} '
            'GROUP BY "province"',
            columns=("availability",),
            group_by=("province",),
        ).table(),
        InfluxQL(
            f'SELECT count("up") AS "devices" FROM ({latest_up(where, "province")}) GROUP BY "province"',
            columns=("devices",),
            group_by=("province",),
        )
        .ref_id("B")
        .table(),
    ).with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    by_province = name_columns(by_province, names, ["province"])
    to_province = {"province": "${__value.raw}", "city": "$__all"}
    by_province = link_column(by_province, "province", "打开省级看板", "pdcs-province", to_province)
    d = d.with_panel(
        hide_time(renamed_columns(by_province, {"province": "省", "availability": "在线率 (%)", "devices": "设备数"}))
    )

    trend = timeseries_panel(
        "在线率趋势",
        "各省设备在线率随时间的变化。",
        InfluxQL(
            f'SELECT mean("up") * 100 FROM "device_up" WHERE $timeFilter AND {where} '
            'GROUP BY time($__interval), "province" fill(null)',
            columns=("mean",),
            group_by=("province",),
        ).alias("$tag_province"),
        unit="percent",
    )
    d = d.with_panel(series_names(trend.min(0).max(100), names))
    d = d.with_panel(
        timeseries_panel(
            "出口带宽合计",
            "所选省份全部场馆出口链路（uplink=1）的入/出方向速率之和。",
            InfluxQL(uplink_sum(where), columns=("in_bps", "out_bps")).alias("$col"),
            unit="bps",
        )
    )
    checks = table_panel(
        "各省安全检查通过率",
        "各设备各检查项最近一次结果中通过的比例。",
        InfluxQL(
            f'SELECT mean("passed") * 100 AS "pass_rate" FROM ({latest_check(where, "province")}) GROUP BY "province"',
            columns=("pass_rate",),
            group_by=("province",),
        ).table(),
    )
    checks = name_columns(checks, names, ["province"])
    to_security = {"province": "${__value.raw}", "city": "$__all", "county": "$__all", "mlps_level": "$__all"}
    checks = link_column(checks, "province", "打开安全合规", "pdcs-security", to_security)
    return d.with_panel(hide_time(renamed_columns(checks, {"province": "省", "pass_rate": "通过率 (%)"})))


def province(names: Names) -> db.Dashboard:
    where = region_filter("province", "city")
    d = board(
        PROVINCE_UID, "省级看板（原始数据）", "一个省内各市、县（区）公共数字文化设施的在线、带宽与安全检查情况。"
    )
    for v in region_variables("city", multi_from="city"):
        d = d.with_variable(v)
    for p in device_counters(where):
        d = d.with_panel(p)

    counties = table_panel(
        "各县（区）设备在线率",
        "各县（区）设备在所选时间范围内的在线率、设备数与未通过的安全检查数。",
        InfluxQL(
            f'SELECT mean("up") * 100 AS "availability" FROM "device_up" WHERE $timeFilter AND {where} '
            'GROUP BY "city", "county"',
            columns=("availability",),
            group_by=("city", "county"),
        ).table(),
        InfluxQL(
            f'SELECT count("up") AS "devices" FROM ({latest_up(where, "city", "county")}) GROUP BY "city", "county"',
            columns=("devices",),
            group_by=("city", "county"),
        )
        .ref_id("B")
        .table(),
        InfluxQL(
            f'SELECT count("passed") AS "failed_checks" FROM ({latest_check(where, "city", "county")}) '
            'WHERE "passed" = 0 GROUP BY "city", "county"',
            columns=("failed_checks",),
            group_by=("city", "county"),
        )
        .ref_id("C")
        .table(),
    ).with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    counties = name_columns(counties, names, ["city", "county"])
    to_county = {"province": "${province}", "city": "$__all", "county": "${__value.raw}", "facility": "$__all"}
    counties = link_column(counties, "county", "打开县级看板", "pdcs-county", to_county)
    renames = {
        "city": "市",
        "county": "县（区）",
        "availability": "在线率 (%)",
        "devices": "设备数",
        "failed_checks": "未通过检查",
    }
    d = d.with_panel(hide_time(renamed_columns(counties, renames)).span(24))

    trend = timeseries_panel(
        "各市在线率趋势",
        "各市设备在线率随时间的变化。",
        InfluxQL(
            f'SELECT mean("up") * 100 FROM "device_up" WHERE $timeFilter AND {where} '
            'GROUP BY time($__interval), "city" fill(null)',
            columns=("mean",),
            group_by=("city",),
        ).alias("$tag_city"),
        unit="percent",
    )
    d = d.with_panel(series_names(trend.min(0).max(100), names))
    # A total, not one line per city: InfluxDB 1.x is several times slower when the outer
    # query of a subquery groups by a tag (bench/dashboards.py); pick cities with the variable.
    bandwidth = timeseries_panel(
        "出口带宽合计",
        "所选市全部场馆出口链路（uplink=1）的入/出方向速率之和；用“市”变量选择要合计的市。",
        InfluxQL(uplink_sum(where), columns=("in_bps", "out_bps")).alias("$col"),
        unit="bps",
    )
    return d.with_panel(bandwidth)
