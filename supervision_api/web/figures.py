"""What the inspectors' pages show, from the same answers the API gives (so page and API agree).

A region page has a row per child region (province → cities → counties →
facilities): availability in opening hours, data coverage (share of scheduled
time with polls), outages, the highest p95 uplink utilisation, security
compliance and the annual assessment score. A facility page has its devices,
its outages, the devices with no data, and a daily availability trend.

Colours compare each figure with the targets of the assessment rubric
(supervision/data/assessment_rubric.yaml): availability scores fully at 99 % and
nothing at 90 % (band 0.90–0.99); security compliance's target is 100 % of checks
passed. A figure at or above target is green, below the floor red, between amber;
no data is grey, never red (missing data is not an outage).

With a national store configured (the shard map's ``national``), the nation's and a province's page take
availability, bandwidth and the assessment from it, as the API does (``supervision.national_answers``);
security compliance and service use keep reading the provinces' stores. What the national store does not
know is shown as unknown, never 0: outages by child region and their list (the roll-up copies count them
for the region as a whole; the summaries carry none), and utilisation from the summaries (no capacities).
The page then says where its figures come from and which provinces are late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

from inventory.labels import device_kind_label
from inventory.models import Facility, Inventory
from pdcs.i18n import Lang, label, text
from pdcs.storage import InfluxDB
from reports.sections_national import assessment_note, basis_text, bw_basis, late_notes
from reports.security import compliance
from supervision import answers, national_answers
from supervision.assessment import default_rubric
from supervision.national_answers import reads_national
from supervision.periods import Period

Tone = Literal["good", "warn", "bad", "none"]
# A uplink busier than this at its 95th percentile is congested (ITU-T/operators' common 80 % planning rule).
UTIL_WARN, UTIL_BAD = 0.6, 0.8
SCORE_GOOD, SCORE_PASS = 90.0, 60.0  # 优 ≥ 90, 合格 ≥ 60: the usual marks of Chinese assessments


@dataclass(frozen=True)
class Targets:
    availability: tuple[float, float]  # (floor, target)
    compliance: tuple[float, float]


@cache
def targets() -> Targets:
    found: dict[str, tuple[float, float]] = {}
    for ind in default_rubric().indicators:
        target = float(ind.scoring.target)
        floor = float(ind.scoring.floor) if ind.scoring.floor is not None else 0.9 * target
        found[ind.id] = (floor, target)
    return Targets(found.get("availability", (0.90, 0.99)), found.get("security_compliance", (0.9, 1.0)))


def tone(value: float | None, floor: float, target: float, higher_is_better: bool = True) -> Tone:
    if value is None:
        return "none"
    if not higher_is_better:
        return "good" if value < floor else "warn" if value < target else "bad"
    return "good" if value >= target else "warn" if value >= floor else "bad"


@dataclass
class Row:
    """One line of a region's table (a child region or a facility), or the region's own totals."""

    code: str
    name: str
    href: str
    availability: float | None = None
    coverage: float | None = None
    outages: int | None = 0  # None: not known at this level (national store), never shown as 0
    utilisation: float | None = None
    compliance: float | None = None
    assessment: float | None = None
    devices: int = 0
    sessions: int | None = None  # 服务人次 (supervision/usage.py roll-ups); None: no terminal reported
    share_in_use: float | None = None  # 终端使用率
    # 有效使用占比 (service time minus idle/locked time) and its coverage: terminal-days that report idle time
    # of those reporting at all; None where no terminal reports idle time (never shown as 0 %).
    active_share: float | None = None
    active_terminal_days: int | None = None
    terminal_days: int | None = None

    def tones(self) -> dict[str, Tone]:
        t = targets()
        return {
            "availability": tone(self.availability, *t.availability),
            "coverage": tone(self.coverage, *t.availability),
            "utilisation": tone(self.utilisation, UTIL_WARN, UTIL_BAD, higher_is_better=False),
            "compliance": tone(self.compliance, *t.compliance),
            "assessment": tone(self.assessment, SCORE_PASS, SCORE_GOOD),
        }


@dataclass
class RegionView:
    head: Row
    rows: list[Row]
    child_level: str  # province | city | county | facility
    outages: list[dict[str, Any]] = field(default_factory=list)
    no_data: list[dict[str, Any]] = field(default_factory=list)
    year: int = 0
    # From the national store: where the figures come from, late provinces, why outages are not listed.
    national: list[str] | None = None


def coverage_of(figures: dict[str, Any]) -> float | None:
    """Share of scheduled service time with data (the figures' own ``coverage``; supervision/availability.py)."""
    value = figures.get("coverage")
    return None if value is None else float(value)


def child_of(code: str, facility: Facility) -> str:
    """The child of region ``code`` ("" = nation) that holds ``facility``."""
    return facility.id if len(code) == 6 else facility.county[: len(code) + 2]


@dataclass(frozen=True)
class Answers:
    """The availability, bandwidth and assessment answers a region page shows, and the key of a facility's
    highest p95 utilisation in the bandwidth answer's rows."""

    availability: dict[str, Any]
    bandwidth: dict[str, Any]
    assessment: dict[str, Any] | None  # None: a county (no assessment on its page)
    utilisation_key: str = "utilisation_p95"
    national: bool = False


def _answers(
    influx: InfluxDB, national: InfluxDB | None, inv: Inventory, code: str, period: Period, year: int, lang: Lang
) -> Answers:
    """The facility path's answers, or the national store's for the nation and a province (as the API)."""
    in_county = len(code) == 6
    if national is None or not reads_national(national, code):
        return Answers(
            answers.region_availability(influx, inv, code, period, lang),
            answers.region_bandwidth(influx, inv, code, period, lang),
            None if in_county else answers.assessment(influx, inv, code, year, lang),
        )
    name = answers.region_name(inv, code, lang)
    bw = national_answers.region_bandwidth(national, inv, code, period, name)
    return Answers(
        national_answers.region_availability(national, inv, code, period, name),
        bw,
        national_answers.region_assessment(national, influx, inv, code, year, lang),
        # Whole days: the facilities' daily roll-up copies (their highest daily p95). The summaries and the
        # county year rows have no facility rows (their rows are child regions): no utilisation is matched.
        "utilisation_p95_max_daily",
        national=True,
    )


def national_notes(got: Answers, inv: Inventory, period: Period, lang: Lang) -> list[str]:
    """What a page read from the national store says about its figures: their source, the outages, the late
    provinces and how the assessment was pooled (the report's own texts where they fit)."""
    av, bw = got.availability, got.bandwidth
    availability, bandwidth = basis_text(av, lang), text(f"report.nat.basis.{bw_basis(bw)}", lang)
    if availability == bandwidth:
        notes = [text("web.nat.source_one", lang, basis=availability)]
    else:
        notes = [text("web.nat.source", lang, availability=availability, bandwidth=bandwidth)]
    notes.append(text("web.nat.outages_counted" if av["outage_count"] is not None else "web.nat.outages_unknown", lang))
    if bw_basis(bw) != "facility_daily":  # only the facility rows carry a utilisation
        notes.append(text("web.nat.no_utilisation", lang))
    notes.extend(late_notes(av, inv, period, lang, "web.nat.late"))
    if got.assessment is not None:
        notes.append(assessment_note(got.assessment, lang))
    return notes


def region_view(
    influx: InfluxDB,
    inv: Inventory,
    code: str,
    period: Period,
    lang: Lang,
    query: str,
    national: InfluxDB | None = None,
) -> RegionView:
    """The page of region ``code``; ``national``: the national summaries store, if one is configured."""
    year = (period.end - timedelta(microseconds=1)).year
    got = _answers(influx, national, inv, code, period, year, lang)
    av = got.availability
    per_child_outages = None if got.national else 0  # the national store does not count outages by child
    in_county = len(code) == 6
    rows: dict[str, Row] = {}
    for child in av["data"]:
        cid = str(child["facility"] if in_county else child["code"])
        href = f"/web/facility/{cid}?{query}" if in_county else f"/web/region/{cid}?{query}"
        rows[cid] = Row(
            cid, str(child["name"]), href, child["availability"], coverage_of(child), per_child_outages, devices=0
        )
    facility_child = {f.id: child_of(code, f) for f in inv.facilities_in(code)}
    for cid in sorted(set(facility_child.values()) - set(rows)):  # in the inventory, never heard from: no data
        name = inv.facilities[cid].name if in_county else inv.region_name(cid)
        href = f"/web/facility/{cid}?{query}" if in_county else f"/web/region/{cid}?{query}"
        rows[cid] = Row(cid, name, href, outages=per_child_outages)
    for dev in inv.devices_in([code] if code else None):
        row = rows.get(facility_child.get(dev.facility, ""))
        if row is not None:
            row.devices += 1
    for o in av["outages"]:
        row = rows.get(facility_child.get(str(o.get("facility") or ""), ""))
        if row is not None and row.outages is not None:
            row.outages += 1
    busiest: dict[str, float] = {}
    for f in got.bandwidth.get("data", []):
        util = f.get(got.utilisation_key)
        child = facility_child.get(str(f.get("facility")), "")
        if util is not None and child:
            busiest[child] = max(busiest.get(child, 0.0), float(util))
    for child, util in busiest.items():
        if child in rows:
            rows[child].utilisation = util
    comp = compliance(influx, code, period, {d.id for d in inv.devices_in([code] if code else None)})
    tally: dict[str, list[int]] = {}
    for v in comp.decided:
        checked = inv.devices.get(v.device)
        child = facility_child.get(checked.facility, "") if checked else ""
        t = tally.setdefault(child, [0, 0])
        t[0] += v.status == "pass"
        t[1] += 1
    for child, (passed, decided) in tally.items():
        if child in rows:
            rows[child].compliance = passed / decided
    head = Row(
        code or "0",
        str(av["name"]),
        f"/web/region/{code or '0'}?{query}",
        av["availability"],
        coverage_of(av),
        None if av["outage_count"] is None else int(av["outage_count"]),
        max(busiest.values()) if busiest else None,
        comp.pass_rate,
        devices=sum(r.devices for r in rows.values()),
    )
    use = answers.region_usage(influx, inv, code, period, lang)["totals"]
    head.sessions, head.share_in_use = use["sessions"], use["share_in_use"]
    head.active_share, head.active_terminal_days = use["active_share"], use["active_terminal_days"]
    head.terminal_days = use["terminal_days"]
    asm = got.assessment
    if asm is not None:
        head.assessment = asm.get("score")
        for child in asm.get("children", []):
            if child["code"] in rows:
                rows[child["code"]].assessment = child.get("score")
    level = {0: "province", 2: "city", 4: "county", 6: "facility"}[len(code)]
    for o in [*av["outages"][:50], *av.get("no_data", [])[:50]]:
        o["cause_label"] = label("outage.cause", str(o.get("cause")), lang)
        fac = inv.facilities.get(str(o.get("facility") or ""))
        o["facility_name"] = fac.name if fac else ""
    return RegionView(
        head,
        [rows[k] for k in sorted(rows)],
        level,
        av["outages"][:50],
        av.get("no_data", [])[:50],
        year,
        national_notes(got, inv, period, lang) if got.national else None,
    )


@dataclass
class FacilityView:
    facility: Facility
    figures: dict[str, Any]
    devices: list[dict[str, Any]]
    outages: list[dict[str, Any]]
    no_data: list[dict[str, Any]]
    silent: list[dict[str, Any]]  # devices with no data in the whole period
    trend: list[tuple[str, float | None]]


def facility_view(influx: InfluxDB, inv: Inventory, fac: Facility, period: Period, lang: Lang) -> FacilityView:
    body = answers.facility_availability(influx, inv, fac, period)
    figures = {d["id"]: d for d in body["devices"]}
    devices = []
    silent = []
    for dev in sorted((d for d in inv.devices.values() if d.facility == fac.id), key=lambda d: d.id):
        f = figures.get(dev.id, {})
        row = {
            "id": dev.id,
            "name": dev.name or dev.id,
            "kind": device_kind_label(dev.kind, lang),
            "availability": f.get("availability"),
            "coverage": coverage_of(f) if f else None,
            "outages": f.get("outages", 0),
            "tone": tone(f.get("availability"), *targets().availability),
        }
        devices.append(row)
        if not f or (float(f.get("scheduled_s") or 0) > 0 and not f.get("coverage")):
            silent.append(row)
    outages = body["outages"][:100]
    no_data = body.get("no_data", [])[:100]
    for o in [*outages, *no_data]:
        o["cause_label"] = label("outage.cause", str(o.get("cause")), lang)
    trend = daily_trend(influx, inv, fac, period)
    return FacilityView(fac, body, devices, outages, no_data, silent, trend)


def daily_trend(influx: InfluxDB, inv: Inventory, fac: Facility, period: Period) -> list[tuple[str, float | None]]:
    """Availability per day of the period (at most 62 days, the last ones), in the facility's time zone."""
    tz = fac.tz
    day = datetime.combine(period.start.astimezone(tz).date(), datetime.min.time(), tz)
    days = []
    while day < period.end:
        days.append(day)
        day = datetime.combine((day + timedelta(days=1)).date(), datetime.min.time(), tz)
    out = []
    for d in days[-62:]:
        end = min(d + timedelta(days=1), period.end)
        start = max(d, period.start)
        if end <= start:
            continue
        figs = answers.facility_availability(influx, inv, fac, Period(start, end), limit=0)
        out.append((d.strftime("%m-%d"), figs["availability"]))
    return out
