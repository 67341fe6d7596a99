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

    def add(self, other: Pool) -> None:
        self.num += other.num
        self.den += other.den
        self.eligible += other.eligible
        self.reporting += other.reporting


def facility_pool(ind: Indicator, fac: Facility, days: FacilityDays | None) -> Pool:
    src = ind.source
    if src.type == "attribute_share":
        if src.facility_kinds is not None and fac.kind not in src.facility_kinds:
            return Pool()
        said = truthy(fac.attributes.get(src.attribute or ""))
        if said is None:
            return Pool(eligible=1)
        return Pool(num=float(said), den=1, eligible=1, reporting=1)
    if days is None:
        return Pool(eligible=1)
    if src.type == "supervised_share":
        return Pool(num=float(days.sums["polls"] > 0), den=1, eligible=1, reporting=1)
    if src.type == "availability":
        if days.supervised_days == 0 or days.sums["scheduled_s"] <= 0:
            return Pool(eligible=1)
        return Pool(num=days.sums["serving_s"], den=days.sums["scheduled_s"], eligible=1, reporting=1)
    checks = days.sums["checks"]
    if checks <= 0:
        return Pool(eligible=1)
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


def indicator_result(ind: Indicator, pool: Pool, total_weight: float) -> dict[str, Any]:
    has_data = pool.den > 0
    value = pool.num / pool.den if has_data else None
    return {
        "id": ind.id,
        "label": ind.label.model_dump(),
        "target": ind.target_text,
        "data_source": ind.source.model_dump(exclude_none=True, mode="json"),
        "formula": {"zh": _formula(ind, "zh"), "en": _formula(ind, "en")},
        "inputs": {
            "numerator": pool.num,
            "denominator": pool.den,
            "facilities": pool.eligible,
            "facilities_with_data": pool.reporting,
        },
        "value": value,
        "score": ind.scoring.score(value) if value is not None else None,
        "weight": ind.weight,
        "weight_share": ind.weight / total_weight,
        "status": "scored" if has_data else "no_data",
        "note": None if has_data else both("assessment.no_data"),
    }


def total_of(indicators: list[dict[str, Any]]) -> dict[str, Any]:
    scored = [i for i in indicators if i["status"] == "scored"]
    w_all = sum(i["weight"] for i in indicators)
    w = sum(i["weight"] for i in scored)
    score = sum(i["weight"] * i["score"] for i in scored) / w if w else None
    for i in indicators:
        i["weight_effective"] = i["weight"] / w if (w and i["status"] == "scored") else 0.0
    return {
        "score": score,
        "coverage": w / w_all if w_all else 0.0,
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
        out: dict[str, Any] = {"code": code or "0", "year": self.year, **total_of(indicators), "data": indicators}
        if children is not None:
            out["children"] = [
                {
                    "code": c,
                    **{k: v for k, v in self.region(c).items() if k in ("score", "coverage", "indicators_scored")},
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
