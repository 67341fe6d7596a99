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
from supervision.service_effect import SERVICE_TYPES, FacilityFacts, Ratio, declared, facility_facts, measured

RUBRIC_FILE = Path(__file__).parent / "data" / "assessment_rubric.yaml"
CN = ZoneInfo("Asia/Shanghai")

SourceType = Literal[
    "attribute_share",
    "supervised_share",
    "availability",
    "check_pass_rate",
    # service effect (supervision/usage.py, service_effect.py)
    "terminal_use_share",
    "sessions_per_terminal_day",
    "e_reading_baseline",
    "weekly_hours",
    "satisfaction",
]
MeasuredType = Literal["wifi_coverage", "service_probe", "terminals_and_uplink", "weekly_hours_served"]

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
        "assessment.formula.terminal_use_share": (
            "终端在用时长（开放时间内）÷（开放时长 × 有上报的终端数）",
            "terminal time in use (in opening hours) ÷ (opening hours × reporting terminals)",
        ),
        "assessment.formula.sessions_per_terminal_day": (
            "服务人次 ÷ 有上报的终端·日数",
            "service sessions ÷ reporting terminal-days",
        ),
        "assessment.formula.e_reading_baseline": (
            "终端不少于 {min_terminals} 台且出口带宽不低于 {min_uplink_mbps} Mbit/s 的{kinds}数 ÷ {kinds}数",
            "{kinds} with at least {min_terminals} terminals and {min_uplink_mbps} Mbit/s uplink ÷ all {kinds}",
        ),
        "assessment.formula.weekly_hours": (
            "每周开放时长达到该类设施最低要求的设施数 ÷ 有最低要求的设施数",
            "facilities open at least their kind's weekly minimum ÷ facilities whose kind has one",
        ),
        "assessment.formula.satisfaction": (
            "第三方满意度调查得分（按受访人数加权，折算为 0–1）",
            "third-party satisfaction score (weighted by respondents, scaled to 0–1)",
        ),
        "assessment.measured.wifi_coverage": (
            "；有无线设备且受监管的设施按实测：开放时间内至少一台 AP 在线 ≥ {min_share} 且有终端接入",
            "; measured where the facility has wireless devices under supervision: an AP up ≥ {min_share} "
            "of opening hours and clients seen",
        ),
        "assessment.measured.service_probe": (
            "；填报了服务网址且有探测的设施按实测：开放时间内探测成功 ≥ {min_share}",
            "; measured where the declared service URL was probed: answered ≥ {min_share} of probes in opening hours",
        ),
        "assessment.measured.terminals_and_uplink": (
            "；有终端上报和出口带宽数据的设施按实测（当年单日上报终端数最高值、出口容量）",
            "; measured where terminals reported and the uplink capacity is known (most terminals in a day, capacity)",
        ),
        "assessment.measured.weekly_hours_served": (
            "；受监管满一周的设施按实测（开放时间内实际服务时长 ÷ 受监管周数）",
            "; measured for facilities supervised a week or more (serving time in opening hours per supervised week)",
        ),
        "assessment.basis": (
            "{measured} 个设施按实测、{declared} 个设施按填报",
            "{measured} facilities measured, {declared} as declared",
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
    # e_reading_baseline: the 2012 plan's room (文社文发〔2012〕5号: ≥ 10 terminals, ≥ 2 Mbit/s uplink)
    min_terminals: int | None = None
    min_uplink_mbps: float | None = None
    # weekly_hours: minimum weekly opening hours per facility kind (kinds not listed have none)
    min_weekly_hours: dict[FacilityKind, float] | None = None
    # satisfaction: the survey scale's top (a score of ``scale_max`` is 1.0)


class Measured(_M):
    """A measured alternative to a declared source: used for a facility whenever the platform has the data."""

    type: MeasuredType
    min_share: float = Field(default=0.8, gt=0, le=1)  # wifi_coverage, service_probe: share of opening hours


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
    measured: Measured | None = None
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
    measured: int = 0  # of which from the platform's measurement rather than a declaration

    def add(self, other: Pool) -> None:
        self.num += other.num
        self.den += other.den
        self.eligible += other.eligible
        self.reporting += other.reporting
        self.measured += other.measured


def facility_pool(ind: Indicator, fac: Facility, days: FacilityDays | None, facts: FacilityFacts | None = None) -> Pool:
    """One facility's numerator and denominator; a measurement replaces the declaration when it has data."""
    facts = facts or FacilityFacts()
    if ind.measured is not None and _eligible(ind, fac):
        m = measured_pool(ind.measured, ind.source, fac, days, facts)
        if m is not None:
            return m
    if ind.source.type in SERVICE_TYPES:
        return service_pool(ind.source, fac, days, facts)
    return _declared_or_rollup(ind, fac, days)


def _params(src: Source) -> dict[str, Any]:
    hours = {k.value: v for k, v in (src.min_weekly_hours or {}).items()}
    return {"min_terminals": src.min_terminals, "min_uplink_mbps": src.min_uplink_mbps, "min_weekly_hours": hours}


def _pool(ratio: Ratio | None, *, measured: bool = False) -> Pool:
    if ratio is None:
        return Pool(eligible=1)
    return Pool(num=ratio[0], den=ratio[1], eligible=1, reporting=1, measured=int(measured))


def measured_pool(
    m: Measured, src: Source, fac: Facility, days: FacilityDays | None, facts: FacilityFacts
) -> Pool | None:
    ratio = measured(m.type, m.min_share, fac, days, facts, **_params(src))
    return None if ratio is None else _pool(ratio, measured=True)


def service_pool(src: Source, fac: Facility, days: FacilityDays | None, facts: FacilityFacts) -> Pool:
    if not (src.facility_kinds is None or fac.kind in src.facility_kinds):
        return Pool()
    return _pool(declared(src.type, fac, days, facts, **_params(src)))


def _eligible(ind: Indicator, fac: Facility) -> bool:
    kinds = ind.source.facility_kinds
    return kinds is None or fac.kind in kinds


def _declared_or_rollup(ind: Indicator, fac: Facility, days: FacilityDays | None) -> Pool:
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
    f = text(
        f"assessment.formula.{ind.source.type}",
        lang,
        attribute=ind.source.attribute,
        kinds=kinds_text,
        min_terminals=ind.source.min_terminals,
        min_uplink_mbps=ind.source.min_uplink_mbps,
    )
    if ind.measured is not None:
        f += text(f"assessment.measured.{ind.measured.type}", lang, min_share=f"{ind.measured.min_share:.0%}")
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
        "measured_source": ind.measured.model_dump(mode="json") if ind.measured else None,
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
        "basis": {
            "measured": pool.measured,
            "declared": pool.reporting - pool.measured,
            "text": both("assessment.basis", measured=pool.measured, declared=pool.reporting - pool.measured),
        },
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
    facts = facility_facts(influx, inventory, tags, year)
    result = Assessment(code, year, rubric)
    pools: dict[str, dict[str, Pool]] = defaultdict(lambda: defaultdict(Pool))
    for fac in inventory.facilities_in(code):
        province, city, county = region_chain(fac.county)
        levels = [c for c in ("", province, city, county) if c.startswith(code)]
        fday = days.get(fac.id)
        for ind in rubric.indicators:
            p = facility_pool(ind, fac, fday, facts.get(fac.id))
            for level in levels:
                pools[level][ind.id].add(p)
    result.pools = {k: dict(v) for k, v in pools.items()}
    return result
