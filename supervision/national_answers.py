"""Answers for the nation and a province from the national summaries store (issue 19, NATIONAL.md §3).

When a national store is configured (the shard map's ``national``), the nation's and a province's
availability and bandwidth read it, never raw points (``supervision.answers`` keeps answering a city,
a county and below from raw polls and roll-ups):

* a calendar year reads the county year rows (``supervision.county_year``: one row a county, the sums of
  its facilities' year rows) through each province's last rolled day, and the summaries after it — the
  national annual report reads 2,857 rows, not 200,000 (``source: rollup``, or ``mixed`` with summaries);
  the annual assessment pools the same rows (``region_assessment``);
* a period of whole days (Beijing midnights) whose every day has roll-up rows in the national store
  reads the provinces' ``facility_daily`` rows copied there unchanged (RP ``rollup``) — the same figures,
  outage counts and byte totals the province's own roll-up answer gives (``source: rollup``);
* the region summary's ``latest`` (``/regions/{0|province}``): the latest 5-minute summary of each
  province (county) in the last hour, summed — devices up and down, facilities serving, clients, failed
  checks, uplink totals now, the figures the national and province boards show;
* any other period (the last 24 hours, today so far, a day without roll-ups yet) reads the summaries
  (``federation.read``: the 5-minute tier up to 7 days, the hourly tier beyond) — seconds of scheduled
  service time summed over the buckets, so the figures equal the raw answer to the second
  (``source: summary``; outages are not listed, their count is null: summaries carry none).

Every answer says which provinces are late (``federation``): a late province's figures stop at its last
shipped bucket, so the answer is short by its missing time rather than wrong.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import groupby
from typing import Any

from federation.read import Level, Totals, federation_status, national_totals, tier
from federation.schema import (
    BUCKET_MS,
    COUNTY_SUMMARY,
    FLOAT_LEVELS,
    HOUR_MS,
    INT_LEVELS,
    PROVINCE_SUMMARY,
    SUMMARY_RP,
)
from inventory.models import Inventory
from pdcs.i18n import Lang
from pdcs.storage import InfluxDB
from supervision import assessment as asm
from supervision import availability as av
from supervision import rollup
from supervision.answers import assessment_body
from supervision.bandwidth import p95
from supervision.county_year import CountyTraffic, read_county_years, rubric_mark
from supervision.periods import BEIJING, Period, calendar_year, from_ms, year_period
from supervision.regions import level_tags
from supervision.rollup import read_facility_year
from supervision.service_effect import facility_facts
from supervision.sources import FACILITY_DAILY, day_pieces, facility_row_figures, read_days

NATIONAL_LEVELS = 2  # the nation ("") and a province (two digits) read the national store


def reads_national(national: InfluxDB | None, code: str) -> bool:
    return national is not None and len(code) <= NATIONAL_LEVELS


def federation(national: InfluxDB, inventory: Inventory, now_ms: int | None = None) -> dict[str, Any]:
    """Which provinces are late and since when (every province of the inventory is expected)."""
    provinces = {code for code in inventory.regions if len(code) == 2}
    state = federation_status(national, now_ms=now_ms, expected=provinces)
    # The inventory is the caller's view (its scope): provinces outside it are not listed.
    state.provinces = [p for p in state.provinces if p.province in provinces]
    state.late = [p for p in state.late if p in provinces]
    return state.model_dump(mode="json")


def whole_days(period: Period) -> list[tuple[int, int]] | None:
    """The period's Beijing days, when it is made of whole days only."""
    pieces = day_pieces(period, BEIJING)
    return [(a, b) for a, b, _ in pieces] if pieces and all(whole for _, _, whole in pieces) else None


def _child(code: str, county: str) -> str:
    """The child of region ``code`` holding ``county`` (a province of the nation, a city of a province)."""
    return county[: len(code) + 2]


def _visible(inventory: Inventory, code: str, region: str) -> bool:
    """``region`` lies in ``code`` and in the caller's view of the inventory (its scope)."""
    return region.startswith(code) and region in inventory.regions


