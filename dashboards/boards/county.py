"""县级看板 (the county IT staff's board): facility grid, devices, bandwidth, wireless, failing checks."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import table
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.common import (
    FACILITY_CLOSED,
    OPEN_NOW,
    TO_FACILITY,
    UP_DOWN,
    Names,
    board_url,
    device_counters,
    hidden_columns,
    hide_time,
    link_column,
    name_columns,
    region_filter,
    region_variables,
    renamed_columns,
    series_names,
    stat_panel,
    table_panel,
    thresholds,
    timeseries_panel,
)
from dashboards.influxql import InfluxQL
from dashboards.queries import clients_sum, expected_devices, failing_checks, latest_state, latest_up, uplink_sum

UID = "pdcs-county"
FOLDER = "regions"

DEVICE_COLUMNS = {
    "facility": "场馆",
    "device": "设备",
    "kind": "类型",
    "up": "状态",
    "rtt_ms": "响应时间 (ms)",
    "uptime_s": "运行时间",
    "open": "开放状态",
}
# The device table's "up" cell for an inventory device without a status in the range.
NOT_REPORTED = dm.SpecialValueMap(
    options=dm.DashboardSpecialValueMapOptions(
        match=dm.SpecialValueMatch.NULL, result=dm.ValueMappingResult(text="未上报", color="purple", index=2)
    )
)


def device_table(where: str, names: Names, description: str, *, facility_board: bool = False) -> table.Panel:
    """The device table; on the county board a facility cell opens the facility board, on the
    facility board a device cell opens the device board."""
    panel = table_panel(
        "设备列表",
        description,
        InfluxQL(
            'SELECT last("up") AS "up", last("rtt_ms") AS "rtt_ms", last("uptime_s") AS "uptime_s" '
            f'FROM "device_up" WHERE $timeFilter AND {where} GROUP BY "facility", "device", "kind"',
            columns=("up", "rtt_ms", "uptime_s"),
            group_by=("facility", "device", "kind"),
        ).table(),
        # Every inventory device with its facility's scheduled state (开放 / 闭馆): a terminal down while
        # closed is switched off, not an outage; a device with no status row shows 未上报.
        InfluxQL(
            f'SELECT last("open") AS "open" FROM "inventory_device" WHERE $timeFilter AND {where} '
            'GROUP BY "facility", "device", "kind"',
            columns=("open",),
            group_by=("facility", "device", "kind"),
        )
        .ref_id("B")
        .table(),
    ).with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    panel = panel.override_by_name("up", [dm.DynamicConfigValue(id_val="mappings", value=[*UP_DOWN, NOT_REPORTED])])
    panel = panel.override_by_name("open", [dm.DynamicConfigValue(id_val="mappings", value=OPEN_NOW)])
    panel = panel.override_by_name(
        "open", [dm.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-text"})]
    )
    panel = panel.override_by_name(
        "up", [dm.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-background"})]
    )
    panel = panel.override_by_name("uptime_s", [dm.DynamicConfigValue(id_val="unit", value="s")])
    panel = name_columns(panel, names, ["facility", "device", "kind"])
    if facility_board:
        to_device = {**TO_FACILITY, "facility": "${facility}", "device": "${__value.raw}"}
        panel = link_column(panel, "device", "打开设备详情", "pdcs-device", to_device)
    else:
        panel = link_column(panel, "facility", "打开场馆看板", "pdcs-facility", TO_FACILITY)
    return hide_time(renamed_columns(panel, DEVICE_COLUMNS)).span(24)


# Grafana's "Filter data by values" transformation: keep the merged rows with no ``up`` (no device_up in range).
NO_STATUS = dm.DataTransformerConfig(
    id_val="filterByValue",
    options={
        "filters": [{"fieldName": "up", "config": {"id": "isNull", "options": {}}}],
        "match": "any",
        "type": "include",
    },
)


def unreported_table(where: str, names: Names) -> table.Panel:
    """未上报设备: the inventory's devices (``inventory_device``) merged with the ones that reported a status
    (``device_up``), keeping those without one — InfluxQL alone cannot list a missing series."""
    keys = ("facility", "device", "kind")
    panel = (
        table_panel(
            "未上报设备",
            "清单中应监测、但所选时间范围内从未上报状态的设备（如仅做 SSH 审计的交换机、未配置地址的设备）。",
            InfluxQL(expected_devices(where, "facility", "kind"), columns=("expected",), group_by=keys).table(),
            InfluxQL(latest_up(where, "facility", "kind"), columns=("up",), group_by=keys).ref_id("B").table(),
        )
        .with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(NO_STATUS)
    )
    panel = name_columns(panel, names, ["facility", "device", "kind"])
    panel = link_column(panel, "facility", "打开场馆看板", "pdcs-facility", TO_FACILITY)
    panel = renamed_columns(panel, {"facility": "场馆", "device": "设备", "kind": "类型"})
    return hidden_columns(hide_time(panel), "expected", "up").span(24).height(6)


def failing_checks_table(where: str, names: Names, *by: str) -> table.Panel:
    keys = (*by, "device", "check", "mlps_item", "severity")
    panel = table_panel(
        "未通过的安全检查",
        "最近一次结果为未通过的检查项及证据，按场馆、设备列出；对照等保 2.0 条款整改。",
        InfluxQL(failing_checks(where, *by), columns=("passed", "detail"), group_by=keys).table(),
    )
    panel = name_columns(panel, names, ["facility", "device"])
    if by == ("facility",):
        panel = link_column(panel, "facility", "打开场馆看板", "pdcs-facility", TO_FACILITY)
    renames = {
        "facility": "场馆",
        "device": "设备",
        "check": "检查项",
        "mlps_item": "等保条款",
        "severity": "严重程度",
        "detail": "证据",
    }
    return (
        hide_time(renamed_columns(panel, renames))
        .override_by_name("passed", [dm.DynamicConfigValue(id_val="custom.hidden", value=True)])
        .span(24)
    )


def build(names: Names) -> db.Dashboard:
    where = region_filter("province", "city", "county", "facility")
    d = board(UID, "县级看板", "县（区）内各场馆设备的在线状态、出口带宽、无线用户与未通过的安全检查。")
    for v in region_variables("facility", multi_from="facility", also_multi=("city",)):
        d = d.with_variable(v)
    for p in device_counters(where):
        d = d.with_panel(p)

    grid = stat_panel(
        "场馆状态",
        "每个场馆最近一次采集在线设备的比例：100% 全部在线（绿），部分离线（橙），全部离线（红）；"
        "闭馆时段有设备关机的场馆显示“闭馆”（灰），不算离线。",
        # inventory_device.state: 1 up, 0 down while open, 2 down while closed (see FACILITY_CLOSED).
        InfluxQL(
            f'SELECT mean("state") AS "up" FROM ({latest_state(where, "facility")}) GROUP BY "facility"',
            columns=("up",),
            group_by=("facility",),
        ).alias("$tag_facility"),
        unit="percentunit",
    )
    grid = grid.mappings(FACILITY_CLOSED)
    grid = grid.thresholds(thresholds((None, "red"), (0.01, "orange"), (1, "green"))).min(0).max(1).span(24).height(6)
    to_facility = {**TO_FACILITY, "facility": "${__field.labels.facility}"}
    grid = grid.override_by_field_type(
        "number",
        [
            dm.DynamicConfigValue(
                id_val="links", value=[{"title": "打开场馆看板", "url": board_url("pdcs-facility", to_facility)}]
            )
        ],
    )
    d = d.with_panel(series_names(grid, names))
    d = d.with_panel(
        device_table(
            where,
            names,
            "县（区）内清单中每台设备最近一次采集的状态、响应时间、运行时间与场馆开放状态；从未上报的设备显示“未上报”。",
        )
    )
    d = d.with_panel(unreported_table(where, names))

    bandwidth = timeseries_panel(
        "出口带宽",
        "各场馆出口链路（uplink=1）的入/出方向速率。",
        InfluxQL(uplink_sum(where, "facility"), columns=("in_bps", "out_bps"), group_by=("facility",)).alias(
            "$tag_facility $col"
        ),
        unit="bps",
    )
    d = d.with_panel(series_names(bandwidth, names))
    clients = timeseries_panel(
        "无线用户数",
        "各场馆无线接入点上的在线用户数之和。",
        InfluxQL(clients_sum(where, "facility"), columns=("clients",), group_by=("facility",)).alias("$tag_facility"),
    )
    d = d.with_panel(series_names(clients, names))
    d = d.with_panel(failing_checks_table(where, names, "facility"))

    outages = table_panel(
        "离线记录",
        "所选时间范围内各设备离线的采集次数与最近一次错误信息。",
        InfluxQL(
            'SELECT count("up") AS "down_polls", last("error") AS "last_error" FROM "device_up" '
            f'WHERE $timeFilter AND {where} AND "up" = 0 GROUP BY "facility", "device"',
            columns=("down_polls", "last_error"),
            group_by=("facility", "device"),
        ).table(),
    )
    outages = link_column(
        name_columns(outages, names, ["facility", "device"]), "facility", "打开场馆看板", "pdcs-facility", TO_FACILITY
    )
    d = d.with_panel(
        hide_time(
            renamed_columns(
                outages, {"facility": "场馆", "device": "设备", "down_polls": "离线次数", "last_error": "最近错误"}
            )
        )
    )
    traps = table_panel(
        "SNMP Trap",
        "所选时间范围内收到的 linkDown / linkUp / coldStart 等 Trap 次数。",
        InfluxQL(
            f'SELECT count("value") AS "traps" FROM "snmp_trap" WHERE $timeFilter AND {where} '
            'GROUP BY "facility", "device", "trap"',
            columns=("traps",),
            group_by=("facility", "device", "trap"),
        ).table(),
    )
    traps = name_columns(traps, names, ["facility", "device"])
    return d.with_panel(
        hide_time(renamed_columns(traps, {"facility": "场馆", "device": "设备", "trap": "Trap", "traps": "次数"}))
    )
