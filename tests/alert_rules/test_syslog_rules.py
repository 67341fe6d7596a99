"""Alert rules over syslog counts: repeated login failures and a flapping port fire; a few do not."""

from __future__ import annotations

import time

from alert_rules.state import FIRING
from inventory.models import Inventory
from pdcs.points import SYSLOG, Point, to_lines
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory


def test_login_failures_and_flapping_fire_where_they_happen(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    now = time.time()
    minute = int(now) // 60 * 60

    def count(dev: str, event: str, n: int, minutes_ago: int, sev: str = "warning") -> Point:
        tags = {**inventory.device_tags(inventory.devices[dev]), "syslog_facility": "auth", "severity": sev,
                "event": event}  # fmt: skip
        return Point(SYSLOG, tags, {"messages": n}, (minute - 60 * minutes_ago) * 1_000_000_000)

    pts = [
        count("F2-SW", "login_failure", 2, 3),
        count("F2-SW", "login_failure", 3, 2),  # 5 in 10 minutes: fires
        count("F2-SW", "login_failure", 4, 2),  # the same minute written again with its larger total: 4, not 7
        count("F1-T2", "login_failure", 3, 1),  # 3: does not fire
        count("F2-SW", "link_updown", 7, 1, "err"),  # flapping
        count("F2-SW", "", 50, 1, "info"),  # ordinary messages: nothing
    ]
    influx.write_lines(to_lines(pts))
    ev = make_evaluator(client=None)
    r = ev.cycle(now)
    assert not r.failed_rules
    firing = {(s.rule, s.resource) for s in ev.store.load().values() if s.status == FIRING}
    assert ("syslog_login_failures", "F2-SW") in firing and ("syslog_port_flapping", "F2-SW") in firing
    assert ("syslog_login_failures", "F1-T2") not in firing
    state = next(s for s in ev.store.load().values() if s.rule == "syslog_login_failures")
    assert state.info["columns"]["value"] == 6  # 2 + 4 (the second write of a minute replaces the first)