def _seconds_figures(t: Totals, prefix: str = "") -> av.Figures:
    s = t.seconds
    serving = "device_up_s" if prefix else "serving_s"
    return av.Figures(
        round(s.get(f"{prefix}scheduled_s", 0.0) * 1000),
        round(s.get(serving, 0.0) * 1000),
        round(s.get(f"{prefix}unknown_s", 0.0) * 1000),
    )


def _region_names(inventory: Inventory, codes: list[str]) -> dict[str, str]:
    return {c: inventory.region_name(c) for c in codes}


def _head(code: str, period: Period, name: str) -> dict[str, Any]:
    return {"code": code or "0", "name": name, "period": period.as_dict()}


def _source_piece(source: str, period: Period, facilities: int) -> dict[str, Any]:
    return {
        "source": source,
        "start": period.start.astimezone(BEIJING).isoformat(),
        "end": period.end.astimezone(BEIJING).isoformat(),
        "days": round(period.seconds / 86400, 3),
        "facilities": facilities,
    }


def _rollup_figures(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, days: list[tuple[int, int]]
) -> tuple[av.Figures, av.Figures, dict[str, av.Figures]] | None:
    """The period's figures from the ``facility_daily`` copies; None when a day has no row at all."""
    rows = read_days(national, FACILITY_DAILY, "facility", level_tags(code), period)
    seen = {t for by_day in rows.values() for t in by_day}
    if any(not any(a <= t < b for t in seen) for a, b in days):
        return None
    total, devices = av.Figures(), av.Figures()
    children: dict[str, av.Figures] = defaultdict(av.Figures)
    for fid, by_day in rows.items():
        if fid not in inventory.facilities:  # outside the caller's view (scope) or the inventory
            continue
        for row in by_day.values():
            serving, dev = facility_row_figures(row)
            total.add(serving)
            devices.add(dev)
            children[_child(code, str(row.get("county") or ""))].add(serving)
    return total, devices, dict(children)


def _totals(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, now_ms: int | None
) -> dict[str, Totals]:
    """The summaries' totals of the nation's provinces or a province's counties in the caller's view."""
    level: Level = "province" if not code else "county"
    totals = national_totals(national, period, level, now_ms=now_ms)
    return {k: t for k, t in totals.items() if _visible(inventory, code, k)}


def _summary_figures(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, now_ms: int | None
) -> tuple[av.Figures, av.Figures, dict[str, av.Figures]]:
    """The period's figures from the summaries: the provinces' (nation) or the province's counties'."""
    totals = _totals(national, inventory, code, period, now_ms)
    total, devices = av.Figures(), av.Figures()
    children: dict[str, av.Figures] = defaultdict(av.Figures)
    for key, t in totals.items():
        serving = _seconds_figures(t)
        total.add(serving)
        devices.add(_seconds_figures(t, "device_"))
        children[_child(code, key)].add(serving)
    return total, devices, dict(children)


Figured = tuple[av.Figures, av.Figures, dict[str, av.Figures], list[dict[str, Any]]]


