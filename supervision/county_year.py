"""County year rows (``county_yearly``): what a nation's or province's annual figures need, one row a county.

A national annual report over 10^6 devices would otherwise read 200,000 ``facility_yearly`` rows and
pool every facility at request time (87 s measured, issue 19).  Each province computes, per county
and calendar year (Beijing time; the row's time is 1 January 00:00), from its own store:

* the county's facility year rows summed as the roll-up answers sum them (milliseconds, so sums are
  exact): ``scheduled_ms``, ``serving_ms``, ``unknown_ms``, ``outages``, ``device_*_ms``, ``polls``,
  ``facilities`` (in the province's inventory), ``rolled`` (with a year row), ``through_ms`` (the end
  of the last rolled local day);
* the county's uplink traffic and checks (``CountyTraffic``): ``in_bytes``, ``out_bytes``, ``checks``,
  ``checks_passed`` summed, ``util_p95_sum`` / ``util_p95_n`` (the facilities' mean daily p95
  utilisation, to pool as a mean) and ``traffic_facilities`` (facilities whose uplink carried bytes) —
  the nation's and a province's year bandwidth (``national_answers.region_bandwidth``);
* the annual assessment's pools of the county (``supervision.assessment.county_pools``) as one JSON
  field ``pools``: per indicator ``num``, ``den``, ``no_data``, ``eligible``, ``reporting``,
  ``measured``, ``missing`` (the first 20 missing facilities, sorted: all an answer lists) and
  ``missing_n``;
* ``rubric`` — a fingerprint of the rubric the pools were scored for, and ``computed_ms``.

The federation shipper writes them beside the roll-up copies (``federation.ship``); the national
answers pool counties up (``assessment.region_pools``, the same order and code the facility path
uses), so the figures are the ones the facilities' rows give, float for float.  A county row stands
for the county only when its rubric fingerprint and facility count match the reader's; other
counties are pooled from facility rows (``supervision.national_answers``).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from inventory.models import Inventory, region_chain
from pdcs.points import Point
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import availability as av
from supervision.assessment import MISSING_LISTED, Pool, Rubric, county_pools, default_rubric
from supervision.periods import year_period
from supervision.regions import level_tags
from supervision.rollup import FacilityDays, read_facility_year
from supervision.service_effect import facility_facts
from supervision.sources import midnight_after, year_figures
from supervision.timeline import tag_where

COUNTY_YEARLY = "county_yearly"


def rubric_mark(rubric: Rubric) -> str:
    """A short fingerprint of the rubric: county pools are only pooled under the rubric they were scored for."""
    return hashlib.sha256(rubric.model_dump_json().encode()).hexdigest()[:16]


@dataclass
class CountyTraffic:
    """The county's uplink traffic and check counts of the year: its facility year rows summed, as the roll-up
    bandwidth answer sums them (``rollup.bandwidth_rollup``), so the nation's year reads no facility row."""

    in_bytes: float = 0.0
    out_bytes: float = 0.0
    checks: float = 0.0
    checks_passed: float = 0.0
    util_sum: float = 0.0  # the facilities' mean daily p95 utilisation, summed over ``util_n`` facilities
    util_n: int = 0
    with_data: int = 0  # facilities whose uplink carried bytes

    def add(self, other: CountyTraffic) -> None:
        for name in TRAFFIC_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def add_facility(self, fd: FacilityDays) -> None:
        self.in_bytes += fd.sums["in_bytes"]
        self.out_bytes += fd.sums["out_bytes"]
        self.checks += fd.sums["checks"]
        self.checks_passed += fd.sums["checks_passed"]
        if fd.util_p95_mean is not None:
            self.util_sum += fd.util_p95_mean
            self.util_n += 1
        if fd.sums["in_bytes"] or fd.sums["out_bytes"]:
            self.with_data += 1


# the row's field of each CountyTraffic attribute
TRAFFIC_FIELDS = {
    "in_bytes": "in_bytes",
    "out_bytes": "out_bytes",
    "checks": "checks",
    "checks_passed": "checks_passed",
    "util_sum": "util_p95_sum",
    "util_n": "util_p95_n",
    "with_data": "traffic_facilities",
}


@dataclass
class CountyYear:
    county: str
    figures: av.Figures = field(default_factory=av.Figures)  # serving time, outages by number
    devices: av.Figures = field(default_factory=av.Figures)  # device totals
    facilities: int = 0
    rolled: int = 0
    through_ms: int | None = None
    rubric: str = ""
    computed_ms: int = 0
    pools: dict[str, Pool] = field(default_factory=dict)
    traffic: CountyTraffic | None = None  # None: a row shipped before the traffic fields


def county_years(
    influx: InfluxDB, inventory: Inventory, code: str, year: int, rubric: Rubric | None = None
) -> dict[str, CountyYear]:
    """The county rows of region ``code`` (a province, usually) computed from ``influx``'s year rows."""
    rubric = rubric or default_rubric()
    tags = level_tags(code)
    days = read_facility_year(influx, tags, year)
    facilities = inventory.facilities_in(code)
    facts = facility_facts(influx, inventory, tags, year, facilities)
    pools = county_pools(rubric, facilities, days, facts)
    mark, now = rubric_mark(rubric), time.time_ns() // 1_000_000
    out: dict[str, CountyYear] = {}
    for fac in sorted(facilities, key=lambda f: (f.county, f.id)):
        cy = out.setdefault(
            fac.county,
            CountyYear(
                fac.county, rubric=mark, computed_ms=now, pools=pools.get(fac.county, {}), traffic=CountyTraffic()
            ),
        )
        cy.facilities += 1
        fd = days.get(fac.id)
        if fd is None:
            continue
        if cy.traffic is not None:
            cy.traffic.add_facility(fd)
        serving, devices = year_figures(fd)
        cy.figures.add(serving)
        cy.devices.add(devices)
        cy.rolled += 1
        if fd.last_day_ms is not None:
            cy.through_ms = max(cy.through_ms or 0, midnight_after(fd.last_day_ms, fac.tz))
    return out


