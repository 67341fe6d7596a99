"""The dashboard shell every pdcs board starts from: time, zone, links, tags."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models import dashboard as dm

TAG = "pdcs"


def board(uid: str, title: str, description: str, *, time_from: str = "now-24h") -> db.Dashboard:
    return (
        db.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG])
        .timezone("Asia/Shanghai")
        .week_start("monday")
        .time(time_from, "now")
        .refresh("1m")
        .tooltip(dm.DashboardCursorSync.CROSSHAIR)
        # An explicit empty list: Grafana adds its built-in annotation to it (it reads annotations.list).
        .annotations([])
        .link(
            db.DashboardLink("pdcs 看板")
            .type(dm.DashboardLinkType.DASHBOARDS)
            .tags([TAG])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )
