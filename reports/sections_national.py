"""The nation's and a province's report sections from the national summaries store (issue 19).

With a national store configured (the shard map's ``national``), the API answers the nation and a
province from it (``supervision.national_answers``); the report does the same, so a national annual
report reads the county year rows, never every facility's rows or the whole nation's raw polls:

* coverage (the block at the top): the devices' scheduled service time with data ÷ their scheduled time
  (device-weighted, from the same rows as the availability section) — how many devices sent at least one
  poll needs every device's raw polls, so that count is said to be not available at this level;
* availability: ``national_answers.region_availability`` — its figures and children; outages are counted
  (roll-ups) or not known (summaries) but never listed here, and the section says so;
* bandwidth: ``national_answers.region_bandwidth`` — by child region (a national table of every
  facility would be 200,000 rows);
* the annual assessment: ``national_answers.region_assessment`` (``reports.sections_extra``).

Security, MLPS grading and service use keep reading the provinces' stores (``reports.gather``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from inventory.models import Inventory
from pdcs.i18n import Lang, register, text
from reports.content import Chart, Headline, Section, Table, Value, floats, mbps, num, pct
from reports.labels import pct_or_no_data
from supervision.periods import BEIJING, Period

register(
    {
        "report.coverage_method_national": (
            "全国／省级报告不逐台扫描原始采集数据：覆盖率为各在用设备计划服务时长中有数据时长所占比例（设备加权），"
            "与可用率一节同源（{basis}）。报告期内有数据的设备台数须逐台读取原始采集数据，本层级不提供，"
            "请查看各县（区）报告。",
            "National and provincial reports do not scan every device's raw polls: coverage is the share of the"
            " enabled devices' scheduled service time with data (device-weighted), from the same rows as the"
            " availability section ({basis}). How many devices sent a poll in the period needs every device's raw"
            " polls: not given at this level; see the county reports.",
        ),
        "report.nat.basis.county_year": (
            "县级年度汇总（各县设施年度汇总之和，至各省最近汇总日），其后为全国汇总库的 5 分钟／小时摘要",
            "the county year rows (each county's facility year rows summed, through each province's last rolled"
            " day), then the national store's 5-minute / hourly summaries",
        ),
        "report.nat.basis.facility_daily": (
            "各省设施日汇总在全国汇总库中的副本",
            "the provinces' facility daily roll-ups copied to the national store",
        ),
        "report.nat.basis.county_year_traffic": (
            "县级年度汇总（各县设施年度汇总之和，截至各省最近汇总日）",
            "the county year rows (each county's facility year rows summed, through each province's last rolled day)",
        ),
        "report.nat.basis.summary": (
            "全国汇总库中各县的 5 分钟／小时摘要",
            "the counties' 5-minute / hourly summaries in the national store",
        ),
        "report.nat.source": ("数据来源：{basis}。", "Source: {basis}."),
        "report.nat.outages_counted": (
            "停服在本层级只计次数，不逐条列出；无数据时段亦不逐条列出（汇总数据不含明细）。明细请查看各县（区）报告。",
            "Outages are counted but not listed at this level, nor are no-data spans (the roll-ups carry no"
            " detail); see the county reports for them.",
        ),
        "report.nat.outages_unknown": (
            "摘要不含停服记录：停服次数在本层级不可得（不计为零），停服与无数据时段均不逐条列出。明细请查看各县（区）报告。",
            "The summaries carry no outages: their number is not known at this level (not counted as zero), and"
            " neither outages nor no-data spans are listed; see the county reports for them.",
        ),
        "report.nat.late": (
            "{province}的数据止于其最后上报时刻 {through}（北京时间），此后的时段不计入本报告。",
            "{province}'s figures stop at its last shipped time {through} (Beijing time); later time is not"
            " counted in this report.",
        ),
        "report.nat.never": ("尚未上报", "never shipped"),
        "report.bw.method_national": (
            "全国／省级报告读取全国汇总库：自然年取县级年度汇总，其他整日时段取各设施日汇总副本（流量字节数；"
            "平均速率 = 字节 × 8 ÷ 时长，P95 利用率为各设施逐日 P95 利用率的平均），其他时段取各县摘要"
            "（每 5 分钟／1 小时各县上联口平均速率之和，再求平均值、第 95 百分位与最大值）。按下级区划列出，"
            "不逐个列出设施。",
            "National and provincial reports read the national store: a calendar year from the county year rows,"
            " other periods of whole days from the facilities' daily roll-up copies (bytes; mean rate = bytes × 8 ÷"
            " duration; p95 utilisation is the mean of the facilities' daily p95 utilisation), other periods from"
            " the counties' summaries (per 5-minute / 1-hour bucket the sum of the counties' mean uplink rates, then"
            " mean, 95th percentile and maximum). Listed by sub-region, not by facility.",
        ),
        "report.bw.by_child": ("各下级区划出口带宽", "Uplink bandwidth by sub-region"),
        "report.bw.in_max": ("入速率最大值", "Maximum inbound"),
        "report.bw.out_max": ("出速率最大值", "Maximum outbound"),
        "report.bw.util_daily": ("设施日 P95 利用率均值", "Mean daily p95 utilisation of facilities"),
        "report.bw.chart_in": ("平均入速率（Mbps）", "Mean inbound (Mbps)"),
        "col.facilities_with_data": ("有数据设施", "Facilities with data"),
        "report.as.basis": (
            "由 {rows} 个县的县级年度汇总合成，{rest} 个县按设施年度数据计算（县级汇总计算于 {as_of}，北京时间）。",
            "Pooled from the county year rows of {rows} counties and the facility year rows of {rest} counties"
            " (county rows computed at {as_of}, Beijing time).",
        ),
    }
)


def _h(seconds: float | None) -> float | None:
    return num(seconds / 3600, 2) if seconds is not None else None


def _or(value: Value, lang: Lang, key: str = "report.no_data") -> Value:
    """The value, or the text saying why there is none (never 0)."""
    return value if value is not None else text(key, lang)


def basis_text(body: dict[str, Any], lang: Lang) -> str:
    return text(f"report.nat.basis.{body.get('basis') or 'summary'}", lang)


def coverage(body: dict[str, Any], inventory: Inventory, code: str, lang: Lang) -> dict[str, object]:
    """The report's coverage block from the national availability answer (no raw polls read)."""
    devices = sum(1 for d in inventory.devices_in([code]))
    return {
        "devices": devices,
        "devices_with_data": None,  # not known at this level: never shown as 0 (``reports.labels.devices_with_data``)
        "share": num(body["device_weighted"]["coverage"]),
        "method": text("report.coverage_method_national", lang, basis=basis_text(body, lang)),
    }


