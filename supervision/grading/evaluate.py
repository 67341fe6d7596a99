"""Grade one system at its level from the latest check results (pure: no I/O).

Per requirement item (GB/T 28448 style 单项测评结果):

- the results that count are the latest *definitive* (pass or fail)
  ``security_check`` of every (device, check) — the tags of that row (item,
  level, severity) decide where it counts, so a superseded row under old tags
  no longer counts; a later ``unknown`` (the audit could not connect) never
  turns an earlier failure into a pass: the earlier result stands, marked
  "最近一次核查未能完成" (``unknown_after_ms``) — whose ``mlps_item`` is the item, written with either clause number
  (agents write the clause of the level they are configured for, SSH audits
  the level-3 clause); which items a level has comes from the catalogue, so
  the ``mlps_level`` tag is not used to filter; ``unknown`` results do not count;
- none counts → 未测评 (not assessed: no evidence is never a pass);
- all pass → 符合 (1), none pass → 不符合 (0), otherwise 部分符合 (0.5).

Score: ``100 × Σ weight·value / Σ weight`` over the assessed items (items not
assessed are left out of the score and reported in ``coverage``).

Conclusion, after the 2021 evaluation report template's 综合得分 and risk bands:

- 差 (poor): any high risk — a failed check of severity ``high`` or
  ``critical`` — or a score below 70;
- 优 (excellent): score ≥ 90 and not even a medium risk (failed ``medium`` check);
- 良 (good): score ≥ 80;  中 (fair): score ≥ 70;
- 未测评: no item could be assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from supervision.grading.catalogue import Catalogue, RequirementItem

CONFORMANT = "符合"
PARTIAL = "部分符合"
NON_CONFORMANT = "不符合"
NOT_ASSESSED = "未测评"
RESULT_EN = {
    CONFORMANT: "conformant",
    PARTIAL: "partially conformant",
    NON_CONFORMANT: "non-conformant",
    NOT_ASSESSED: "not assessed",
}
RESULT_VALUE = {CONFORMANT: 1.0, PARTIAL: 0.5, NON_CONFORMANT: 0.0}

EXCELLENT, GOOD, FAIR, POOR = "优", "良", "中", "差"
CONCLUSION_EN = {EXCELLENT: "excellent", GOOD: "good", FAIR: "fair", POOR: "poor", NOT_ASSESSED: "not assessed"}
HIGH_RISK = {"high", "critical"}
MEDIUM_RISK = {"medium"}
GRADED_LEVELS = (2, 3)


class CheckResult(NamedTuple):
    device: str
    check: str
    mlps_item: str
    mlps_level: int | None
    severity: str
    source: str
    status: str  # pass / fail / unknown
    detail: str
    time_ms: int
    facility: str = ""
    unknown_after_ms: int | None = None  # a later attempt could not complete (its time), the result stands
    unknown_detail: str = ""


@dataclass(frozen=True)
class ItemGrade:
    item: RequirementItem
    clause: str
    result: str
    checks: tuple[CheckResult, ...]

    @property
    def value(self) -> float | None:
        return RESULT_VALUE.get(self.result)


@dataclass(frozen=True)
class Grading:
    level: int
    items: tuple[ItemGrade, ...]
    score: float | None
    conclusion: str
    high_risks: tuple[CheckResult, ...]
    medium_risks: tuple[CheckResult, ...]
    unmapped: int  # judged checks whose mlps_item is not in the catalogue

    @property
    def assessed(self) -> int:
        return sum(1 for i in self.items if i.result != NOT_ASSESSED)

    @property
    def coverage(self) -> float:
        return self.assessed / len(self.items) if self.items else 0.0


def item_result(checks: list[CheckResult]) -> str:
    judged = [c for c in checks if c.status in ("pass", "fail")]
    if not judged:
        return NOT_ASSESSED
    passed = sum(1 for c in judged if c.status == "pass")
    if passed == len(judged):
        return CONFORMANT
    return NON_CONFORMANT if passed == 0 else PARTIAL


def conclusion_of(score: float | None, high: int, medium: int) -> str:
    if score is None:
        return NOT_ASSESSED
    if high or score < 70:
        return POOR
    if score >= 90 and not medium:
        return EXCELLENT
    if score >= 80:
        return GOOD
    return FAIR


def grade(level: int, results: list[CheckResult], catalogue: Catalogue) -> Grading:
    """Grade a system of ``level`` (2 or 3) from ``results`` (latest per device and check)."""
    if level not in GRADED_LEVELS:
        raise ValueError(f"pdcs grades levels 2 and 3 (got {level})")
    by_item: dict[str, list[CheckResult]] = {}
    unmapped = 0
    for r in results:
        key = catalogue.canonical(r.mlps_item)
        if key is None:
            unmapped += r.status in ("pass", "fail")
            continue
        by_item.setdefault(key, []).append(r)
    items = tuple(
        ItemGrade(it, it.clause(level), item_result(by_item.get(it.id, [])), tuple(by_item.get(it.id, [])))
        for it in catalogue.for_level(level)
    )
    assessed = [i for i in items if i.value is not None]
    weight = sum(i.item.weight for i in assessed)
    score = round(100 * sum(i.item.weight * (i.value or 0.0) for i in assessed) / weight, 1) if weight else None
    counted = [c for i in items for c in i.checks if c.status == "fail"]
    high = tuple(c for c in counted if c.severity in HIGH_RISK)
    medium = tuple(c for c in counted if c.severity in MEDIUM_RISK)
    return Grading(level, items, score, conclusion_of(score, len(high), len(medium)), high, medium, unmapped)
