"""省级看板: one province, its cities and counties, from the national summaries (``county_summary``).

Like 全国总览, every panel reads the summaries on the national data source (``dashboards.summaries``),
never raw points; the county board it links to reads raw.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

from dashboards import summaries as sm
from dashboards.boards.base import board
from dashboards.common import (
    Names,
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
from dashboards.influxql import NATIONAL_DATASOURCE
from dashboards.summary_panels import counters, lag_counter, late_note, summary_series

UID = "pdcs-province"
FOLDER = "regions"
M = sm.COUNTY_SUMMARY


def build(names: Names, late_after_s: float) -> db.Dashboard:
    """``late_after_s``: when the province counts as late (``PDCS_FEDERATION_LATE_AFTER_S`` at build time)."""
    where = region_filter("province", "city")
    d = board(
        UID,
        "省级看板",
        "一个省内各市、县（区）公共数字文化设施的在线、带宽与安全检查情况（读县级汇总，不读原始数据）。"
        + late_note(late_after_s),
    )
    for v in region_variables("city", multi_from="city", datasource=NATIONAL_DATASOURCE, measurement=M):
        d = d.with_variable(v)
    for p in counters(M, "county", where, lag_counter(region_filter("province"), late_after_s)):
        d = d.with_panel(p)

    counties = table_panel(
        "各县（区）设备在线率",
        "各县（区）设备在所选时间范围内的在线率（开放服务时间内在线时长 ÷ 有数据的服务时长）、"
        "设备数与未通过的安全检查数（最近一个汇总时段）。",
        *sm.tiered(
            sm.availability(M, where, "city", "county"),
            columns=("availability",),
            group_by=("city", "county"),
            table=True,
        ),
        *sm.tiered(
            sm.latest_sums(M, "county", where, ("devices", "checks_failed"), "city", "county"),
            columns=("devices", "checks_failed"),
            group_by=("city", "county"),
            ref_id="B",
            table=True,
        ),
        datasource=NATIONAL_DATASOURCE,
    ).with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    counties = name_columns(counties, names, ["city", "county"])
    to_county = {"province": "${province}", "city": "$__all", "county": "${__value.raw}", "facility": "$__all"}
    counties = link_column(counties, "county", "打开县级看板", "pdcs-county", to_county)
    renames = {
        "city": "市",
        "county": "县（区）",
        "availability": "在线率 (%)",
        "devices": "设备数",
        "checks_failed": "未通过检查",
    }
    d = d.with_panel(hide_time(renamed_columns(counties, renames)).span(24))

    trend = timeseries_panel(
        "各市在线率趋势",
        "各市设备在开放服务时间内的在线率随时间的变化（按汇总时段；无服务时间的时段不画）。",
        *sm.tiered(
            sm.availability(M, where, "city", per_bucket=True),
            columns=("availability",),
            group_by=("city",),
            alias="$tag_city",
        ),
        unit="percent",
        datasource=NATIONAL_DATASOURCE,
    )
    d = d.with_panel(series_names(summary_series(trend).min(0).max(100), names))
    bandwidth = timeseries_panel(
        "出口带宽合计",
        "所选市全部场馆出口链路的入/出方向速率之和（县级汇总的合计）；用“市”变量选择要合计的市。",
        *sm.tiered(
            sm.bucket_sums(M, "county", where, {"uplink_in_bps": "in_bps", "uplink_out_bps": "out_bps"}),
            columns=("in_bps", "out_bps"),
            alias="$col",
        ),
        unit="bps",
        datasource=NATIONAL_DATASOURCE,
    )
    return d.with_panel(summary_series(bandwidth))