def late_notes(
    body: dict[str, Any], inventory: Inventory, period: Period, lang: Lang, key: str = "report.nat.late"
) -> list[str]:
    """The late provinces whose figures stop before the period's end (deterministic: no "now" in it), each
    as message ``key`` (``{province}``, ``{through}``; the inspectors' pages say it in their own words)."""
    notes = []
    fed = body.get("federation") or {}
    end = period.end
    for p in fed.get("provinces", []):
        if not p.get("late"):
            continue
        through = p.get("through")
        when = datetime.fromisoformat(through) if isinstance(through, str) else through
        if when is not None and when.astimezone(UTC) >= end.astimezone(UTC):
            continue
        shown = when.astimezone(BEIJING).isoformat(timespec="minutes") if when else text("report.nat.never", lang)
        name = f"{inventory.region_name(p['province'])}（{p['province']}）"
        notes.append(text(key, lang, province=name, through=shown))
    return notes


def availability_section(
    body: dict[str, Any], inventory: Inventory, period: Period, lang: Lang, maintenance_tables: list[Table]
) -> Section:
    """The availability section of the nation or a province from ``national_answers.region_availability``."""
    sec = Section("availability", text("report.availability", lang), text("report.availability.method", lang))
    down = body["down_s"]
    sec.headline = [
        Headline(text("report.av.serving", lang), pct_or_no_data(body["availability"], lang), "%"),
        Headline(text("report.av.coverage", lang), pct(body["coverage"]), "%"),
        Headline(text("report.av.devices", lang), pct_or_no_data(body["device_weighted"]["availability"], lang), "%"),
        Headline(text("report.av.scheduled_h", lang), _h(body["scheduled_s"]), "h"),
        Headline(text("report.av.down_h", lang), _h(down), "h"),
        Headline(text("report.av.no_data_h", lang), _h(body["unknown_s"]), "h"),
        Headline(text("report.av.outages", lang), _or(body["outage_count"], lang)),
        Headline(text("report.av.unsupervised", lang), text("report.not_at_level", lang)),
        Headline(text("report.av.unmonitored", lang), text("report.not_at_level", lang)),
    ]
    rows: list[list[Value]] = [
        [
            c["code"],
            c["name"],
            _h(c["scheduled_s"]),
            _h(c["up_s"]),
            _h(c["down_s"]),
            _h(c["unknown_s"]),
            pct(c["coverage"]),
            pct_or_no_data(c["availability"], lang),
        ]
        for c in body["data"]
    ]
    cols = [
        "col.code",
        "col.name",
        "col.scheduled_h",
        "col.up_h",
        "col.down_h",
        "col.unknown_h",
        "col.coverage_pct",
        "col.availability_pct",
    ]
    sec.tables.append(Table(text("report.av.by_child", lang), [text(c, lang) for c in cols], rows, "availability"))
    sec.charts.append(Chart(text("report.av.chart", lang), [str(r[1]) for r in rows], floats([r[7] for r in rows])))
    sec.tables.extend(maintenance_tables)
    src_rows: list[list[Value]] = [
        [p["source"], p["start"], p["end"], p["days"], p["facilities"]] for p in body["sources"]
    ]
    src_cols = [text("col.source", lang), text("col.start", lang), text("col.end", lang), "days"]
    src_cols.append(text("col.facility", lang))
    sec.tables.append(Table(text("report.av.sources", lang), src_cols, src_rows, "sources"))
    sec.notes.append(text("report.nat.source", lang, basis=basis_text(body, lang)))
    counted = body["outage_count"] is not None
    sec.notes.append(text("report.nat.outages_counted" if counted else "report.nat.outages_unknown", lang))
    sec.notes.extend(late_notes(body, inventory, period, lang))
    if body["scheduled_s"] == 0:
        sec.notes.append(text("report.section_no_data", lang))
    return sec


