"""Synthetic national history for ``bench/national.py``: a country of N devices in line protocol.

The layout is China's at 10^6 devices: facilities of 5 devices (``bench/supervision.py``'s
kinds and opening hours), 350 devices (70 facilities) a county — 2,857 counties at 10^6
devices, against 2,844 county-level divisions in China — 9 counties a city, counties dealt
round-robin over up to 31 provinces.  Smaller fleets have proportionally fewer counties
(10^4 devices: 29 counties), so the curve 10^4 → 10^6 grows the summaries as a real
roll-out would.

Written here, in the schema of NATIONAL.md §2 (the national summaries store):

* ``county_summary`` and ``province_summary`` per 5-minute bucket (RP ``summary``) and
  per hour (RP ``summary_long``); the province rows are the sums of their counties;
* ``federation_status`` per province;
* ``facility_daily`` (the last days) and ``facility_yearly`` (one row per facility for
  :data:`bench.supervision.YEAR`, covering all its days without a gap, so the annual
  report reads the year rows as ``supervision/sources.py`` does) in RP ``rollup``.

Lines are built with f-strings from precomputed series keys (a few µs a line) and
written in batches of 5,000 per request; :func:`write` sends several stores' batches
in parallel threads.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.supervision import CN, DEVICE_KINDS, HOURS, KINDS, PROVINCES, YEAR, as_inventory, scheduled_by_kind
from federation.schema import (
    BUCKET_MS,
    COUNTY_SUMMARY,
    FEDERATION_STATUS,
    FLOAT_LEVELS,
    HOUR_MS,
    INT_LEVELS,
    PROVINCE_SUMMARY,
    SECONDS,
)
from inventory.models import Inventory
from pdcs.storage import InfluxDB

DEVICES_PER_FACILITY = len(DEVICE_KINDS)
FACILITIES_PER_COUNTY = 70
COUNTIES_PER_CITY = 9
BUCKET_S = BUCKET_MS // 1000
HOUR_S = HOUR_MS // 1000
INT_FIELDS = INT_LEVELS
FLOAT_FIELDS = FLOAT_LEVELS + SECONDS


@dataclass(frozen=True)
class County:
    index: int
    code: str  # 6 digits
    facilities: int  # facilities of DEVICES_PER_FACILITY devices

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def city(self) -> str:
        return self.code[:4]

    @property
    def devices(self) -> int:
        return self.facilities * DEVICES_PER_FACILITY


@dataclass(frozen=True)
class Country:
    devices: int
    counties: tuple[County, ...]

    @property
    def facilities(self) -> int:
        return sum(c.facilities for c in self.counties)

    @property
    def provinces(self) -> list[str]:
        return sorted({c.province for c in self.counties})

    def counties_of(self, province: str) -> list[County]:
        return [c for c in self.counties if c.province == province]


def country(devices: int, max_provinces: int = len(PROVINCES)) -> Country:
    """The layout for ``devices`` (rounded down to whole facilities)."""
    n_fac = max(1, devices // DEVICES_PER_FACILITY)
    n_counties = max(1, round(n_fac / FACILITIES_PER_COUNTY))
    provinces = PROVINCES[: min(max_provinces, n_counties)]
    base, extra = divmod(n_fac, n_counties)
    per_province: dict[str, int] = {}
    counties = []
    for i in range(n_counties):
        prov = provinces[i % len(provinces)]
        k = per_province.get(prov, 0)
        per_province[prov] = k + 1
        city_no, county_no = divmod(k, COUNTIES_PER_CITY)
        code = f"{prov}{city_no + 1:02d}{county_no + 1:02d}"
        counties.append(County(i, code, base + (1 if i < extra else 0)))
    return Country(n_fac * DEVICES_PER_FACILITY, tuple(counties))


def facility_id(county: County, k: int) -> str:
    return f"f{county.code}{k:03d}"


def inventory(c: Country, counties: Iterable[County] | None = None) -> Inventory:
    """The inventory of ``counties`` (all by default): facility ``f<county><k>``, devices ``…-d<j>``."""
    chosen = list(c.counties if counties is None else counties)
    regions: dict[str, dict[str, object]] = {}
    facilities: list[dict[str, object]] = []
    devs: list[dict[str, object]] = []
    for county in chosen:
        for code in (county.province, county.city, county.code):
            regions.setdefault(code, {"code": code, "name": f"区{code}"})
        for k in range(county.facilities):
            kind = KINDS[k % len(KINDS)]
            fid = facility_id(county, k)
            facilities.append(
                {
                    "id": fid,
                    "name": f"{county.code}-{kind}-{k}",
                    "kind": kind,
                    "county": county.code,
                    "opening_hours": HOURS[kind],
                    "uplink_mbps": 100,
                    "attributes": {"wireless_coverage": k % 5 != 0},
                }
            )
            devs += [{"id": f"{fid}-d{j}", "kind": dk, "facility": fid} for j, dk in enumerate(DEVICE_KINDS)]
    return as_inventory({"regions": list(regions.values()), "facilities": facilities, "devices": devs})


# -- summaries ------------------------------------------------------------------


def _jitter(a: int, b: int) -> float:
    """A cheap deterministic 0..1 value for (county, bucket)."""
    return ((a * 7919 + b * 104_729 + (a ^ b) * 31) % 1000) / 1000.0


def summary_fields(county: County, t_s: int, step_s: int = BUCKET_S) -> tuple[list[int], list[float]]:
    """A county's figures for the bucket ``[t_s, t_s + step_s)`` (INT_FIELDS, FLOAT_FIELDS order)."""
    hour = ((t_s // 3600) + 8) % 24  # Beijing
    opened = 9 <= hour < 20
    j = _jitter(county.index, t_s // BUCKET_S)
    load = (0.35 + 0.5 * math.sin(math.pi * (hour - 8) / 13) ** 2) if opened else 0.03
    devices = county.devices
    unknown = int(devices * 0.005 * j)
    down = int(devices * (0.01 + 0.03 * j))
    f_open = county.facilities if opened else 0
    f_serving = max(0, f_open - int(county.facilities * 0.02 * j)) if opened else 0
    terminals = 2 * county.facilities
    checks = 3 * devices  # the latest result of three checks per device
    ints = [
        devices,
        devices - down - unknown,
        down,
        unknown,
        county.facilities,
        f_open,
        f_serving,
        int(county.facilities * 25 * load),
        int(terminals * load * 0.8),
        checks,
        int(checks * (0.04 + 0.02 * j)),
    ]
    uplink = county.facilities * 100e6 * load * (0.9 + 0.2 * j)
    open_devices = f_open * DEVICES_PER_FACILITY
    dev_unknown = min(open_devices, unknown) * step_s
    dev_up = max(0, open_devices - down - unknown) * step_s
    seconds = [
        f_open * step_s,
        f_serving * step_s,
        0.0,
        open_devices * step_s,
        dev_up,
        dev_unknown,
    ]
    return ints, [round(uplink, 1), round(uplink * 0.12, 1), *(float(x) for x in seconds)]


def _line(key: str, ints: list[int], floats: list[float], t_s: int) -> str:
    body = ",".join(f"{k}={v}i" for k, v in zip(INT_FIELDS, ints, strict=True))
    body += "," + ",".join(f"{k}={v!r}" for k, v in zip(FLOAT_FIELDS, floats, strict=True))
    return f"{key} {body} {t_s}"


def county_key(county: County) -> str:
    return f"{COUNTY_SUMMARY},city={county.city},county={county.code},province={county.province}"


def summary_lines(counties: list[County], start_s: int, end_s: int, step_s: int) -> Iterator[str]:
    """County rows and their provinces' sums for every bucket of ``[start_s, end_s)`` (seconds precision)."""
    keys = [county_key(c) for c in counties]
    provinces = sorted({c.province for c in counties})
    start_s -= start_s % step_s
    for t in range(start_s, end_s, step_s):
        sums = {p: ([0] * len(INT_FIELDS), [0.0] * len(FLOAT_FIELDS)) for p in provinces}
        for c, key in zip(counties, keys, strict=True):
            ints, floats = summary_fields(c, t, step_s)
            yield _line(key, ints, floats, t)
            si, sf = sums[c.province]
            for i, v in enumerate(ints):
                si[i] += v
            for i, x in enumerate(floats):
                sf[i] += x
        for p in provinces:
            si, sf = sums[p]
            yield _line(f"{PROVINCE_SUMMARY},province={p}", si, [round(x, 1) for x in sf], t)


def status_lines(provinces: Iterable[str], through_s: int, late: dict[str, int] | None = None) -> Iterator[str]:
    """``federation_status`` per province (``late``: province → seconds behind)."""
    late = late or {}
    for p in provinces:
        through_ms = (through_s - late.get(p, 0)) * 1000
        fields = f"through_ms={through_ms}i,shipped_at_ms={through_ms + 20_000}i"
        yield f"{FEDERATION_STATUS},province={p} {fields} {through_s}"


# -- roll-ups -------------------------------------------------------------------


def _midnight_s(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=CN).timestamp())


def rollup_key(measurement: str, county: County, k: int) -> str:
    kind = KINDS[k % len(KINDS)]
    return (
        f"{measurement},city={county.city},county={county.code},facility={facility_id(county, k)},"
        f"facility_kind={kind},province={county.province}"
    )


def year_scheduled() -> dict[str, list[tuple[date, float]]]:
    """Scheduled seconds per day of :data:`YEAR` for each facility kind (from the real schedule code)."""
    inv = inventory(country(DEVICES_PER_FACILITY * len(KINDS)))  # one facility of each kind
    return {kind: sorted(days.items()) for kind, days in scheduled_by_kind(inv).items()}


def yearly_lines(counties: list[County], sched: dict[str, list[tuple[date, float]]]) -> Iterator[str]:
    """One ``facility_yearly`` row per facility: the sums of a whole year of gap-free days."""
    t = _midnight_s(date(YEAR, 1, 1))
    totals = {kind: sum(s for _, s in days) for kind, days in sched.items()}
    first_ms = _midnight_s(date(YEAR, 1, 1)) * 1000
    last_ms = _midnight_s(date(YEAR, 12, 31)) * 1000
    n_days = len(next(iter(sched.values())))
    for c in counties:
        for k in range(c.facilities):
            s = totals[KINDS[k % len(KINDS)]]
            j = _jitter(c.index, k)
            serving = s * (0.96 + 0.04 * j)
            checks = 24 * n_days
            yield (
                f"{rollup_key('facility_yearly', c, k)} scheduled_s={s},serving_s={serving:.0f},unknown_s=0,"
                f"outages={int(20 * j)}i,devices=5i,device_scheduled_s={5 * s},device_up_s={5 * serving:.0f},"
                f"device_unknown_s=0,polls={7200 * n_days}i,in_bytes={4e11 * j:.0f},out_bytes={5e10 * j:.0f},"
                f"checks={checks}i,checks_passed={checks - int(checks * 0.05 * j)}i,days={n_days}i,"
                f"supervised_days={n_days}i,first_day_ms={first_ms}i,last_day_ms={last_ms}i,"
                f"util_mean={0.3 * j:.3f},util_max={0.6 * j:.3f} {t}"
            )


def daily_lines(counties: list[County], days: list[date], sched: dict[str, list[tuple[date, float]]]) -> Iterator[str]:
    """``facility_daily`` rows of ``days`` (each in :data:`YEAR`) for every facility of ``counties``."""
    by_kind = {kind: dict(v) for kind, v in sched.items()}
    for d in days:
        t = _midnight_s(d)
        for c in counties:
            for k in range(c.facilities):
                s = by_kind[KINDS[k % len(KINDS)]][d]
                j = _jitter(c.index + t, k)
                serving = s * (0.96 + 0.04 * j)
                yield (
                    f"{rollup_key('facility_daily', c, k)} scheduled_s={s},serving_s={serving:.0f},unknown_s=0,"
                    f"outages={int(s > serving + 600)}i,supervised=1i,devices=5i,device_scheduled_s={5 * s},"
                    f"device_up_s={5 * serving:.0f},device_unknown_s=0,polls=7200i,checks=24i,"
                    f"checks_passed={24 - int(2 * j)}i,util_p95={0.6 * j:.3f} {t}"
                )


# -- writing --------------------------------------------------------------------

BATCH = 5_000


def batches(lines: Iterable[str], size: int = BATCH) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def write(influx: InfluxDB, lines: Iterable[str], rp: str | None, precision: str = "s") -> int:
    """Send ``lines`` in big batches (one request each); returns the lines written."""
    params = {"db": influx.database, "precision": precision} | ({"rp": rp} if rp else {})
    n = 0
    for body in batches(lines):
        for attempt in range(8):
            resp = influx.client.post("/write", params=params, content=body, timeout=300)
            if resp.status_code < 300:
                break
            # A busy InfluxDB answers 500 "timeout" and may have stored part of the batch: sending it
            # again is harmless (a point overwrites itself).
            if resp.status_code < 500 or attempt == 7:
                raise RuntimeError(f"InfluxDB {influx.url} write: {resp.status_code} {resp.text[:300]}")
            time.sleep(2**attempt)
        n += body.count(b"\n")
    return n


def write_parallel(jobs: list[Callable[[], int]], threads: int = 2) -> int:
    """Run write jobs (one per store and kind of data) ``threads`` at a time; the total written."""
    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(lambda job: job(), jobs))
