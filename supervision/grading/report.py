"""Gradings of facilities and regions as plain data (the API answers and reports reuse these)."""

from __future__ import annotations

from typing import Any

from inventory.models import Facility, Inventory
from pdcs.storage import InfluxDB
from supervision.grading.catalogue import Catalogue, default_catalogue
from supervision.grading.evaluate import (
    CONCLUSION_EN,
    GRADED_LEVELS,
    NOT_ASSESSED,
    RESULT_EN,
    CheckResult,
    Grading,
    grade,
)
from supervision.grading.evidence import latest_checks
from supervision.grading.levels import LEVEL_ZH, level_of

METHOD = {
    "zh": "单项结果：符合=1、部分符合=0.5、不符合=0，无有效检查结果为未测评（不计入得分）；"
    "得分=100×Σ(权重×结果)/Σ权重（仅已测评项）；结论：存在高风险（高/严重级检查不通过）或得分<70为差，"
    "得分≥90且无中风险为优，≥80为良，≥70为中。",
    "en": "Item: conformant=1, partial=0.5, non-conformant=0; no valid result = not assessed (left out of the "
    "score). Score = 100×Σ(weight×value)/Σweight over assessed items. Conclusion: any high risk (failed "
    "high/critical check) or score<70 → poor; ≥90 with no medium risk → excellent; ≥80 good; ≥70 fair.",
}


UNKNOWN_AFTER = {"zh": "最近一次核查未能完成", "en": "the latest check could not be completed"}


def _check(c: CheckResult) -> dict[str, Any]:
    return {
        "device": c.device,
        "check": c.check,
        "source": c.source,
        "status": c.status,
        "severity": c.severity,
        "detail": c.detail,
        "time_ms": c.time_ms,
        # A later attempt could not complete: the result above (and its date) stands.
        "latest_attempt": None
        if c.unknown_after_ms is None
        else {"status": "unknown", "time_ms": c.unknown_after_ms, "detail": c.unknown_detail, "note": UNKNOWN_AFTER},
    }


def grading_dict(g: Grading) -> dict[str, Any]:
    return {
        "level": g.level,
        "level_zh": LEVEL_ZH[g.level],
        "score": g.score,
        "conclusion": g.conclusion,
        "conclusion_en": CONCLUSION_EN[g.conclusion],
        "items_total": len(g.items),
        "items_assessed": g.assessed,
        "coverage": round(g.coverage, 3),
        "high_risks": len(g.high_risks),
        "medium_risks": len(g.medium_risks),
        "unmapped_checks": g.unmapped,
        "method": METHOD,
        "items": [
            {
                "id": i.item.id,
                "clause": i.clause,
                "category": i.item.category.model_dump(),
                "title": i.item.title.model_dump(),
                "weight": i.item.weight,
                "result": i.result,
                "result_en": RESULT_EN[i.result],
                "value": i.value,
                "checks": [_check(c) for c in i.checks],
            }
            for i in g.items
        ],
    }


def facility_grading(
    facility: Facility, results: list[CheckResult], catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """The grading of one facility from its check results (already fetched)."""
    head: dict[str, Any] = {"facility": facility.id, "name": facility.name, "county": facility.county}
    if facility.mlps is None:
        return {**head, "declared": False, "conclusion": NOT_ASSESSED, "conclusion_en": CONCLUSION_EN[NOT_ASSESSED],
                "message": {"zh": "该场馆未在清单中申报定级要素（受侵害客体与侵害程度）。",
                            "en": "The facility declares no MLPS grading elements in the inventory."}}  # fmt: skip
    level = level_of(facility.mlps)
    head |= {
        "declared": True,
        "system": facility.mlps.system,
        "harm_object": facility.mlps.harm_object.value,
        "harm_degree": facility.mlps.harm_degree.value,
    }
    if level not in GRADED_LEVELS:
        return {**head, "level": level, "level_zh": LEVEL_ZH[level], "conclusion": NOT_ASSESSED,
                "conclusion_en": CONCLUSION_EN[NOT_ASSESSED],
                "message": {"zh": "pdcs 仅对第二级、第三级系统进行符合性评价。",
                            "en": "pdcs evaluates conformity for levels 2 and 3 only."}}  # fmt: skip
    return {**head, **grading_dict(grade(level, results, catalogue or default_catalogue()))}


def grade_facility(inventory: Inventory, influx: InfluxDB, facility_id: str, days: int = 30) -> dict[str, Any]:
    facility = inventory.facilities[facility_id]
    results = latest_checks(influx, facility=facility_id, days=days) if facility.mlps else []
    return facility_grading(facility, results)


def grade_region(inventory: Inventory, influx: InfluxDB, code: str, days: int = 30) -> dict[str, Any]:
    """Every facility of a region graded, with the count of each conclusion."""
    facilities = inventory.facilities_in(code)
    results = latest_checks(influx, region=code, days=days) if any(f.mlps for f in facilities) else []
    by_facility: dict[str, list[CheckResult]] = {}
    for r in results:
        by_facility.setdefault(r.facility, []).append(r)
    data = [facility_grading(f, by_facility.get(f.id, [])) for f in sorted(facilities, key=lambda f: f.id)]
    counts: dict[str, int] = {}
    for d in data:
        counts[d["conclusion"]] = counts.get(d["conclusion"], 0) + 1
    return {"region": code, "name": inventory.region_name(code), "conclusions": counts, "data": data,
            "count": len(data)}  # fmt: skip