def _child_of(code: str, facility: str, inventory: Inventory) -> str:
    fac = inventory.facilities.get(facility)
    return fac.county[: len(code) + 2] if fac else ""


def _rollup_rows(body: dict[str, Any], inventory: Inventory, code: str, period: Period) -> list[list[Value]]:
    """Whole days: the byte totals of each child region (the county year rows'), or the facilities' summed per
    child region, as mean rates over the period."""
    if body.get("children") is not None:
        return [
            [
                c["code"],
                c["name"],
                mbps(c["in_mean_bps"]),
                mbps(c["out_mean_bps"]),
                None,
                None,
                c["facilities_with_data"],
            ]
            for c in body["children"]
        ]
    in_b: dict[str, float] = defaultdict(float)
    out_b: dict[str, float] = defaultdict(float)
    n: dict[str, int] = defaultdict(int)
    for f in body["data"]:
        child = _child_of(code, f["facility"], inventory)
        in_b[child] += f["in_bytes"]
        out_b[child] += f["out_bytes"]
        n[child] += 1
    return [
        [
            c,
            inventory.region_name(c),
            mbps(in_b[c] * 8 / period.seconds),
            mbps(out_b[c] * 8 / period.seconds),
            None,
            None,
            n[c],
        ]
        for c in sorted(n)
    ]


