"""The annual assessment (年度考核): a YAML rubric scored per county and rolled up.

Inputs per facility come from the inventory (``Facility.attributes``:
``wireless_coverage``, ``digital_library_service``, ``digital_cultural_centre``,
``service_point_upgraded`` — true/false) and from the year's daily roll-ups
(``facility_daily``: polls, scheduled/serving seconds, security checks).
A region pools its facilities' inputs; see ``data/assessment_rubric.yaml``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from inventory.labels import FACILITY_KIND_EN
from inventory.models import FACILITY_KIND_ZH, Facility, FacilityKind, Inventory, region_chain
from pdcs import yaml_guard
from pdcs.i18n import both, register, text
from pdcs.storage import InfluxDB
from supervision.regions import level_tags
from supervision.rollup import FacilityDays, read_facility_year

RUBRIC_FILE = Path(__file__).parent / "data" / "assessment_rubric.yaml"
CN = ZoneInfo("Asia/Shanghai")

SourceType = Literal["attribute_share", "supervised_share", "availability", "check_pass_rate"]

register(
    {
        "assessment.formula.attribute_share": (
            "{attribute} 为“是”的设施数 ÷ 已填报该属性的{kinds}数",
            "facilities with {attribute} = true ÷ {kinds} that state it",
        ),
        "assessment.formula.supervised_share": (
            "全年有设备被轮询的设施数 ÷ 设施总数",
            "facilities whose devices were polled during the year ÷ all facilities",
        ),
        "assessment.formula.availability": (
            "开放时间内服务时长 ÷ 计划服务时长（纳入监管的设施）",
            "serving time ÷ scheduled service time (supervised facilities)",
        ),
        "assessment.formula.check_pass_rate": (
            "通过的安全检查次数 ÷ 安全检查总次数",
            "passed security checks ÷ all security checks",
        ),
        "assessment.scoring.linear": ("得分 = min(1, 值 ÷ {target}) × 100", "score = min(1, value ÷ {target}) × 100"),
        "assessment.scoring.band": (
            "得分：值 ≤ {floor} 为 0，≥ {target} 为 100，其间线性",
            "score: 0 at value ≤ {floor}, 100 at ≥ {target}, linear between",
        ),
        "assessment.no_data": (
            "无数据，不计分（权重在有数据的指标间重新分配）",
            "no data: not scored (weights renormalised over scored indicators)",
        ),
        "assessment.status.scored": ("已计分", "scored"),
        "assessment.status.insufficient": (
            "数据不足：加权数据覆盖率低于阈值，不给出总分（见缺失项）",
            "insufficient data: weighted data coverage below the threshold, no total (see what is missing)",
        ),
        "assessment.unit.attribute_share": ("比例（设施数之比）", "share of facilities"),
        "assessment.unit.supervised_share": ("比例（设施数之比）", "share of facilities"),
        "assessment.unit.availability": ("比例（小时之比）", "share of hours"),
        "assessment.unit.check_pass_rate": ("比例（检查次数之比）", "share of checks"),
        "assessment.words.attribute_share.num": (
            "填报为“是”的设施 {n} 个",
            "{n} facilities with {attribute} = yes",
        ),
        "assessment.words.attribute_share.den": (
            "已填报的设施 {n} 个",
            "{n} facilities stating {attribute}",
        ),
        "assessment.words.supervised_share.num": (
            "全年有设备被轮询的设施 {n} 个",
            "{n} facilities polled during the year",
        ),
        "assessment.words.supervised_share.den": ("有日汇总的设施 {n} 个", "{n} facilities with daily roll-ups"),
        "assessment.words.availability.num": ("开放时间内服务 {n} 小时", "{n} hours serving in opening hours"),
        "assessment.words.availability.den": (
            "计划服务 {n} 小时（其中无数据 {no_data} 小时，计为未服务）",
            "{n} scheduled hours (of which {no_data} without data, counted as not serving)",
        ),
        "assessment.words.check_pass_rate.num": ("通过的安全检查 {n} 次", "{n} security checks passed"),
        "assessment.words.check_pass_rate.den": ("安全检查共 {n} 次", "{n} security checks"),
        "assessment.total": (
            "总分 = Σ(权重 × 得分) ÷ Σ(权重)，仅计有数据的指标；覆盖率 = 有数据指标的权重之和 ÷ 全部权重",
            "total = Σ(weight × score) ÷ Σ(weight) over indicators with data; coverage = their weight share",
        ),
    }
)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_M):
    zh: str
    en: str


class Source(_M):
    type: SourceType
    attribute: str | None = None
    facility_kinds: tuple[FacilityKind, ...] | None = None


class Scoring(_M):
    function: Literal["linear", "band"] = "linear"
    target: float = Field(gt=0)
    floor: float = 0.0

    def score(self, value: float) -> float:
        if self.function == "linear":
            return min(1.0, value / self.target) * 100
        if value <= self.floor:
            return 0.0
        if value >= self.target:
            return 100.0
        return (value - self.floor) / (self.target - self.floor) * 100


class Indicator(_M):
    id: str
    label: Labels
    target_text: str = ""
    source: Source
    scoring: Scoring
    weight: float = Field(gt=0)


class Rubric(_M):
    name: Labels
    source: str = ""
    indicators: tuple[Indicator, ...]
    # Below this weighted data coverage the total is withheld (数据不足) — see ``total_of``.
    min_coverage: float = Field(default=0.8, ge=0, le=1)


def load_rubric(path: Path = RUBRIC_FILE) -> Rubric:
    return Rubric.model_validate(yaml_guard.safe_load(path.read_text(encoding="utf-8")))


@functools.cache
def default_rubric() -> Rubric:
    return load_rubric()


def truthy(value: object) -> bool | None:
    """An attribute as yes/no; None when it does not say."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value > 0
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "yes", "y", "1", "是", "有"):
            return True
        if v in ("false", "no", "n", "0", "否", "无"):
            return False
    return None


