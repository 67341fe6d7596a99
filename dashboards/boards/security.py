"""安全合规: MLPS 2.0 (等保 2.0) check results across the chosen regions."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import piechart
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import piechart as pm

from dashboards.boards.base import board
from dashboards.boards.county import failing_checks_table
from dashboards.common import (
    Names,
    hide_time,
    link_column,
    name_columns,
    region_filter,
    region_variables,
    renamed_columns,
    stat_panel,
    table_panel,
    thresholds,
    timeseries_panel,
)
from dashboards.influxql import DATASOURCE, InfluxQL
from dashboards.queries import latest_check

UID = "pdcs-security"
FOLDER = "security"


def build(names: Names) -> db.Dashboard:
    where = region_filter("province", "city", "county") + ' AND "mlps_level" =~ /^$mlps_level$/'
    d = board(
        UID, "安全合规", "等保 2.0 安全检查结果：通过率、未通过项按严重程度与条款分布、整改清单。", time_from="now-7d"
    )
    for v in region_variables("county", multi_from="county", also_multi=("city",)):
        d = d.with_variable(v)
    d = d.with_variable(
        db.QueryVariable("mlps_level")
        .label("等保等级")
        .datasource(DATASOURCE)
        .query('SHOW TAG VALUES FROM "security_check" WITH KEY = "mlps_level"')
        .refresh(dm.VariableRefresh.ON_DASHBOARD_LOAD)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
    )

    d = d.with_panel(
        stat_panel(
            "检查通过率",
            "各设备各检查项最近一次结果中通过的比例。",
            InfluxQL(f'SELECT mean("passed") * 100 FROM ({latest_check(where)})', columns=("mean",)),
            unit="percent",
        ).thresholds(thresholds((None, "red"), (80, "orange"), (95, "green")))
    )
    d = d.with_panel(
        stat_panel(
            "未通过项",
            "最近一次结果为未通过的（设备, 检查项）数。",
            InfluxQL(f'SELECT count("passed") FROM ({latest_check(where)}) WHERE "passed" = 0', columns=("count",)),
        )
        .no_value("0")
        .thresholds(thresholds((None, "green"), (1, "orange")))
    )
    high = where + ' AND "severity" =~ /^(high|critical)$/'
    d = d.with_panel(
        stat_panel(
            "高危未通过项",
            "严重程度为高（high）或严重（critical）的未通过项数，应优先整改。",
            InfluxQL(f'SELECT count("passed") FROM ({latest_check(high)}) WHERE "passed" = 0', columns=("count",)),
        )
        .no_value("0")
        .thresholds(thresholds((None, "green"), (1, "red")))
    )
    d = d.with_panel(
        stat_panel(
            "受检设备",
            "所选时间范围内上报过安全检查结果的设备数。",
            InfluxQL(
                f'SELECT count("passed") FROM (SELECT last("passed") AS "passed" FROM "security_check" '
                f'WHERE $timeFilter AND {where} GROUP BY "device")',
                columns=("count",),
            ),
        ).thresholds(thresholds((None, "blue")))
    )
    d = d.with_panel(
        piechart.Panel()
        .title("未通过项按严重程度")
        .description("未通过项在 low / medium / high / critical 四个严重程度上的分布。")
        .datasource(DATASOURCE)
        .with_target(
            InfluxQL(
                f'SELECT count("passed") AS "failed" FROM ({latest_check(where, "severity")}) '
                'WHERE "passed" = 0 GROUP BY "severity"',
                columns=("failed",),
                group_by=("severity",),
            ).alias("$tag_severity")
        )
        .pie_type(pm.PieChartType.DONUT)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .legend(
            piechart.PieChartLegendOptions()
            .show_legend(True)
            .display_mode(cm.LegendDisplayMode.TABLE)
            .placement(cm.LegendPlacement.RIGHT)
            .values([pm.PieChartLegendValues.VALUE])
        )
        .height(9)
        .span(8)
    )
    counties = table_panel(
        "各县（区）通过率",
        "各县（区）各设备各检查项最近一次结果中通过的比例。",
        InfluxQL(
            f'SELECT mean("passed") * 100 AS "pass_rate" FROM ({latest_check(where, "county")}) GROUP BY "county"',
            columns=("pass_rate",),
            group_by=("county",),
        ).table(),
    )
    counties = name_columns(counties, names, ["county"])
    to_county = {"province": "${province}", "city": "$__all", "county": "${__value.raw}", "facility": "$__all"}
    counties = link_column(counties, "county", "打开县级看板", "pdcs-county", to_county)
    d = d.with_panel(hide_time(renamed_columns(counties, {"county": "县（区）", "pass_rate": "通过率 (%)"})).span(8))
    items = table_panel(
        "按等保条款未通过",
        "每个等保 2.0 条款、检查项下未通过的设备数。",
        InfluxQL(
            f'SELECT count("passed") AS "failed" FROM ({latest_check(where, "mlps_item")}) '
            'WHERE "passed" = 0 GROUP BY "mlps_item", "check"',
            columns=("failed",),
            group_by=("mlps_item", "check"),
        ).table(),
    )
    d = d.with_panel(
        hide_time(renamed_columns(items, {"mlps_item": "等保条款", "check": "检查项", "failed": "未通过设备数"})).span(
            8
        )
    )
    d = d.with_panel(
        timeseries_panel(
            "通过率趋势",
            "检查结果中通过的比例随时间的变化。",
            InfluxQL(
                f'SELECT mean("passed") * 100 AS "pass_rate" FROM "security_check" WHERE $timeFilter AND {where} '
                "GROUP BY time($__interval) fill(none)",
                columns=("pass_rate",),
            ).alias("通过率"),
            unit="percent",
        )
        .min(0)
        .max(100)
        .span(24)
    )
    return d.with_panel(failing_checks_table(where, names, "county", "facility"))
