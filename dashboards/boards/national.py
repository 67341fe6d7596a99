"""全国总览: devices, availability, bandwidth and security by province, from the national summaries.

Every panel reads ``province_summary`` on the national data source (``dashboards.summaries``: the
5-minute tier up to 7 days, the hourly tier beyond), never raw points, so the board costs the same
whatever the fleet; ``federation_status`` says which provinces are late.
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
from dashboards.summary_panels import STATUS_RENAMES, counters, late_counter, late_note, status_columns, summary_series

UID = "pdcs-national"
FOLDER = "regions"
M = sm.PROVINCE_SUMMARY


def build(names: Names, late_after_s: float) -> db.Dashboard:
    """``late_after_s``: when a province counts as late (``PDCS_FEDERATION_LATE_AFTER_S`` at build time)."""
    where = region_filter("province")
    d = board(
        UID,
        "全国总览",
        "全国公共数字文化设施运行总览：设备在线、出口带宽与安全检查，按省汇总（读各省级平台上报的汇总，不读原始数据）。"
        + late_note(late_after_s),
    )
    for v in region_variables("province", multi_from="province", datasource=NATIONAL_DATASOURCE, measurement=M):
        d = d.with_variable(v)
    for p in counters(M, "province", where, late_counter(where, late_after_s)):
        d = d.with_panel(p)

    by_province = table_panel(
        "各省设备在线率",
        "各省设备在所选时间范围内的在线率（开放服务时间内在线时长 ÷ 有数据的服务时长，"
        "与监管接口的设备加权在线率一致）、设备数，以及各省最近上报的汇总截至何时、已延迟多少分钟（红色为迟报）。",
        *sm.tiered(
            sm.availability(M, where, "province"), columns=("availability",), group_by=("province",), table=True
        ),
        *sm.tiered(
            sm.latest_sums(M, "province", where, ("devices",), "province"),
            columns=("devices",),
            group_by=("province",),
            ref_id="B",
            table=True,
        ),
        sm.national(sm.shipping_status(where), columns=("through_ms", "lag_min"), group_by=("province",))
        .ref_id("C")
        .table(),
        datasource=NATIONAL_DATASOURCE,
    ).with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    by_province = status_columns(name_columns(by_province, names, ["province"]), late_after_s)
    to_province = {"province": "${__value.raw}", "city": "$__all"}
    by_province = link_column(by_province, "province", "打开省级看板", "pdcs-province", to_province)
    renames = {"province": "省", "availability": "在线率 (%)", "devices": "设备数", **STATUS_RENAMES}
    d = d.with_panel(hide_time(renamed_columns(by_province, renames)))

    trend = timeseries_panel(
        "在线率趋势",
        "各省设备在开放服务时间内的在线率随时间的变化（按汇总时段；无服务时间的时段不画）。",
        *sm.tiered(
            sm.availability(M, where, "province", per_bucket=True),
            columns=("availability",),
            group_by=("province",),
            alias="$tag_province",
        ),
        unit="percent",
        datasource=NATIONAL_DATASOURCE,
    )
    d = d.with_panel(series_names(summary_series(trend).min(0).max(100), names))
    bandwidth = timeseries_panel(
        "出口带宽合计",
        "所选省份全部场馆出口链路的入/出方向速率之和（各省汇总的合计）。",
        *sm.tiered(
            sm.bucket_sums(M, "province", where, {"uplink_in_bps": "in_bps", "uplink_out_bps": "out_bps"}),
            columns=("in_bps", "out_bps"),
            alias="$col",
        ),
        unit="bps",
        datasource=NATIONAL_DATASOURCE,
    )
    d = d.with_panel(summary_series(bandwidth))
    checks = table_panel(
        "各省安全检查通过率",
        "各设备各检查项最近一次结果中通过的比例（各省最近一个汇总时段）。",
        *sm.tiered(
            sm.pass_rate(M, "province", where, "province"), columns=("pass_rate",), group_by=("province",), table=True
        ),
        datasource=NATIONAL_DATASOURCE,
    )
    checks = name_columns(checks, names, ["province"])
    to_security = {"province": "${__value.raw}", "city": "$__all", "county": "$__all", "mlps_level": "$__all"}
    checks = link_column(checks, "province", "打开安全合规", "pdcs-security", to_security)
    return d.with_panel(hide_time(renamed_columns(checks, {"province": "省", "pass_rate": "通过率 (%)"})))
