"""Every default rule, fed the fault it is about in a real InfluxDB, fires — and only where the fault is."""

from __future__ import annotations

import time

from alert_rules.state import FIRING
from inventory.models import Inventory
from pdcs.points import Point, to_lines
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory, device_up

MIN = 60.0


def faults(inv: Inventory, now_s: float) -> list[Point]:
    ns = int(now_s * 1e9)
    m, h = 60 * 10**9, 3600 * 10**9

    def tags(dev: str, **extra: str) -> dict[str, str]:
        return {**inv.device_tags(inv.devices[dev]), **extra}

    pts = [device_up(inv, "F1-T2", 1, ns), device_up(inv, "F2-SW", 1, ns)]
    for k in range(3):  # F2-T1's agent last answered 20 minutes ago: silent
        pts.append(device_up(inv, "F2-T1", 1, ns - (20 + k) * m, source="agent"))
    up = {"in_util_pct": 97.0, "out_util_pct": 12.0, "oper_up": 1}
    pts += [
        Point("interface", tags("F2-SW", ifname="ge0/1", ifindex="1", uplink="1"), up, ns - k * m) for k in range(3)
    ]
    pts.append(Point("interface", tags("F2-SW", ifname="ge0/2", ifindex="2", uplink="1"), {"oper_up": 0}, ns))
    pts.append(Point("interface", tags("F2-SW", ifname="ge0/3", ifindex="3", uplink="0"), {"oper_up": 0}, ns))
    pts += [Point("wireless", tags("F2-AP"), {"clients": 0}, ns - k * h) for k in range(12)]
    pts.append(Point("host", tags("F1-T2"), {"disk_used_pct": 96.5}, ns))
    pts.append(Point("host", tags("F2-T1"), {"disk_used_pct": 40.0}, ns))
    sec = {"severity": "critical", "source": "agent", "mlps_item": "8.1.4.1", "mlps_level": "2"}
    pts.append(Point("security_check", tags("F1-T2", check="default_password", **sec), {"passed": 0}, ns))
    pts.append(Point("security_check", tags("F1-T2", check="antivirus", **sec), {"passed": 1}, ns))
    pts.append(Point("security_check", tags("F1-T2", check="usb", **{**sec, "severity": "low"}), {"passed": 0}, ns))
    pts += [
        Point(
            "collector",
            {"collector": "c-stuck", "regions": "51"},
            {"cycle_s": 2.0, "spool_depth": 2000 + 100 * k},
            ns - (14 - k) * m,
        )
        for k in range(15)
    ]
    pts.append(Point("collector", {"collector": "c-gone", "regions": "52"}, {"cycle_s": 2.0, "spool_depth": 0}, ns - h))
    return pts


def test_each_default_rule_fires_on_its_fault(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    t0 = time.time()
    influx.write_lines(to_lines(faults(inventory, t0)))
    ev = make_evaluator(client=None)
    ev.cycle(t0)
    r = ev.cycle(t0 + 15 * MIN)
    assert not r.failed_rules
    firing = {(s.rule, s.resource, s.event) for s in ev.store.load().values() if s.status == FIRING}
    assert firing >= {
        ("link_saturated", "F2-SW", "link_saturated:ge0/1"),
        ("uplink_down", "F2-SW", "uplink_down:ge0/2"),
        ("ap_no_clients_day", "F2-AP", "ap_no_clients_day"),
        ("disk_nearly_full", "F1-T2", "disk_nearly_full"),
        ("security_critical_failed", "F1-T2", "security_critical_failed:default_password"),
        ("agent_silent", "F2-T1", "agent_silent"),
        ("collector_silent", "c-gone", "collector_silent"),
        ("collector_spool_growing", "c-stuck", "collector_spool_growing"),
    }
    # and not where there is no fault
    assert not any(res == "F2-SW" and ev_.endswith(("ge0/3",)) for _, res, ev_ in firing)  # not an uplink
    assert not any(ev_.endswith((":antivirus", ":usb")) for _, _, ev_ in firing)  # passed / not critical
    assert ("disk_nearly_full", "F2-T1", "disk_nearly_full") not in firing
    assert not any(rule in ("device_down", "facility_down") for rule, _, _ in firing)


def test_idle_ap_counts_only_opening_hours(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    """Clients at night do not count; an AP busy only outside opening hours idled through the opening day."""
    import datetime as dt

    day = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    open_hours = {day - dt.timedelta(hours=h) for h in range(2, 9)}  # seven hours open, ending two hours ago

    def is_open(fac: object, when: dt.datetime) -> bool:
        return when.replace(minute=0, second=0, microsecond=0) in open_hours

    ap = inventory.device_tags(inventory.devices["F2-AP"])
    pts = []
    for h in range(24):
        t = day - dt.timedelta(hours=h)
        busy_at_night = 5 if t not in open_hours else 0
        pts.append(Point("wireless", ap, {"clients": busy_at_night}, int(t.timestamp() * 1e9)))
    influx.write_lines(to_lines(pts))
    ev = make_evaluator(["ap_no_clients_day"], client=None, is_open=is_open)
    r = ev.cycle()
    assert r.firing == 1
    # one client during opening hours is enough
    t = day - dt.timedelta(hours=4)
    influx.write_lines(to_lines([Point("wireless", ap, {"clients": 1}, int(t.timestamp() * 1e9))]))
    r = ev.cycle()
    assert r.firing == 0 and r.resolved


def test_an_agent_never_heard_from_fires_only_after_the_grace(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    """A terminal just added (or a platform just started) has not reported yet: pending, not an alert at once."""
    t0 = time.time()
    ev = make_evaluator(["agent_silent"], client=None)
    assert ev.cycle(t0).firing == 0
    assert [(s.resource, s.status) for s in ev.store.load().values()] == [("F2-T1", "pending")]  # no data at all
    assert ev.cycle(t0 + 4 * MIN).firing == 0
    assert ev.cycle(t0 + 5 * MIN).firing == 1


def test_an_agent_heard_from_within_the_grace_never_fires(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    t0 = time.time()
    ev = make_evaluator(["agent_silent"], client=None)
    assert ev.cycle(t0).pending == 1
    influx.write_lines(to_lines([device_up(inventory, "F2-T1", 1, int(t0 * 1e9), source="agent")]))
    r = ev.cycle(t0 + 1)
    assert (r.pending, r.firing) == (0, 0) and not ev.store.load()