def bandwidth_section(body: dict[str, Any], inventory: Inventory, code: str, period: Period, lang: Lang) -> Section:
    """The bandwidth section of the nation or a province from ``national_answers.region_bandwidth``."""
    sec = Section("bandwidth", text("report.bandwidth", lang), text("report.bw.method_national", lang))
    if body["source"] == "rollup":
        seconds = period.seconds
        sec.headline = [
            Headline(text("report.bw.in_mean", lang), mbps(body["in_bytes"] * 8 / seconds), "Mbps"),
            Headline(text("report.bw.out_mean", lang), mbps(body["out_bytes"] * 8 / seconds), "Mbps"),
            Headline(text("report.bw.util_daily", lang), pct(body["util_p95_mean"]), "%"),
            Headline(text("report.bw.facilities", lang), f"{body['facilities_with_data']}/{body['facilities']}"),
        ]
        rows = _rollup_rows(body, inventory, code, period)
        with_data = body["facilities_with_data"]
    else:
        sec.headline = [
            Headline(text("report.bw.in_mean", lang), mbps(body["in_mean_bps"]), "Mbps"),
            Headline(text("report.bw.out_mean", lang), mbps(body["out_mean_bps"]), "Mbps"),
            Headline(text("report.bw.in_p95", lang), mbps(body["in_p95_bps"]), "Mbps"),
            Headline(text("report.bw.out_p95", lang), mbps(body["out_p95_bps"]), "Mbps"),
            Headline(text("report.bw.in_max", lang), mbps(body["in_max_bps"]), "Mbps"),
            Headline(text("report.bw.out_max", lang), mbps(body["out_max_bps"]), "Mbps"),
        ]
        rows = [
            [
                c["code"],
                c["name"],
                mbps(c["in_mean_bps"]),
                mbps(c["out_mean_bps"]),
                mbps(c["in_p95_bps"]),
                mbps(c["out_p95_bps"]),
                None,
            ]
            for c in body["data"]
        ]
        with_data = body["samples"]
    cols = ["col.code", "col.name", "col.in_mean_mbps", "col.out_mean_mbps", "col.in_p95_mbps", "col.out_p95_mbps"]
    heads = [text(c, lang) for c in cols]
    if body["source"] == "rollup":
        rows = [r[:4] + r[6:] for r in rows]  # daily p95s of facilities do not add up: no p95 by region
        heads = [*heads[:4], text("col.facilities_with_data", lang)]
    else:
        rows = [r[:6] for r in rows]
    sec.tables.append(Table(text("report.bw.by_child", lang), heads, rows, "bandwidth"))
    sec.notes.append(text("report.nat.source", lang, basis=text(f"report.nat.basis.{bw_basis(body)}", lang)))
    if rows and with_data:
        chart = Chart(text("report.bw.chart_in", lang), [str(r[1]) for r in rows], floats([r[2] for r in rows]))
        chart.unit, chart.max_value = "Mbps", None
        sec.charts.append(chart)
    else:
        sec.available = False
        sec.notes.append(text("report.section_no_data", lang))
    return sec


def bw_basis(body: dict[str, Any]) -> str:
    if body["source"] == "rollup":
        return "county_year_traffic" if body.get("basis") == "county_year" else "facility_daily"
    return "summary"


def assessment_note(body: dict[str, Any], lang: Lang) -> str:
    """How the national annual assessment was pooled (``region_assessment``'s ``basis``)."""
    b = body["basis"]
    as_of = datetime.fromisoformat(b["as_of"]).isoformat(timespec="minutes") if b["as_of"] else None
    as_of = as_of or text("report.no_data", lang)
    return text("report.as.basis", lang, rows=b["county_rows"], rest=b["counties_from_facilities"], as_of=as_of)