@dataclass
class Pool:
    """Numerator and denominator of one indicator over some facilities, plus what was looked at."""

    num: float = 0.0
    den: float = 0.0
    eligible: int = 0  # facilities the indicator is about
    reporting: int = 0  # of which gave data
    no_data: float = 0.0  # availability: scheduled hours without data (counted as not serving)
    missing: list[str] = field(default_factory=list)  # facilities the indicator is about that gave no data

    def add(self, other: Pool) -> None:
        self.num += other.num
        self.den += other.den
        self.eligible += other.eligible
        self.reporting += other.reporting
        self.no_data += other.no_data
        self.missing.extend(other.missing)

    @property
    def coverage(self) -> float | None:
        """The share of what the indicator is about that gave data (availability: × hours with data).

        None when it is about nothing here (e.g. no cultural centre in the region).
        """
        if self.eligible == 0:
            return None
        share = self.reporting / self.eligible
        return share * (1 - self.no_data / self.den) if self.den > 0 else share


def facility_pool(ind: Indicator, fac: Facility, days: FacilityDays | None) -> Pool:
    """One facility's inputs to ``ind``.

    Availability is serving hours ÷ scheduled hours, where scheduled hours without data
    count as not serving (``no_data``): switching monitoring off can only lower it.
    """
    src = ind.source
    nothing = Pool(eligible=1, missing=[fac.id])
    if src.type == "attribute_share":
        if src.facility_kinds is not None and fac.kind not in src.facility_kinds:
            return Pool()
        said = truthy(fac.attributes.get(src.attribute or ""))
        if said is None:
            return nothing
        return Pool(num=float(said), den=1, eligible=1, reporting=1)
    if days is None:
        return nothing
    if src.type == "supervised_share":
        return Pool(num=float(days.sums["polls"] > 0), den=1, eligible=1, reporting=1)
    if src.type == "availability":
        if days.supervised_days == 0 or days.sums["scheduled_s"] <= 0:
            return nothing
        return Pool(
            num=days.sums["serving_s"] / 3600,
            den=days.sums["scheduled_s"] / 3600,
            eligible=1,
            reporting=1,
            no_data=days.sums["unknown_s"] / 3600,
        )
    checks = days.sums["checks"]
    if checks <= 0:
        return nothing
    return Pool(num=days.sums["checks_passed"], den=checks, eligible=1, reporting=1)


def _formula(ind: Indicator, lang: Literal["zh", "en"]) -> str:

    kinds = ind.source.facility_kinds or ()
    names = FACILITY_KIND_ZH if lang == "zh" else FACILITY_KIND_EN
    kinds_text = ("、" if lang == "zh" else ", ").join(names[k] for k in kinds) or (
        "设施" if lang == "zh" else "facilities"
    )
    f = text(f"assessment.formula.{ind.source.type}", lang, attribute=ind.source.attribute, kinds=kinds_text)
    s = text(f"assessment.scoring.{ind.scoring.function}", lang, target=ind.scoring.target, floor=ind.scoring.floor)
    return f"{f}；{s}" if lang == "zh" else f"{f}; {s}"


def _words(ind: Indicator, pool: Pool, lang: Literal["zh", "en"]) -> tuple[str, str, str]:
    """Numerator, denominator and unit in words (hours, not seconds)."""
    t = ind.source.type
    key = f"assessment.words.{t}"
    return (
        text(f"{key}.num", lang, n=_n(pool.num), attribute=ind.source.attribute),
        text(f"{key}.den", lang, n=_n(pool.den), no_data=_n(pool.no_data), attribute=ind.source.attribute),
        text(f"assessment.unit.{t}", lang),
    )


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


MISSING_LISTED = 20