def _year_figures(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, now_ms: int | None
) -> Figured | None:
    """A calendar year from the county year rows through each province's last rolled day, and the
    summaries after it (up to now); None when it is not a calendar year or no county row is there."""
    year = calendar_year(period)
    if year is None:
        return None
    rows = {c: cy for c, cy in read_county_years(national, code, year).items() if _visible(inventory, code, c)}
    if not rows:
        return None
    total, devices = av.Figures(), av.Figures()
    children: dict[str, av.Figures] = defaultdict(av.Figures)
    start = year_period(year).start_ns // 1_000_000
    through: dict[str, int] = {}  # province → end of its last rolled day
    for county, cy in sorted(rows.items()):
        total.add(cy.figures)
        devices.add(cy.devices)
        children[_child(code, county)].add(cy.figures)
        through[county[:2]] = max(through.get(county[:2], start), cy.through_ms or start)
    per_province = Counter(f.county[:2] for f in inventory.facilities_in(code))
    for p in per_province:
        through.setdefault(p, start)  # a province that shipped no county row: the summaries all year
    now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    end = min(period.end_ns // 1_000_000, now)
    pieces: list[dict[str, Any]] = []
    for t in sorted(set(through.values())):
        provinces = {p for p, v in through.items() if v == t}
        n = sum(per_province[p] for p in provinces)
        if t > start:
            pieces.append(
                _source_piece("rollup", Period(from_ms(start), from_ms(min(t, period.end_ns // 1_000_000))), n)
            )
        if t >= end:
            continue
        rest = Period(from_ms(t), from_ms(end))
        pieces.append(_source_piece("summary", rest, n))
        for key, tot in _totals(national, inventory, code, rest, now_ms).items():
            if key[:2] in provinces:
                serving = _seconds_figures(tot)
                total.add(serving)
                devices.add(_seconds_figures(tot, "device_"))
                children[_child(code, key)].add(serving)
    return total, devices, dict(children), pieces


def region_availability(
    national: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    name: str,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """The nation's or a province's availability from the national store (``RegionAvailability``)."""
    facilities = len(inventory.facilities_in(code))
    from_years = _year_figures(national, inventory, code, period, now_ms)
    if from_years is not None:
        total, devices, children, pieces = from_years
        kinds = {p["source"] for p in pieces}
        source = kinds.pop() if len(kinds) == 1 else "mixed"
        basis = "county_year"
    else:
        days = whole_days(period)
        from_rollups = _rollup_figures(national, inventory, code, period, days) if days else None
        source = "rollup" if from_rollups is not None else "summary"
        total, devices, children = from_rollups or _summary_figures(national, inventory, code, period, now_ms)
        pieces = [_source_piece(source, period, facilities)]
        basis = "facility_daily" if from_rollups is not None else "summary"
    names = _region_names(inventory, sorted(children))
    return {
        **_head(code, period, name),
        **total.summary(),
        "device_weighted": devices.summary(),
        "source": source,
        "basis": basis,
        "sources": pieces,
        "facilities": facilities,
        "unsupervised_facilities": None,
        "unmonitored_facilities": None,
        "data": [
            {
                "code": c,
                "name": names[c],
                **f.summary(),
                # Roll-ups count outages per facility and day; the summaries carry none (null: not known here).
                "outage_count": f.outage_count if source == "rollup" else None,
            }
            for c, f in sorted(children.items())
        ],
        "count": len(children),
        "outages": [],
        # Roll-ups count outages per facility and day; the summaries carry none (null: not known here).
        "outage_count": total.outage_count if source == "rollup" else None,
        "no_data": [],
        "federation": federation(national, inventory, now_ms),
    }


def _uplink_buckets(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, now_ms: int | None
) -> tuple[str, dict[str, dict[int, tuple[float, float]]]]:
    """(tier, child → bucket start → (in, out) bps): the provinces' (nation) or the province's cities'."""
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    rp = tier(start, end, now_ms)
    bucket = f"{BUCKET_MS // 60_000}m" if rp == SUMMARY_RP else f"{HOUR_MS // 3_600_000}h"
    measurement, by = (PROVINCE_SUMMARY, "province") if not code else (COUNTY_SUMMARY, "city")
    where = f"time >= {start}ms AND time < {end}ms" + (' AND "province" = $code' if code else "")
    q = (
        'SELECT sum("uplink_in_bps") AS "in_bps", sum("uplink_out_bps") AS "out_bps" '
        f'FROM "{rp}"."{measurement}" WHERE {where} GROUP BY time({bucket}), "{by}" fill(none)'
    )
    out: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
    for s in national.query(q, params={"code": code} if code else None):
        if not _visible(inventory, code, s.tags.get(by, "")):
            continue
        for row in s.rows():
            out[s.tags.get(by, "")][int(row["time"])] = (float(row["in_bps"] or 0.0), float(row["out_bps"] or 0.0))
    return rp, dict(out)


def _traffic(buckets: dict[int, tuple[float, float]]) -> dict[str, Any]:
    ins = [v[0] for _, v in sorted(buckets.items())]
    outs = [v[1] for _, v in sorted(buckets.items())]
    return {
        "samples": len(ins),
        "in_mean_bps": sum(ins) / len(ins) if ins else None,
        "out_mean_bps": sum(outs) / len(outs) if outs else None,
        "in_p95_bps": p95(ins),
        "out_p95_bps": p95(outs),
        "in_max_bps": max(ins, default=None),
        "out_max_bps": max(outs, default=None),
    }


def _year_bandwidth(
    national: InfluxDB, inventory: Inventory, code: str, period: Period, year: int
) -> dict[str, Any] | None:
    """A calendar year's traffic from the county year rows (2,857 rows for the nation, not 200,000 facility
    rows); None unless every county of the caller's view has a row with traffic fields counting the
    facilities the caller's inventory has there (then the facility rows answer, as before)."""
    expected = Counter(f.county for f in inventory.facilities_in(code))
    rows = read_county_years(national, code, year)
    usable = {
        c: t
        for c, n in expected.items()
        if c in rows and rows[c].facilities == n and (t := rows[c].traffic) is not None
    }
    if not expected or len(usable) < len(expected):
        return None
    total = CountyTraffic()
    children: dict[str, CountyTraffic] = defaultdict(CountyTraffic)
    for county, t in sorted(usable.items()):
        total.add(t)
        children[_child(code, county)].add(t)
    names = _region_names(inventory, sorted(children))
    return {
        "period": period.as_dict(),
        "facilities": sum(expected.values()),
        "facilities_with_data": total.with_data,
        "in_bytes": total.in_bytes,
        "out_bytes": total.out_bytes,
        "util_p95_mean": total.util_sum / total.util_n if total.util_n else None,
        "checks": int(total.checks),
        "checks_passed": int(total.checks_passed),
        "check_pass_rate": total.checks_passed / total.checks if total.checks else None,
        "data": [],  # facility by facility: the provinces' answers (the county rows carry sums)
        "count": 0,
        "children": [
            {
                "code": c,
                "name": names[c],
                "facilities_with_data": t.with_data,
                "in_bytes": t.in_bytes,
                "out_bytes": t.out_bytes,
                "in_mean_bps": t.in_bytes * 8 / period.seconds,
                "out_mean_bps": t.out_bytes * 8 / period.seconds,
            }
            for c, t in sorted(children.items())
        ],
    }


def region_bandwidth(
    national: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    name: str,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """The nation's or a province's uplink traffic from the national store (``RegionBandwidth``).

    A calendar year: the county year rows (``source: rollup``, ``basis: county_year``; by child region, no
    facility list). Whole days: the ``facility_daily`` copies (bytes, daily p95; ``source: rollup``, as the province's
    own roll-up answer). Otherwise the summaries (``source: summary``): per bucket the sum of the
    region's uplinks (each county's mean over its bucket), then mean, p95 and maximum over the buckets.
    """
    head = _head(code, period, name)
    fed = federation(national, inventory, now_ms)
    days = whole_days(period)
    year = calendar_year(period)
    from_years = _year_bandwidth(national, inventory, code, period, year) if year is not None else None
    if from_years is not None:
        return {**head, "source": "rollup", "basis": "county_year", **from_years, "federation": fed}
    if days is not None:
        body = rollup.bandwidth_rollup(national, inventory, code, period)
        if body["facilities_with_data"]:
            return {**head, "source": "rollup", **body, "federation": fed}
    rp, by_child = _uplink_buckets(national, inventory, code, period, now_ms)
    total: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for buckets in by_child.values():
        for t, (i, o) in buckets.items():
            total[t][0] += i
            total[t][1] += o
    names = _region_names(inventory, sorted(by_child))
    children = [{"code": c, "name": names[c], **_traffic(b)} for c, b in sorted(by_child.items())]
    return {
        **head,
        "source": "summary",
        "tier": rp,
        "facilities": len(inventory.facilities_in(code)),
        **_traffic({t: (v[0], v[1]) for t, v in total.items()}),
        "data": children,
        "count": len(children),
        "federation": fed,
    }


LATEST_WINDOW = timedelta(hours=1)  # a province silent for longer has no latest figures (and is late)


def _iso_ms(ms: int | None) -> str | None:
    return from_ms(ms).astimezone(BEIJING).isoformat() if ms is not None else None


def _levels(totals: list[Totals]) -> dict[str, Any]:
    """The levels of the latest buckets summed (ints as ints); a level no region reported is null."""
    out: dict[str, Any] = {}
    for name in INT_LEVELS + FLOAT_LEVELS:
        values = [t.levels[name] for t in totals if name in t.levels]
        total = sum(values) if values else None
        out[name] = round(total) if total is not None and name in INT_LEVELS else total
    stamps = [t.latest_ms for t in totals if t.latest_ms is not None]
    out["as_of"] = _iso_ms(min(stamps)) if stamps else None
    return out


def region_latest(national: InfluxDB, inventory: Inventory, code: str, now_ms: int | None = None) -> dict[str, Any]:
    """The nation's or a province's state now: each province's (county's) latest 5-minute summary in the
    last hour, summed, with the children (provinces or cities) and the late provinces.

    ``as_of`` is the oldest of the latest buckets summed: every figure is at least that recent.
    """
    now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    end = from_ms(now)
    period = Period(end - LATEST_WINDOW, end)
    totals = _totals(national, inventory, code, period, now)
    by_child: dict[str, list[Totals]] = defaultdict(list)
    for key, t in totals.items():
        by_child[_child(code, key)].append(t)
    names = _region_names(inventory, sorted(by_child))
    return {
        "source": "summary",
        **_levels(list(totals.values())),
        "data": [{"code": c, "name": names[c], **_levels(ts)} for c, ts in sorted(by_child.items())],
        "federation": federation(national, inventory, now),
    }


def region_assessment(
    national: InfluxDB,
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    year: int,
    lang: Lang = "zh",
    rubric: asm.Rubric | None = None,
) -> dict[str, Any]:
    """The nation's or a province's annual assessment pooled from the county year rows.

    A county's row stands for it when it was scored under this rubric and counts the facilities the
    caller's inventory has there; any other county (not shipped yet, inventory or rubric changed since)
    is pooled from its facilities' year rows in ``influx`` (the provinces' stores), so the answer is the
    facility path's, float for float (``assessment.region_pools``), and says how it was read (``basis``).
    """
    rubric = rubric or asm.default_rubric()
    expected = Counter(f.county for f in inventory.facilities_in(code))
    rows = read_county_years(national, code, year, pools=True)
    mark = rubric_mark(rubric)
    usable = {
        c: rows[c] for c, n in expected.items() if c in rows and rows[c].rubric == mark and rows[c].facilities == n
    }
    pools = {c: cy.pools for c, cy in usable.items()}
    rest = sorted(c for c in expected if c not in usable)
    for province, group in groupby(rest, key=lambda c: c[:2]):
        counties = set(group)
        tags = level_tags(province)
        days = read_facility_year(influx, tags, year)
        facs = [f for f in inventory.facilities_in(province) if f.county in counties]
        facts = facility_facts(influx, inventory, tags, year, facs)
        pools |= asm.county_pools(rubric, facs, days, facts)
    result = asm.Assessment(code, year, rubric, asm.region_pools(code, pools))
    stamps = [cy.computed_ms for cy in usable.values()]
    return {
        **assessment_body(result, inventory, code, lang),
        "basis": {
            "county_rows": len(usable),
            "counties_from_facilities": len(rest),
            "as_of": _iso_ms(min(stamps)) if stamps else None,
        },
    }
