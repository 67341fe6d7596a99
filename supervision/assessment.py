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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from inventory.labels import FACILITY_KIND_EN
from inventory.models import FACILITY_KIND_ZH, Facility, FacilityKind, Inventory, region_chain
from pdcs import yaml_guard
from pdcs.i18n import both, label, register, text
from pdcs.storage import InfluxDB
from supervision.regions import level_tags
from supervision.rollup import FacilityDays, read_facility_year
from supervision.service_effect import (
    SERVICE_TYPES,
    TERMINAL_TYPES,
    FacilityFacts,
    Ratio,
    declared,
    facility_facts,
    measured,
)

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
        # The facility attributes of the default rubric, as a Chinese reader names them (reports, pages).
        "facility.attribute.wireless_coverage": ("“提供无线网络覆盖”", "wireless_coverage"),
        "facility.attribute.digital_library_service": ("“具备数字图书馆服务能力”", "digital_library_service"),
        "facility.attribute.digital_cultural_centre": ("“具备数字文化馆服务能力”", "digital_cultural_centre"),
        "facility.attribute.service_point_upgraded": ("“基层服务点已提档升级”", "service_point_upgraded"),
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
        "assessment.unit.terminal_use_share": ("比例（时长之比）", "share of time"),
        "assessment.unit.sessions_per_terminal_day": ("人次 / 终端·日", "sessions per terminal-day"),
        "assessment.unit.e_reading_baseline": ("比例（设施数之比）", "share of facilities"),
        "assessment.unit.weekly_hours": ("比例（设施数之比）", "share of facilities"),
        "assessment.unit.satisfaction": ("比例（满分之比，按受访人数加权）", "share of the scale, respondent-weighted"),
        "assessment.words.terminal_use_share.num": ("终端在用 {n} 秒", "{n} s of terminal time in use"),
        "assessment.words.terminal_use_share.den": ("开放时长 × 上报终端 {n} 秒", "{n} s of opening hours × terminals"),
        "assessment.words.sessions_per_terminal_day.num": ("服务 {n} 人次", "{n} service sessions"),
        "assessment.words.sessions_per_terminal_day.den": ("上报终端·日 {n} 个", "{n} reporting terminal-days"),
        "assessment.words.e_reading_baseline.num": ("达到标准的设施 {n} 个", "{n} facilities meeting the baseline"),
        "assessment.words.e_reading_baseline.den": ("有数据的设施 {n} 个", "{n} facilities with data"),
        "assessment.words.weekly_hours.num": ("开放时长达标的设施 {n} 个", "{n} facilities open long enough"),
        "assessment.words.weekly_hours.den": ("有最低要求的设施 {n} 个", "{n} facilities with a minimum"),
        "assessment.words.satisfaction.num": ("满意度 × 受访人数 {n}", "{n} = satisfaction × respondents"),
        "assessment.words.satisfaction.den": ("受访 {n} 人", "{n} respondents"),
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
    measured: int = 0  # of which from the platform's measurement rather than a declaration
    no_data: float = 0.0  # availability: scheduled hours without data (counted as not serving)
    missing: list[str] = field(default_factory=list)  # facilities the indicator is about that gave no data

    def add(self, other: Pool) -> None:
        self.num += other.num
        self.den += other.den
        self.eligible += other.eligible
        self.reporting += other.reporting
        self.measured += other.measured
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


def facility_pool(ind: Indicator, fac: Facility, days: FacilityDays | None, facts: FacilityFacts | None = None) -> Pool:
    """One facility's numerator and denominator; a measurement replaces the declaration when it has data."""
    facts = facts or FacilityFacts()
    if not _about(ind.source, fac, facts):
        return Pool()
    if ind.measured is not None:
        m = measured_pool(ind.measured, ind.source, fac, days, facts)
        if m is not None:
            return m
    if ind.source.type in SERVICE_TYPES:
        return service_pool(ind.source, fac, days, facts)
    return _declared_or_rollup(ind, fac, days)


def _params(src: Source) -> dict[str, Any]:
    hours = {k.value: v for k, v in (src.min_weekly_hours or {}).items()}
    return {"min_terminals": src.min_terminals, "min_uplink_mbps": src.min_uplink_mbps, "min_weekly_hours": hours}


def _pool(fac: Facility, ratio: Ratio | None, *, measured: bool = False) -> Pool:
    if ratio is None:
        return Pool(eligible=1, missing=[fac.id])
    return Pool(num=ratio[0], den=ratio[1], eligible=1, reporting=1, measured=int(measured))


def measured_pool(
    m: Measured, src: Source, fac: Facility, days: FacilityDays | None, facts: FacilityFacts
) -> Pool | None:
    ratio = measured(m.type, m.min_share, fac, days, facts, **_params(src))
    return None if ratio is None else _pool(fac, ratio, measured=True)


