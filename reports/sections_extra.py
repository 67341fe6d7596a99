"""The report's MLPS grading and annual assessment sections, from the parts that compute them.

Both are pinned to the report's period (not to "now"), so the same inputs give
the same figures: the grading uses each check's last result within the period;
the assessment scores the calendar year in which the period ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from inventory.models import Inventory
from pdcs.i18n import Lang, register, text
from pdcs.storage import InfluxDB
from reports.content import Chart, Headline, Section, Table, Value, num, pct
from supervision import answers
from supervision.grading.evaluate import CheckResult
from supervision.grading.evidence import latest_checks
from supervision.grading.report import facility_grading
from supervision.periods import Period

CN = ZoneInfo("Asia/Shanghai")

register(
    {
        "report.gr.declared": ("已申报定级的设施", "Facilities with a declared grading"),
        "report.gr.assessed": ("已测评设施", "Facilities assessed"),
        "report.gr.mean_score": ("平均得分", "Mean score"),
        "report.gr.high_risks": ("高风险项", "High risks"),
        "report.gr.table": ("各设施定级与测评结论", "Grading and conclusion by facility"),
        "report.gr.none": (
            "本区划内没有设施申报等级保护定级要素。",
            "No facility here declares MLPS grading elements.",
        ),
        "report.as.year": ("考核年度", "Year assessed"),
        "report.as.score": ("考核总分", "Total score"),
        "report.as.weighted_coverage": ("加权数据覆盖率", "Weighted data coverage"),
        "report.as.missing": (
            "数据不足：{indicator} 数据覆盖率 {coverage}%，{facilities} 个设施中 {without} 个无数据。",
            "Insufficient data: {indicator} coverage {coverage}%, {without} of {facilities} facilities without data.",
        ),
        "col.inputs": ("分子 ÷ 分母", "Numerator ÷ denominator"),
        "report.as.coverage": ("指标数据覆盖率（按权重）", "Indicator coverage (by weight)"),
        "report.as.scored": ("已计分指标", "Indicators scored"),
        "report.as.table": ("考核指标明细", "Indicators"),
        "report.as.children": ("下级区划得分", "Scores of sub-regions"),
        "report.as.chart": ("各指标得分", "Score by indicator"),
        "report.as.year_note": (
            "考核年度为报告期结束所在的自然年（{year} 年），按全年日汇总数据计算。",
            "The year assessed is the calendar year in which the period ends ({year}), from the year's daily roll-ups.",
        ),
        "col.formula": ("计算公式", "Formula"),
        "col.status": ("状态", "Status"),
        "col.basis": ("数据依据", "Basis"),
        "col.conclusion_short": ("结论", "Conclusion"),
        "col.items": ("已测评项/总项", "Items assessed/total"),
    }
)


def _checks_in_period(influx: InfluxDB, code: str, period: Period) -> list[CheckResult]:
    """The latest result of every (device, check) within the report's period (reproducible)."""
    between = (period.start_ns // 1_000_000, period.end_ns // 1_000_000)
    return latest_checks(influx, region=code, between_ms=between)


def grading_section(influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang) -> Section:
    facilities = sorted(inventory.facilities_in(code), key=lambda f: f.id)
    declared = [f for f in facilities if getattr(f, "mlps", None) is not None]
    sec = Section("grading", text("report.grading", lang), text("report.grading.method", lang))
    if not declared:
        sec.available = False
        sec.notes.append(text("report.gr.none", lang))
        return sec
    by_fac: dict[str, list[CheckResult]] = {}
    for r in _checks_in_period(influx, code, period):
        by_fac.setdefault(r.facility, []).append(r)
    rows: list[list[Value]] = []
    graded: list[dict[str, Any]] = []
    for f in declared:
        g = facility_grading(f, by_fac.get(f.id, []))
        graded.append(g)
        conclusion = g["conclusion"] if lang == "zh" else g["conclusion_en"]
        items = f"{g.get('items_assessed', 0)}/{g.get('items_total', 0)}" if "items_total" in g else ""
        rows.append(
            [
                f.id,
                f.name,
                g.get("level_zh") if lang == "zh" else g.get("level"),
                num(g.get("score"), 2),
                items,
                conclusion,
            ]
        )
    scores = [g["score"] for g in graded if g.get("score") is not None]
    sec.headline = [
        Headline(text("report.gr.declared", lang), len(declared)),
        Headline(text("report.gr.assessed", lang), len(scores)),
        Headline(text("report.gr.mean_score", lang), num(sum(scores) / len(scores), 2) if scores else None),
        Headline(text("report.gr.high_risks", lang), sum(int(g.get("high_risks", 0)) for g in graded)),
    ]
    cols = ["col.code", "col.name", "col.level", "col.score", "col.items", "col.conclusion_short"]
    sec.tables.append(Table(text("report.gr.table", lang), [text(c, lang) for c in cols], rows, "grading"))
    if scores:
        sec.charts.append(
            Chart(
                text("report.gr.mean_score", lang),
                [str(r[1]) for r in rows if r[3] is not None],
                [float(r[3]) for r in rows if isinstance(r[3], int | float)],
                unit="",
            )
        )
    sec.method = (
        str(graded[0].get("method", {}).get(lang, sec.method)) if graded and "method" in graded[0] else sec.method
    )
    return sec


def assessment_year(period: Period) -> int:
    """The calendar year assessed: the one in which the period ends (Beijing time)."""
    return (period.end - timedelta(microseconds=1)).astimezone(CN).year


def assessment_section(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang,
    body: dict[str, Any] | None = None,
) -> Section:
    """The section from ``body`` (an assessment answer; None: the facility path's ``answers.assessment``)."""
    year = assessment_year(period)
    body = body if body is not None else answers.assessment(influx, inventory, code, year, lang)
    sec = Section("assessment", text("report.assessment", lang), text("report.assessment.method", lang))
    sec.notes.append(text("report.as.year_note", lang, year=year))
    sec.headline = [
        Headline(text("report.as.year", lang), year),
        Headline(
            text("report.as.score", lang),
            num(body.get("score"), 2) if body["status"] == "scored" else body["status_text"][lang],
        ),
        Headline(text("report.as.weighted_coverage", lang), pct(body["weighted_coverage"]), "%"),
        Headline(text("report.as.coverage", lang), pct(body.get("coverage"))),
        Headline(text("report.as.scored", lang), f"{body['indicators_scored']}/{body['indicators']}"),
    ]
    rows: list[list[Value]] = []
    for ind in body["data"]:
        status = (ind["note"] or {}).get(lang) if ind["status"] != "scored" else text("col.score", lang)
        rows.append(
            [
                ind["label"].get(lang) or ind["id"],
                num(ind["value"]),
                f"{ind['inputs']['numerator_text'][lang]} ÷ {ind['inputs']['denominator_text'][lang]}",
                num(ind["score"], 2),
                num(ind["weight"], 3),
                ind["formula"][lang],
                status if ind["status"] != "scored" else "",
                ind["basis"]["text"][lang] if ind["status"] == "scored" else "",
            ]
        )
    cols = [
        "col.indicator",
        "col.value",
        "col.inputs",
        "col.score",
        "col.weight",
        "col.formula",
        "col.status",
        "col.basis",
    ]
    sec.tables.append(Table(text("report.as.table", lang), [text(c, lang) for c in cols], rows, "assessment"))
    if body["status"] != "scored":
        for m in body["missing"]:
            sec.notes.append(
                text(
                    "report.as.missing",
                    lang,
                    indicator=m["label"][lang],
                    coverage=pct(m["data_coverage"]),
                    without=m["facilities"] - m["facilities_with_data"],
                    facilities=m["facilities"],
                )
            )
    children = [
        [c["code"], c.get("name", c["code"]), num(c.get("score"), 2), pct(c.get("coverage"))]
        for c in body.get("children", [])
    ]
    if children:
        sec.tables.append(
            Table(
                text("report.as.children", lang),
                [text(c, lang) for c in ("col.code", "col.name", "col.score", "report.as.coverage")],
                children,
                "assessment_children",
            )
        )
    scored = [r for r in rows if r[2] is not None]
    if scored:
        sec.charts.append(
            Chart(
                text("report.as.chart", lang),
                [str(r[0]) for r in scored],
                [float(r[2]) for r in scored if isinstance(r[2], int | float)],
            )
        )
    if body.get("score") is None:
        sec.available = False
    return sec
