"""Build a report for a region and a period from the supervision figures.

Progress is reported through ``progress(step, total, what)`` so the CLI can
show a bar; the API passes nothing.  The inventory given is the caller's
scoped view, so a report never reaches outside the caller's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from inventory.models import Inventory, region_level
from pdcs.i18n import Lang, label, text
from pdcs.points import DEVICE_UP
from pdcs.storage import InfluxDB
from reports import sections_national as nat
from reports.check_text import check_title, evidence_sentence, mlps_item_label, severity_label
from reports.content import Chart, Headline, Report, Section, Table, Value, floats, mbps, num, pct
from reports.hashing import content_sha256
from reports.labels import pct_or_no_data
from reports.section_usage import usage_section
from reports.sections_extra import assessment_section, assessment_year, grading_section
from reports.security import compliance, config_changes, region_tags
from supervision import answers, national_answers, planned
from supervision import availability as av
from supervision import bandwidth as bw
from supervision.maintenance import MaintenanceSchedule
from supervision.national_answers import reads_national
from supervision.periods import Period
from supervision.timeline import tag_where

Progress = Callable[[int, int, str], None]
STEPS = ("coverage", "availability", "bandwidth", "security", "grading", "assessment", "usage")


def _t(key: str, lang: Lang) -> str:
    return text(key, lang)


def _h(ms: float) -> float | None:
    return num(ms / 3_600_000, 2)


def region_title(inventory: Inventory, code: str, lang: Lang) -> dict[str, str]:
    return {
        "code": code or "0",
        "name": text("nation", lang) if not code else inventory.region_name(code),
        "level": region_level(code).value if code else "nation",
    }


def coverage(influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang) -> dict[str, object]:
    enabled = {d.id for d in inventory.devices_in([code])}
    where, params = tag_where(region_tags(code))
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    cond = f"time >= {start}ms AND time < {end}ms" + (f" AND {where}" if where else "")
    series = influx.query(f'SELECT count("up") FROM {DEVICE_UP} WHERE {cond} GROUP BY "device"', params=params)
    with_data = {s.tags.get("device", "") for s in series} & enabled
    return {
        "devices": len(enabled),
        "devices_with_data": len(with_data),
        "share": num(len(with_data) / len(enabled)) if enabled else None,
        "method": _t("report.coverage_method", lang),
    }


def _span_rows(
    items: list[av.Outage], inventory: Inventory, tz: tzinfo, lang: Lang, found: list[planned.Occurrence]
) -> list[list[Value]]:
    rows: list[list[Value]] = []
    spans = [o.as_dict(tz) for o in items[:50]]
    planned.mark_outages(spans, found, inventory, planned.Scope())
    for o, d in zip(items, spans, strict=False):
        fac = inventory.facilities.get(o.facility or "")
        rows.append(
            [
                d["start"],
                d["end"],
                num(d["duration_s"] / 60, 1),
                num(d["in_service_s"] / 60, 1),
                fac.name if fac else (o.facility or ""),
                ", ".join(o.devices),
                label("outage.cause", o.cause, lang),
                (d.get("planned_maintenance") or {}).get("name", ""),
            ]
        )
    return rows


def availability_section(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang,
    maintenance: MaintenanceSchedule | None = None,
) -> Section:
    result = answers.region_result(influx, inventory, code, period)
    found = planned.occurrences(maintenance or MaintenanceSchedule(), inventory, planned.Scope(code), period)
    figs = result.figures
    sec = Section("availability", _t("report.availability", lang), _t("report.availability.method", lang))
    sec.headline = [
        Headline(_t("report.av.serving", lang), pct_or_no_data(figs.availability, lang), "%"),
        Headline(_t("report.av.coverage", lang), pct(figs.coverage), "%"),
        Headline(_t("report.av.devices", lang), pct_or_no_data(result.device_figures.availability, lang), "%"),
        Headline(_t("report.av.scheduled_h", lang), _h(figs.scheduled_ms), "h"),
        Headline(_t("report.av.down_h", lang), _h(figs.down_ms), "h"),
        Headline(_t("report.av.no_data_h", lang), _h(figs.unknown_ms), "h"),
        Headline(_t("report.av.outages", lang), figs.outage_count),
        Headline(_t("report.av.unsupervised", lang), len(result.unsupervised)),
        Headline(_t("report.av.unmonitored", lang), len(result.unmonitored)),
    ]

    def child_name(child: str) -> str:
        return inventory.facilities[child].name if len(code) == 6 else inventory.region_name(child)

    rows: list[list[Value]] = [
        [
            child,
            child_name(child),
            _h(f.scheduled_ms),
            _h(f.up_ms),
            _h(f.down_ms),
            _h(f.unknown_ms),
            pct(f.coverage),
            pct_or_no_data(f.availability, lang),
        ]
        for child, f in sorted(result.children.items())
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
    sec.tables.append(Table(_t("report.av.by_child", lang), [_t(c, lang) for c in cols], rows, "availability"))
    sec.charts.append(Chart(_t("report.av.chart", lang), [str(r[1]) for r in rows], floats(r[7] for r in rows)))
    tz = period.start.tzinfo or UTC
    cols = [
        "col.start",
        "col.end",
        "col.duration_min",
        "col.in_service_min",
        "col.facility",
        "col.devices",
        "col.cause",
    ]
    heads = [_t(c, lang) for c in cols]
    outage_heads = [*heads, _t("col.planned_maintenance", lang)]
    outage_rows = _span_rows(figs.outages, inventory, tz, lang, found)
    sec.tables.append(Table(_t("report.av.outage_list", lang), outage_heads, outage_rows, "outages"))
    no_data_rows = [r[:-1] for r in _span_rows(figs.no_data, inventory, tz, lang, [])]
    sec.tables.append(Table(_t("report.av.no_data_list", lang), heads, no_data_rows, "no_data"))
    if found:
        sec.tables.extend(maintenance_tables(found, lang))
        sec.notes.append(_t("report.av.maintenance_note", lang))
    src_rows: list[list[Value]] = [
        [p["source"], p["start"], p["end"], p["days"], p["facilities"]] for p in result.sources
    ]
    src_cols = [_t("col.source", lang), _t("col.start", lang), _t("col.end", lang), "days", _t("col.facility", lang)]
    sec.tables.append(Table(_t("report.av.sources", lang), src_cols, src_rows, "sources"))
    if figs.scheduled_ms == 0:
        sec.notes.append(_t("report.section_no_data", lang))
    return sec


def _iso_span(o: planned.Occurrence) -> tuple[str, str]:
    d = o.as_dict()
    return d["start"], d["end"]


def maintenance_tables(found: list[planned.Occurrence], lang: Lang) -> list[Table]:
    """The planned maintenance windows in the period (none: no table)."""
    if not found:
        return []
    win_cols = [_t(c, lang) for c in ("col.planned_maintenance", "col.reason", "col.start", "col.end")]
    win_rows: list[list[Value]] = [[o.window.name, o.window.reason, *_iso_span(o)] for o in found]
    return [Table(_t("report.av.maintenance_list", lang), win_cols, win_rows, "maintenance")]


def bandwidth_section(influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang) -> Section:
    body = bw.region_bandwidth(influx, inventory, code, period)
    sec = Section("bandwidth", _t("report.bandwidth", lang), _t("report.bandwidth.method", lang))
    sec.headline = [
        Headline(_t("report.bw.in_mean", lang), mbps(body["in_mean_bps"]), "Mbps"),
        Headline(_t("report.bw.out_mean", lang), mbps(body["out_mean_bps"]), "Mbps"),
        Headline(_t("report.bw.in_p95", lang), mbps(body["in_p95_bps"]), "Mbps"),
        Headline(_t("report.bw.out_p95", lang), mbps(body["out_p95_bps"]), "Mbps"),
        Headline(_t("report.bw.util", lang), pct(body["utilisation_p95"]), "%"),
        Headline(_t("report.bw.facilities", lang), f"{body['facilities_with_data']}/{body['facilities']}"),
    ]
    rows: list[list[Value]] = [
        [
            f["facility"],
            f["name"],
            mbps(f["in_mean_bps"]),
            mbps(f["out_mean_bps"]),
            mbps(f["in_p95_bps"]),
            mbps(f["out_p95_bps"]),
            mbps(f["capacity_bps"]),
            pct(f["utilisation_p95"]),
        ]
        for f in sorted(body["data"], key=lambda f: f["facility"])
    ]
    cols = [
        "col.code",
        "col.name",
        "col.in_mean_mbps",
        "col.out_mean_mbps",
        "col.in_p95_mbps",
        "col.out_p95_mbps",
        "col.capacity_mbps",
        "col.util_pct",
    ]
    sec.tables.append(Table(_t("report.bw.by_facility", lang), [_t(c, lang) for c in cols], rows, "bandwidth"))
    if rows:
        sec.charts.append(Chart(_t("report.bw.chart", lang), [str(r[1]) for r in rows], floats(r[7] for r in rows)))
    else:
        sec.available = False
        sec.notes.append(_t("report.section_no_data", lang))
    return sec


def security_section(influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang) -> Section:
    devices = {d.id for d in inventory.devices_in([code])}
    comp = compliance(influx, code, period, devices)
    sec = Section("security", _t("report.security", lang), _t("report.security.method", lang))
    failed = comp.failed()
    sec.headline = [
        Headline(_t("report.sec.checks", lang), len(comp.verdicts)),
        Headline(_t("report.sec.pass_rate", lang), pct(comp.pass_rate), "%"),
        Headline(_t("report.sec.failed_high", lang), sum(v.severity in ("high", "critical") for v in failed)),
        Headline(_t("report.sec.devices", lang), len({v.device for v in comp.verdicts})),
    ]
    items = comp.by_item()
    rows: list[list[Value]] = [
        [mlps_item_label(i, lang), lv, n, p, f, pct(p / n if n else None)] for i, lv, n, p, f in items
    ]
    cols = ["col.mlps_item", "col.mlps_level", "col.checks", "col.passed", "col.failed", "col.pass_pct"]
    sec.tables.append(Table(_t("report.sec.by_item", lang), [_t(c, lang) for c in cols], rows, "security_items"))
    frows: list[list[Value]] = [
        [
            v.device,
            check_title(v.check, lang),
            severity_label(v.severity, lang),
            mlps_item_label(v.mlps_item, lang),
            evidence_sentence(v.check, v.detail, lang),
        ]
        for v in failed[:50]
    ]
    cols = ["col.device", "col.check", "col.severity", "col.mlps_item", "col.detail"]
    sec.tables.append(Table(_t("report.sec.failed", lang), [_t(c, lang) for c in cols], frows, "security_failed"))
    if rows:
        sec.charts.append(Chart(_t("report.sec.chart", lang), [str(r[0]) for r in rows], floats(r[5] for r in rows)))
    # Configuration history (GB/T 22239-2019 8.1.4.9 backup, 8.1.3.5 audit): what changed and when.
    changes = config_changes(influx, code, period, devices)
    sec.headline.append(Headline(_t("report.sec.config_changes", lang), len(changes)))
    tz = period.start.tzinfo or UTC
    crows: list[list[Value]] = [
        [datetime.fromtimestamp(c.time_ns / 1e9, tz).isoformat(timespec="minutes"), c.device, c.added, c.removed,
         c.commit]
        for c in changes[-50:]
    ]  # fmt: skip
    cols = ["col.time", "col.device", "col.added", "col.removed", "col.commit"]
    sec.tables.append(Table(_t("report.sec.config", lang), [_t(c, lang) for c in cols], crows, "config_changes"))
    if not comp.verdicts:
        sec.available = False
        sec.notes.append(_t("report.section_no_data", lang))
    return sec


def _national_sections(
    national: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang,
    tick: Callable[[str], None],
    maintenance: MaintenanceSchedule | None,
) -> tuple[dict[str, object], list[Section]]:
    """Coverage, availability and bandwidth of the nation or a province from the national store."""
    name = region_title(inventory, code, lang)["name"]
    body = national_answers.region_availability(national, inventory, code, period, name)
    cov = nat.coverage(body, inventory, code, lang)
    tick("coverage")
    found = planned.occurrences(maintenance or MaintenanceSchedule(), inventory, planned.Scope(code), period)
    sections = [nat.availability_section(body, inventory, period, lang, maintenance_tables(found, lang))]
    tick("availability")
    bw_body = national_answers.region_bandwidth(national, inventory, code, period, name)
    sections.append(nat.bandwidth_section(bw_body, inventory, code, period, lang))
    tick("bandwidth")
    return cov, sections


def build_report(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang = "zh",
    progress: Progress | None = None,
    maintenance: MaintenanceSchedule | None = None,
    national: InfluxDB | None = None,
) -> Report:
    """The report's content and its hash (``generated_at``/``generated_by`` are left to the caller).

    ``national``: the national summaries store (the shard map's ``national``). With one, the nation's and a
    province's coverage, availability, bandwidth and annual assessment read it as the API answers them
    (``reports.sections_national``); security, grading and service use read ``influx`` as below them.
    """
    step = 0

    def tick(what: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(step, len(STEPS), what)

    tz = period.start.tzinfo
    period_d = {
        **period.as_dict(),
        "days": num(period.seconds / 86400, 3),
        "timezone": str(tz) if tz else "UTC",
    }
    nation = national if reads_national(national, code) else None  # the nation or a province: national store
    if nation is not None:
        cov, sections = _national_sections(nation, inventory, code, period, lang, tick, maintenance)
    else:
        cov = coverage(influx, inventory, code, period, lang)
        tick("coverage")
        sections = [availability_section(influx, inventory, code, period, lang, maintenance)]
        tick("availability")
        sections.append(bandwidth_section(influx, inventory, code, period, lang))
        tick("bandwidth")
    sections.append(security_section(influx, inventory, code, period, lang))
    tick("security")
    sections.append(grading_section(influx, inventory, code, period, lang))
    tick("grading")
    if nation is not None:
        year = assessment_year(period)
        body = national_answers.region_assessment(nation, influx, inventory, code, year, lang)
        sections.append(assessment_section(influx, inventory, code, period, lang, body))
        sections[-1].notes.append(nat.assessment_note(body, lang))
    else:
        sections.append(assessment_section(influx, inventory, code, period, lang))
    tick("assessment")
    sections.append(usage_section(influx, inventory, code, period, lang))
    tick("usage")
    report = Report(
        title=_t("report.title", lang),
        language=lang,
        region=region_title(inventory, code, lang),
        period=period_d,
        coverage=cov,
        sections=sections,
    )
    report.content_sha256 = content_sha256(report)
    return report
