"""服务效能 (county IT staff): today's use of the e-reading terminals and kiosks, by facility and terminal.

Read from the agents' raw ``terminal_session`` periods (one point per session at
its log-on; ``duration_s`` to log-off or to the last scrape), so the board is
live during the day; the daily figures of record (opening hours only, overlaps
once) are the roll-ups in the API and reports.  Maintenance (``ssh``) and the
power-on / kiosk-application periods are not user sessions and are left out.
有效使用时长 (active time) comes from the sessions whose ``idle_s`` the OS gave
(Windows locks, Linux idle; agents/usage/idle.py) — the others are not in that
table, so it says how many sessions it covers rather than taking them as active.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.boards.base import board
from dashboards.common import (
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
from dashboards.influxql import InfluxQL

UID = "pdcs-usage"
FOLDER = "regions"
USER_SEATS = '"seat" =~ /^(console|graphical|remote|kiosk)$/'


def _by(where: str, key: str) -> InfluxQL:
    return InfluxQL(
        'SELECT count("duration_s") AS "sessions", sum("duration_s") / 3600 AS "hours" '
        f'FROM "terminal_session" WHERE $timeFilter AND {where} AND {USER_SEATS} GROUP BY "{key}"',
        columns=("sessions", "hours"),
        group_by=(key,),
    ).table()


def build(names: Names) -> db.Dashboard:
    where = region_filter("province", "city", "county", "facility")
    d = board(
        UID,
        "服务效能",
        "电子阅览终端与一体机今日的服务人次、使用时长（按场馆、按终端），以及无线去重用户数。",
        time_from="now/d",
    )
    for v in region_variables("facility", multi_from="facility", also_multi=("city",)):
        d = d.with_variable(v)
    cols = {"facility": "场馆", "device": "终端", "sessions": "服务人次", "hours": "使用时长（小时）"}
    for key, title, desc in (
        (
            "facility",
            "各场馆服务人次与使用时长",
            "所选时段内开始的用户会话数与其时长之和（未结束的会话计到最近一次上报）。",
        ),
        ("device", "各终端服务人次与使用时长", "每台电子阅览终端、一体机在所选时段内的用户会话数与时长。"),
    ):
        panel = table_panel(title, desc, _by(where, key))
        panel = panel.override_by_name("hours", [dm.DynamicConfigValue(id_val="decimals", value=2)])
        d = d.with_panel(hide_time(renamed_columns(name_columns(panel, names, [key]), cols)).span(12))
    active = table_panel(
        "各场馆有效使用时长",
        "只计上报空闲或锁屏时间的会话（Windows 开启锁屏审核、Linux 代理观察到的会话）：有效使用时长 = 使用时长 − "
        "空闲/锁屏时长；未上报空闲时间的会话不在此表，不按全部有效计。",
        InfluxQL(
            'SELECT count("idle_s") AS "reported", sum("duration_s") / 3600 AS "hours", '
            'sum("idle_s") / 3600 AS "idle_hours", (sum("duration_s") - sum("idle_s")) / 3600 AS "active_hours" '
            f'FROM "terminal_session" WHERE $timeFilter AND {where} AND {USER_SEATS} AND "idle_s" >= 0 '
            'GROUP BY "facility"',
            columns=("reported", "hours", "idle_hours", "active_hours"),
            group_by=("facility",),
        ).table(),
    )
    for col in ("hours", "idle_hours", "active_hours"):
        active = active.override_by_name(col, [dm.DynamicConfigValue(id_val="decimals", value=2)])
    active_cols = {
        "facility": "场馆",
        "reported": "上报空闲的会话",
        "hours": "使用时长（小时）",
        "idle_hours": "空闲/锁屏（小时）",
        "active_hours": "有效使用时长（小时）",
    }
    d = d.with_panel(hide_time(renamed_columns(name_columns(active, names, ["facility"]), active_cols)).span(24))
    sessions = timeseries_panel(
        "服务人次（按时段）",
        "每个时段内开始的用户会话数，按场馆。",
        InfluxQL(
            f'SELECT count("duration_s") FROM "terminal_session" WHERE $timeFilter AND {where} AND {USER_SEATS} '
            'GROUP BY time($__interval), "facility" fill(0)',
            columns=("count",),
            group_by=("facility",),
        ).alias("$tag_facility"),
    )
    d = d.with_panel(series_names(sessions, names))
    distinct = timeseries_panel(
        "无线去重用户数（当日累计）",
        "无线控制器当日接入过的不同终端数（MAC 以每日更换的盐值散列后计数，不保存 MAC）。",
        InfluxQL(
            f'SELECT max("distinct_clients") FROM "wireless" WHERE $timeFilter AND {where} '
            'AND "ap" = \'\' AND "ssid" = \'\' GROUP BY time($__interval), "device" fill(null)',
            columns=("max",),
            group_by=("device",),
        ).alias("$tag_device"),
    )
    return d.with_panel(series_names(distinct, names))