def to_point(cy: CountyYear, year: int) -> Point:
    province, city, county = region_chain(cy.county)
    f, d = cy.figures, cy.devices
    fields: dict[str, float | int | str] = {
        "scheduled_ms": f.scheduled_ms,
        "serving_ms": f.up_ms,
        "unknown_ms": f.unknown_ms,
        "outages": f.counted_outages,
        "device_scheduled_ms": d.scheduled_ms,
        "device_up_ms": d.up_ms,
        "device_unknown_ms": d.unknown_ms,
        "polls": d.polls,
        "facilities": cy.facilities,
        "rolled": cy.rolled,
        "rubric": cy.rubric,
        "computed_ms": cy.computed_ms,
    }
    if cy.through_ms is not None:
        fields["through_ms"] = cy.through_ms
    if cy.traffic is not None:
        fields |= {row: getattr(cy.traffic, name) for name, row in TRAFFIC_FIELDS.items()}
    fields["pools"] = json.dumps({iid: _pool_dict(p) for iid, p in cy.pools.items()}, ensure_ascii=False)
    tags = {"province": province, "city": city, "county": county}
    return Point(COUNTY_YEARLY, tags, fields, year_period(year).start_ns)


def county_year_points(
    influx: InfluxDB, inventory: Inventory, code: str, year: int, rubric: Rubric | None = None
) -> list[Point]:
    return [to_point(cy, year) for _, cy in sorted(county_years(influx, inventory, code, year, rubric).items())]


def _int(row: dict[str, Any], name: str) -> int:
    return int(row.get(name) or 0)


def _float(row: dict[str, Any], name: str) -> float:
    return float(row.get(name) or 0.0)


def _pool_dict(p: Pool) -> dict[str, Any]:
    """A pool as JSON (floats as ``repr``, so they read back bit for bit); the missing facilities cut to
    the first :data:`MISSING_LISTED` sorted, which is all an answer lists."""
    return {
        "num": float(p.num),
        "den": float(p.den),
        "no_data": float(p.no_data),
        "eligible": p.eligible,
        "reporting": p.reporting,
        "measured": p.measured,
        "missing": sorted(p.missing)[:MISSING_LISTED],
        "missing_n": len(p.missing),
    }


def _pool(d: dict[str, Any]) -> Pool:
    return Pool(
        num=float(d["num"]),
        den=float(d["den"]),
        eligible=int(d["eligible"]),
        reporting=int(d["reporting"]),
        measured=int(d["measured"]),
        no_data=float(d["no_data"]),
        missing=[str(m) for m in d["missing"]],
    )


FIGURE_FIELDS = (
    "scheduled_ms",
    "serving_ms",
    "unknown_ms",
    "outages",
    "device_scheduled_ms",
    "device_up_ms",
    "device_unknown_ms",
    "polls",
    "facilities",
    "rolled",
    "through_ms",
    "rubric",
    "computed_ms",
    *TRAFFIC_FIELDS.values(),
)


def from_row(row: dict[str, Any], county: str) -> CountyYear:
    cy = CountyYear(
        county,
        av.Figures(_int(row, "scheduled_ms"), _int(row, "serving_ms"), _int(row, "unknown_ms")),
        av.Figures(_int(row, "device_scheduled_ms"), _int(row, "device_up_ms"), _int(row, "device_unknown_ms")),
        _int(row, "facilities"),
        _int(row, "rolled"),
        int(row["through_ms"]) if row.get("through_ms") is not None else None,
        str(row.get("rubric") or ""),
        _int(row, "computed_ms"),
    )
    cy.figures.counted_outages = _int(row, "outages")
    cy.devices.polls = _int(row, "polls")
    if row.get("traffic_facilities") is not None:
        cy.traffic = CountyTraffic(
            in_bytes=_float(row, "in_bytes"),
            out_bytes=_float(row, "out_bytes"),
            checks=_float(row, "checks"),
            checks_passed=_float(row, "checks_passed"),
            util_sum=_float(row, TRAFFIC_FIELDS["util_sum"]),
            util_n=_int(row, TRAFFIC_FIELDS["util_n"]),
            with_data=_int(row, TRAFFIC_FIELDS["with_data"]),
        )
    if row.get("pools"):
        cy.pools = {iid: _pool(d) for iid, d in json.loads(row["pools"]).items()}
    return cy


def read_county_years(influx: InfluxDB, code: str, year: int, *, pools: bool = False) -> dict[str, CountyYear]:
    """The county rows of ``year`` under region ``code`` (2,857 rows for the nation, one query); the
    assessment pools only when asked (``pools``: one JSON field a row — InfluxDB 1.x reads a row's
    fields one iterator each, so the pools are not a hundred fields)."""
    where, params = tag_where(level_tags(code))
    cond = f"time = {year_period(year).start_ns // 1_000_000}ms" + (f" AND {where}" if where else "")
    cols = ", ".join(f'"{f}"' for f in (*FIGURE_FIELDS, *(("pools",) if pools else ()), "county"))
    out: dict[str, CountyYear] = {}
    for s in influx.query(f'SELECT {cols} FROM "{ROLLUP_RP}"."{COUNTY_YEARLY}" WHERE {cond}', params=params):
        for row in s.rows():
            county = str(row.get("county") or s.tags.get("county", ""))
            out[county] = from_row(row, county)
    return out
