"""The assessment's service-effect inputs: measured capability and use, per facility and year.

Read once per assessment from the year rows (``facility_yearly`` usage fields,
supervision/usage.py) and the imported satisfaction surveys
(supervision/satisfaction.py), then turned into an indicator's numerator and
denominator for one facility.  A measured source replaces a declared one for
a facility only when the platform has the data for it — otherwise the
declaration stands — and the result counts which was used (``basis``).

Measured types (``measured:`` of an indicator in the rubric):

* ``wifi_coverage`` — the facility has wireless devices in the inventory and
  was supervised in the year: covered when at least one AP was up for
  ``min_share`` of its opening hours and Wi-Fi clients were seen (a facility
  declaring coverage whose APs never answered scores 0);
* ``service_probe`` — the facility declares ``service_url`` and it was probed:
  capable when the probe answered for ``min_share`` of the probes in opening hours;
* ``terminals_and_uplink`` — terminals seen reporting on one day (the year's
  highest) and the uplink capacity the roll-ups used, against the baseline;
* ``weekly_hours_served`` — serving time in opening hours per supervised week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inventory.models import DeviceKind, Facility, Inventory
from pdcs.storage import InfluxDB
from supervision.index import devices_by_facility
from supervision.rollup import FacilityDays
from supervision.satisfaction import Satisfaction, read_satisfaction
from supervision.usage import UsageSums, read_usage_year, terminals_of

SERVICE_TYPES = frozenset(
    {"terminal_use_share", "sessions_per_terminal_day", "e_reading_baseline", "weekly_hours", "satisfaction"}
)
TERMINAL_TYPES = frozenset({"terminal_use_share", "sessions_per_terminal_day"})
WIRELESS_KINDS = frozenset({DeviceKind.WIRELESS_AP, DeviceKind.WIRELESS_CONTROLLER})

Ratio = tuple[float, float]  # numerator, denominator


@dataclass
class FacilityFacts:
    usage: UsageSums | None = None
    satisfaction: Satisfaction | None = None
    wireless_devices: int = 0
    terminals: int = 0


def facility_facts(
    influx: InfluxDB,
    inventory: Inventory,
    tags: dict[str, str],
    year: int,
    facilities: Iterable[Facility] | None = None,
) -> dict[str, FacilityFacts]:
    """Facts of ``facilities`` (default: every facility of the inventory) from the rows under ``tags``."""
    usage = read_usage_year(influx, tags, year)
    surveys = read_satisfaction(influx, tags, year)
    by_fac = devices_by_facility(inventory)
    out: dict[str, FacilityFacts] = {}
    for fac in inventory.facilities.values() if facilities is None else facilities:
        fid = fac.id
        devs = by_fac.get(fid, [])
        out[fid] = FacilityFacts(
            usage.get(fid),
            surveys.get(fid),
            sum(1 for d in devs if d.kind in WIRELESS_KINDS and d.enabled),
            len(terminals_of(inventory, fac)),
        )
    return out


def weekly_hours(facility: Facility) -> float:
    """Opening hours of an ordinary week (the inventory's weekly schedule)."""
    minutes = 0
    for spans in facility.opening_hours.values():
        for span in spans:
            minutes += span.end_minute - (span.start.hour * 60 + span.start.minute)
    return minutes / 60


def declared(
    kind: str,
    fac: Facility,
    days: FacilityDays | None,
    facts: FacilityFacts,
    *,
    min_terminals: int | None,
    min_uplink_mbps: float | None,
    min_weekly_hours: dict[str, float] | None,
    scale: float | None = None,
) -> Ratio | None:
    """Numerator and denominator of a service-effect source for one facility; None: no data."""
    u = facts.usage
    if kind == "terminal_use_share":
        if u is None or not u.days or not u.sums["usage_open_s"]:
            return None
        return u.sums["usage_service_s"], u.sums["usage_open_s"]
    if kind == "sessions_per_terminal_day":
        if u is None or not u.days or not u.sums["usage_terminals_reporting"]:
            return None
        return u.sums["usage_sessions"], u.sums["usage_terminals_reporting"]
    if kind == "e_reading_baseline":
        if fac.uplink_mbps is None or min_terminals is None or min_uplink_mbps is None:
            return None
        ok = facts.terminals >= min_terminals and fac.uplink_mbps >= min_uplink_mbps
        return float(ok), 1.0
    if kind == "weekly_hours":
        minimum = (min_weekly_hours or {}).get(fac.kind.value)
        if minimum is None or not fac.opening_hours:
            return None
        return float(weekly_hours(fac) >= minimum), 1.0
    if kind == "satisfaction":
        s = facts.satisfaction
        if s is None or not s.respondents:
            return None
        return s.weighted_share, float(s.respondents)
    raise ValueError(f"not a service-effect source: {kind}")


def measured(
    kind: str,
    min_share: float,
    fac: Facility,
    days: FacilityDays | None,
    facts: FacilityFacts,
    *,
    min_terminals: int | None = None,
    min_uplink_mbps: float | None = None,
    min_weekly_hours: dict[str, float] | None = None,
) -> Ratio | None:
    """The measured value of one facility (see the module text); None when there is nothing measured."""
    u = facts.usage
    if kind == "wifi_coverage":
        if not facts.wireless_devices or days is None or days.sums["polls"] <= 0:
            return None
        coverage = u.wifi_coverage if u is not None else None
        ok = coverage is not None and coverage >= min_share and u is not None and u.peaks["wifi_peak_clients"] >= 1
        return float(ok), 1.0
    if kind == "service_probe":
        if u is None or not u.sums["probe_open_n"]:
            return None
        return float(u.sums["probe_open_up"] / u.sums["probe_open_n"] >= min_share), 1.0
    if kind == "terminals_and_uplink":
        if (
            u is None
            or not u.days
            or not u.peaks["capacity_bps_max"]
            or min_terminals is None
            or min_uplink_mbps is None
        ):
            return None
        ok = u.peaks["usage_terminals_seen"] >= min_terminals and u.peaks["capacity_bps_max"] >= min_uplink_mbps * 1e6
        return float(ok), 1.0
    if kind == "weekly_hours_served":
        minimum = (min_weekly_hours or {}).get(fac.kind.value)
        if minimum is None or days is None or days.supervised_days < 7:
            return None
        served = days.sums["serving_s"] / 3600 / (days.supervised_days / 7)
        return float(served >= minimum), 1.0
    raise ValueError(f"not a measured type: {kind}")
