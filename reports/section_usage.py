"""The report's 服务效能 (service effect) section: terminal use and Wi-Fi use of the region's facilities.

Figures from the daily roll-ups (supervision/usage.py), named as the
ministry's 公共电子阅览室管理信息系统功能规范 (2013) names them; a facility
without reports is listed as such, never as 0.
"""

from __future__ import annotations

from inventory.models import Inventory
from pdcs.i18n import Lang, register, text
from pdcs.storage import InfluxDB
from reports.content import Chart, Headline, Section, Table, Value, num, pct
from supervision import answers
from supervision.periods import Period

register(
    {
        "report.usage": ("六、服务效能", "6. Service effect"),
        "report.us.sessions": ("服务人次", "Service sessions"),
        "report.us.service_hours": ("用户服务时长（小时）", "User service hours"),
        "report.us.power_on_hours": ("设备开机时长（小时）", "Terminal power-on hours"),
        "report.us.share": ("终端使用率（%）", "Terminals in use (% of opening hours)"),
        "report.us.peak": ("同时在用终端峰值", "Peak terminals in use"),
        "report.us.active_hours": ("有效使用时长（小时）", "Active service hours"),
        "report.us.active_share": ("有效使用占服务时长（%）", "Active share of service time (%)"),
        "report.us.active_cover": ("上报空闲的终端·日", "Terminal-days reporting idle time"),
        "report.us.active_note": (
            "有效使用时长 = 用户服务时长扣除空闲与锁屏时间，只来自上报空闲时间的终端：{covered} / {days} 个终端·日，"
            "占其用户服务时长 {share}；其余终端未上报，不按全部有效计。",
            "Active service time = user service time minus idle and locked time, only from terminals that report "
            "idle time: {covered} of {days} terminal-days, {share} of the service time; the others did not report "
            "it and are not taken as fully active.",
        ),
        "report.us.active_none": (
            "本期没有终端上报空闲或锁屏时间（Windows 未开启锁屏审核、Linux 代理未运行），"
            "有效使用时长无数据，不显示为 0。",
            "No terminal reported idle or locked time in this period (Windows lock auditing off, or no Linux agent): "
            "no active service time, not shown as 0.",
        ),
        "report.us.wifi_peak": ("无线同时接入峰值", "Peak Wi-Fi clients"),
        "report.us.wifi_hours": ("无线接入时长（终端·小时）", "Wi-Fi client-hours"),
        "report.us.wifi_distinct": ("无线去重终端数（逐日合计）", "Distinct Wi-Fi clients (sum of days)"),
        "report.us.wifi_coverage": (
            "无线覆盖（开放时间 AP 在线，%）",
            "Wi-Fi coverage (% of opening hours with an AP up)",
        ),
        "report.us.days": ("有数据天数", "Days with data"),
        "report.us.facility": ("设施", "Facility"),
        "report.us.table": ("各设施服务效能", "Service effect by facility"),
        "report.us.chart": ("终端使用率（%）", "Terminals in use (% of opening hours)"),
        "report.us.coverage_note": (
            "有终端的设施 {with_terminals} 个，其中 {with_data} 个有终端上报；有无线数据的设施 {with_wifi} 个。",
            "{with_terminals} facilities have terminals, {with_data} of them reported; {with_wifi} have Wi-Fi data.",
        ),
        "report.us.none": (
            "本期无终端或无线使用数据（未部署终端代理或未汇总），不显示为 0。",
            "No terminal or Wi-Fi use data in this period (no agents, or not rolled up): not shown as 0.",
        ),
    }
)


def usage_section(influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang) -> Section:
    body = answers.region_usage(influx, inventory, code, period, lang)
    sec = Section("usage", text("report.usage", lang), body["method"][lang])
    sec.notes.append(
        text(
            "report.us.coverage_note",
            lang,
            with_terminals=body["facilities_with_terminals"],
            with_data=body["facilities_with_terminal_data"],
            with_wifi=body["facilities_with_wifi_data"],
        )
    )
    if not body["data"]:
        sec.available = False
        sec.notes.append(text("report.us.none", lang))
        return sec
    t = body["totals"]
    if t["active_hours"] is None:
        sec.notes.append(text("report.us.active_none", lang))
    else:
        cover = t["active_service_hours"] / t["service_hours"] if t["service_hours"] else None
        sec.notes.append(
            text(
                "report.us.active_note",
                lang,
                covered=t["active_terminal_days"],
                days=t["terminal_days"],
                share="—" if cover is None else f"{pct(cover)} %",
            )
        )
    sec.headline = [
        Headline(text("report.us.sessions", lang), t["sessions"]),
        Headline(text("report.us.service_hours", lang), num(t["service_hours"], 2)),
        Headline(text("report.us.power_on_hours", lang), num(t["power_on_hours"], 2)),
        Headline(text("report.us.share", lang), pct(t["share_in_use"]), "%"),
        Headline(text("report.us.active_hours", lang), num(t["active_hours"], 2)),
        Headline(text("report.us.wifi_hours", lang), num(t["wifi_client_hours"], 2)),
    ]
    cols = [
        "report.us.facility",
        "report.us.days",
        "report.us.sessions",
        "report.us.service_hours",
        "report.us.power_on_hours",
        "report.us.share",
        "report.us.peak",
        "report.us.active_hours",
        "report.us.active_share",
        "report.us.active_cover",
        "report.us.wifi_peak",
        "report.us.wifi_hours",
        "report.us.wifi_distinct",
        "report.us.wifi_coverage",
    ]
    rows: list[list[Value]] = [
        [
            r["name"],
            r["days"],
            r["sessions"],
            num(r["service_hours"], 2),
            num(r["power_on_hours"], 2),
            pct(r["share_in_use"]),
            r["peak_terminals"],
            num(r["active_hours"], 2),
            pct(r["active_share"]),
            r["active_terminal_days"],
            r["wifi_peak_clients"],
            num(r["wifi_client_hours"], 2),
            r["wifi_distinct_clients"],
            pct(r["wifi_coverage"]),
        ]
        for r in body["data"]
    ]
    sec.tables.append(Table(text("report.us.table", lang), [text(c, lang) for c in cols], rows, "usage"))
    shares = [(str(r[0]), r[5]) for r in rows if isinstance(r[5], int | float)]
    if shares:
        sec.charts.append(Chart(text("report.us.chart", lang), [s for s, _ in shares], [float(v) for _, v in shares]))
    return sec
