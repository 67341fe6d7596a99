"""Panels of the boards that read the national summaries (全国总览, 省级看板): counters and shipping status.

The queries are in :mod:`dashboards.summaries`; every target is on the national data source.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import stat, table, timeseries
from grafana_foundation_sdk.models import dashboard as dm

from dashboards import summaries as sm
from dashboards.common import stat_panel, thresholds
from dashboards.influxql import NATIONAL_DATASOURCE


def late_threshold(late_after_s: float) -> str:
    """The lateness threshold as a board says it: ``15 分钟``, ``90 秒``."""
    return f"{late_after_s / 60:g} 分钟" if late_after_s % 60 == 0 else f"{late_after_s:g} 秒"


# Where the threshold comes from (the panels that use it say so).
THRESHOLD_SOURCE = (
    "（迟报阈值取构建看板时的 PDCS_FEDERATION_LATE_AFTER_S 设置，与 pdcs federation status 和监管接口一致）"
)


def late_note(late_after_s: float) -> str:
    """Which threshold a board uses and where it comes from (its description)."""
    return (
        f"最近上报的汇总时段结束超过 {late_threshold(late_after_s)}的省份为迟报，其数字停在最后上报的时刻"
        f"{THRESHOLD_SOURCE}。"
    )


def counters(measurement: str, key: str, where: str, status: stat.Panel) -> list[stat.Panel]:
    """设备总数 / 在线 / 离线 / 未通过检查 / 服务中场馆 and ``status`` (lateness): the latest summary of
    each ``key`` (province or county), summed."""

    def latest(title: str, description: str, field: str) -> stat.Panel:
        targets = sm.tiered(sm.latest_sums(measurement, key, where, (field,)), columns=(field,))
        # No answer is no summary, not 0: 无数据.
        return stat_panel(title, description, *targets, datasource=NATIONAL_DATASOURCE).span(4).no_value("无数据")

    note = "各省级平台上报的汇总（最近一个 5 分钟汇总时段；超过 7 天的范围为小时汇总）。"
    return [
        latest("设备总数", "应监测的设备数。" + note, "devices").thresholds(thresholds((None, "blue"))),
        latest("在线设备", "在线的设备数。" + note, "devices_up").thresholds(thresholds((None, "green"))),
        latest("离线设备", "离线的设备数（状态未知的设备不计入）。" + note, "devices_down").thresholds(
            thresholds((None, "green"), (1, "red"))
        ),
        latest("未通过检查项", "各设备各检查项最近一次结果为未通过的数量。" + note, "checks_failed").thresholds(
            thresholds((None, "green"), (1, "orange"), (10, "red"))
        ),
        latest("服务中场馆", "处于开放时间且正常服务的场馆数。" + note, "facilities_serving").thresholds(
            thresholds((None, "green"))
        ),
        status,
    ]


def late_counter(where: str, late_after_s: float) -> stat.Panel:
    return (
        stat_panel(
            "迟报省份",
            f"最近上报的汇总时段已结束超过 {late_threshold(late_after_s)}的省份数：这些省份的数字停在其最后上报的时刻，"
            f"见“各省设备在线率”表的数据截至与延迟{THRESHOLD_SOURCE}。",
            sm.national(sm.late_provinces(where, late_after_s), columns=("late",)),
            datasource=NATIONAL_DATASOURCE,
        )
        .span(4)
        # count() over no late province answers nothing: 0 late.
        .no_value("0")
        .thresholds(thresholds((None, "green"), (1, "red")))
    )


def lag_counter(where: str, late_after_s: float) -> stat.Panel:
    """One province's lag: minutes since the end of its last shipped bucket (red past ``late_after_s``)."""
    return (
        stat_panel(
            "汇总延迟",
            f"本省最近上报的汇总时段结束至今的分钟数；超过 {late_threshold(late_after_s)}为迟报，"
            f"看板上的数字停在最后上报的时刻{THRESHOLD_SOURCE}。",
            sm.national(sm.shipping_status(where), columns=("lag_min",)),
            unit="m",
            datasource=NATIONAL_DATASOURCE,
        )
        .span(4)
        .no_value("未上报")
        .decimals(0)
        .thresholds(thresholds((None, "green"), (_late_minutes(late_after_s), "red")))
    )


def _late_minutes(late_after_s: float) -> int | float:
    """The threshold in minutes (the panels show the lag in minutes); Grafana colours from it on."""
    minutes = late_after_s / 60
    return int(minutes) if minutes.is_integer() else minutes


def status_columns(panel: table.Panel, late_after_s: float) -> table.Panel:
    """数据截至 as a date, 延迟 (分钟) red past the lateness limit ``late_after_s``."""
    panel = panel.override_by_name("through_ms", [dm.DynamicConfigValue(id_val="unit", value="dateTimeAsSystem")])
    panel = panel.override_by_name(
        "lag_min",
        [
            dm.DynamicConfigValue(id_val="decimals", value=0),
            dm.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-text"}),
            dm.DynamicConfigValue(
                id_val="thresholds",
                value={
                    "mode": "absolute",
                    "steps": [
                        {"value": None, "color": "green"},
                        {"value": _late_minutes(late_after_s), "color": "red"},
                    ],
                },
            ),
        ],
    )
    return panel


STATUS_RENAMES = {"through_ms": "数据截至", "lag_min": "延迟 (分钟)"}


def summary_series(panel: timeseries.Panel) -> timeseries.Panel:
    """Buckets never narrower than a summary's (5 min; ≥ 1 h past 7 days), see :mod:`dashboards.summaries`."""
    return panel.interval(sm.MIN_INTERVAL).max_data_points(sm.MAX_DATA_POINTS)