def service_pool(src: Source, fac: Facility, days: FacilityDays | None, facts: FacilityFacts) -> Pool:
    return _pool(fac, declared(src.type, fac, days, facts, **_params(src)))


def _about(src: Source, fac: Facility, facts: FacilityFacts) -> bool:
    """Whether the indicator is about this facility at all (its kind; terminals; a minimum for its kind)."""
    if src.facility_kinds is not None and fac.kind not in src.facility_kinds:
        return False
    if src.type in TERMINAL_TYPES and not facts.terminals:
        return False
    return not (src.type == "weekly_hours" and fac.kind not in (src.min_weekly_hours or {}))


def _declared_or_rollup(ind: Indicator, fac: Facility, days: FacilityDays | None) -> Pool:
    """One facility's inputs to ``ind`` from its declaration or the year's roll-ups.

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
    f = text(
        f"assessment.formula.{ind.source.type}",
        lang,
        attribute=_attribute(ind, lang),
        kinds=kinds_text,
        min_terminals=ind.source.min_terminals,
        min_uplink_mbps=ind.source.min_uplink_mbps,
    )
    if ind.measured is not None:
        f += text(f"assessment.measured.{ind.measured.type}", lang, min_share=f"{ind.measured.min_share:.0%}")
    s = text(f"assessment.scoring.{ind.scoring.function}", lang, target=ind.scoring.target, floor=ind.scoring.floor)
    return f"{f}；{s}" if lang == "zh" else f"{f}; {s}"


def _attribute(ind: Indicator, lang: Literal["zh", "en"]) -> str:
    """The inventory attribute an indicator reads, as readers say it (“提供无线网络覆盖”); in English its
    name as the inventory files spell it. An attribute without a label shows its name."""
    name = ind.source.attribute or ""
    return label("facility.attribute", name, lang) if lang == "zh" else name


def _words(ind: Indicator, pool: Pool, lang: Literal["zh", "en"]) -> tuple[str, str, str]:
    """Numerator, denominator and unit in words (hours, not seconds)."""
    t = ind.source.type
    key = f"assessment.words.{t}"
    return (
        text(f"{key}.num", lang, n=_n(pool.num), attribute=_attribute(ind, lang)),
        text(f"{key}.den", lang, n=_n(pool.den), no_data=_n(pool.no_data), attribute=_attribute(ind, lang)),
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
        "measured_source": ind.measured.model_dump(mode="json") if ind.measured else None,
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
        "basis": {
            "measured": pool.measured,
            "declared": pool.reporting - pool.measured,
            "text": both("assessment.basis", measured=pool.measured, declared=pool.reporting - pool.measured),
        },
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


def county_pools(
    rubric: Rubric,
    facilities: Iterable[Facility],
    days: dict[str, FacilityDays],
    facts: dict[str, FacilityFacts],
) -> dict[str, dict[str, Pool]]:
    """Each county's pools: its facilities' inputs summed in facility-id order."""
    out: dict[str, dict[str, Pool]] = {}
    for fac in sorted(facilities, key=lambda f: (f.county, f.id)):
        pools = out.setdefault(fac.county, {i.id: Pool() for i in rubric.indicators})
        fday = days.get(fac.id)
        for ind in rubric.indicators:
            pools[ind.id].add(facility_pool(ind, fac, fday, facts.get(fac.id)))
    return out


def region_pools(code: str, counties: dict[str, dict[str, Pool]]) -> dict[str, dict[str, Pool]]:
    """Pools of ``code`` and every region under it: each the sum of its counties' pools in county order.

    One order for every caller, so the nation's figures pooled from facilities here and from the
    county rows shipped to the national store (``supervision.county_year``) are the same floats.
    """
    out: dict[str, dict[str, Pool]] = defaultdict(lambda: defaultdict(Pool))
    for county in sorted(counties):
        province, city, _ = region_chain(county)
        levels = [c for c in ("", province, city, county) if c.startswith(code)]
        for iid, pool in counties[county].items():
            for level in levels:
                out[level][iid].add(pool)
    return {k: dict(v) for k, v in out.items()}


def assess(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    year: int,
    rubric: Rubric | None = None,
    days: dict[str, FacilityDays] | None = None,
) -> Assessment:
    """Pools for region ``code`` and every region under it (county up to nation).

    ``days``: the year rows when the caller has read them already (``read_facility_year``).
    """
    rubric = rubric or default_rubric()
    tags = level_tags(code)
    days = read_facility_year(influx, tags, year) if days is None else days
    facilities = inventory.facilities_in(code)
    facts = facility_facts(influx, inventory, tags, year, facilities)
    result = Assessment(code, year, rubric)
    result.pools = region_pools(code, county_pools(rubric, facilities, days, facts))
    return result