def indicator_result(ind: Indicator, pool: Pool, total_weight: float) -> dict[str, Any]:
    has_data = pool.den > 0
    value = pool.num / pool.den if has_data else None
    words = {lang: _words(ind, pool, lang) for lang in ("zh", "en")}
    return {
        "id": ind.id,
        "label": ind.label.model_dump(),
        "target": ind.target_text,
        "data_source": ind.source.model_dump(exclude_none=True, mode="json"),
        "formula": {"zh": _formula(ind, "zh"), "en": _formula(ind, "en")},
        "inputs": {
            "numerator": pool.num,
            "denominator": pool.den,
            "unit": "h" if ind.source.type == "availability" else "count",
            "numerator_text": {lang: w[0] for lang, w in words.items()},
            "denominator_text": {lang: w[1] for lang, w in words.items()},
            "facilities": pool.eligible,
            "facilities_with_data": pool.reporting,
            "missing_facilities": sorted(pool.missing)[:MISSING_LISTED],
            "no_data_hours": pool.no_data if ind.source.type == "availability" else None,
        },
        "unit": {lang: w[2] for lang, w in words.items()},
        "data_coverage": pool.coverage,
        "value": value,
        "score": ind.scoring.score(value) if value is not None else None,
        "weight": ind.weight,
        "weight_share": ind.weight / total_weight,
        "status": "scored" if has_data else "no_data",
        "note": None if has_data else both("assessment.no_data"),
    }


def weighted_coverage(indicators: list[dict[str, Any]]) -> float:
    """Σ weight × data coverage ÷ Σ weight over the indicators that are about something here."""
    about = [i for i in indicators if i["data_coverage"] is not None]
    w = sum(i["weight"] for i in about)
    return sum(i["weight"] * i["data_coverage"] for i in about) / w if w else 0.0


def total_of(indicators: list[dict[str, Any]], min_coverage: float = 0.8) -> dict[str, Any]:
    """The total, or 数据不足 (``score`` None, ``status`` ``insufficient_data``) below ``min_coverage``."""
    scored = [i for i in indicators if i["status"] == "scored"]
    w_all = sum(i["weight"] for i in indicators)
    w = sum(i["weight"] for i in scored)
    score = sum(i["weight"] * i["score"] for i in scored) / w if w else None
    for i in indicators:
        i["weight_effective"] = i["weight"] / w if (w and i["status"] == "scored") else 0.0
    covered = weighted_coverage(indicators)
    enough = score is not None and covered >= min_coverage
    missing = [
        {
            "id": i["id"],
            "label": i["label"],
            "data_coverage": i["data_coverage"],
            "facilities": i["inputs"]["facilities"],
            "facilities_with_data": i["inputs"]["facilities_with_data"],
            "missing_facilities": i["inputs"]["missing_facilities"],
            "no_data_hours": i["inputs"]["no_data_hours"],
        }
        for i in indicators
        if i["data_coverage"] is not None and i["data_coverage"] < 1
    ]
    return {
        "score": score if enough else None,
        "status": "scored" if enough else "insufficient_data",
        "status_text": both("assessment.status.scored" if enough else "assessment.status.insufficient"),
        "coverage": w / w_all if w_all else 0.0,
        "weighted_coverage": covered,
        "min_coverage": min_coverage,
        "missing": missing,
        "indicators_scored": len(scored),
        "indicators": len(indicators),
        "formula": both("assessment.total"),
    }


@dataclass
class Assessment:
    code: str
    year: int
    rubric: Rubric
    pools: dict[str, dict[str, Pool]] = field(default_factory=dict)  # region code → indicator id → pool

    def region(self, code: str, children: list[str] | None = None) -> dict[str, Any]:
        pools = self.pools.get(code, {})
        total_weight = sum(i.weight for i in self.rubric.indicators)
        indicators = [indicator_result(i, pools.get(i.id, Pool()), total_weight) for i in self.rubric.indicators]
        total = total_of(indicators, self.rubric.min_coverage)
        out: dict[str, Any] = {"code": code or "0", "year": self.year, **total, "data": indicators}
        if children is not None:
            kept = ("score", "status", "coverage", "weighted_coverage", "indicators_scored")
            out["children"] = [
                {
                    "code": c,
                    **{k: v for k, v in self.region(c).items() if k in kept},
                }
                for c in children
            ]
        return out


def assess(influx: InfluxDB, inventory: Inventory, code: str, year: int, rubric: Rubric | None = None) -> Assessment:
    """Pools for region ``code`` and every region under it (county up to nation)."""
    rubric = rubric or default_rubric()
    tags = level_tags(code)
    days = read_facility_year(influx, tags, year)
    result = Assessment(code, year, rubric)
    pools: dict[str, dict[str, Pool]] = defaultdict(lambda: defaultdict(Pool))
    for fac in inventory.facilities_in(code):
        province, city, county = region_chain(fac.county)
        levels = [c for c in ("", province, city, county) if c.startswith(code)]
        fday = days.get(fac.id)
        for ind in rubric.indicators:
            p = facility_pool(ind, fac, fday)
            for level in levels:
                pools[level][ind.id].add(p)
    result.pools = {k: dict(v) for k, v in pools.items()}
    return result
