"""A worked scenario for reports: 金堂县 (510121) over Mon 2 – Wed 4 November 2026 (Beijing time).

- 金堂县图书馆 (jt-lib): every device up all the time; its uplink carries 20 Mbit/s in, 5 out (100 Mbit/s declared).
- 金堂县文化馆 (jt-wh): its switch down 10:00–12:00 on Monday (inside opening hours 09:00–17:00).
- 赵镇综合文化服务中心 (jt-zhaozhen): commissioned 1 Oct 2026 (投运日期), no data at all (no poll, no collector).
- Security: jt-lib-sw1 fails ssh_password_auth (8.1.4.1, high) and passes ntp (8.1.4.3); jt-wh-sw1 passes
  ssh_password_auth.

By hand: scheduled time per facility 3 days × 8 h = 24 h; serving 24 h, 22 h, and at 赵镇 24 h of
no data → county availability over known time 46/48 = 95.83 %, coverage 48/72 = 66.67 %, jt-wh
91.67 %, 赵镇 无数据 (not 0 %); one outage (jt-wh), 赵镇 listed under 无数据.  Devices with data 7 of 9 (the two
of jt-zhaozhen have none) → coverage 0.7778.  Security 2 passed of 3 → 66.67 %; by item
8.1.4.1 50 %, 8.1.4.3 100 %.  Bandwidth: mean in 20 Mbit/s, out 5, p95 utilisation 20 %.
MLPS: 金堂县图书馆 declares level 2; of its two assessed items one conforms (ntp) and one does
not (a failed high check) → score 100 × (1 + 0) / 2 = 50, conclusion 差 (a high risk).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.models import Inventory, MlpsDeclaration
from pdcs.points import INTERFACE, SECURITY_CHECK, Point, to_lines
from pdcs.storage import InfluxDB
from supervision.periods import Period
from tests.support.figures import build_inventory
from tests.support.scenarios import at, write_polls

START, END = at("2026-11-02"), at("2026-11-05")
PERIOD = Period(START, END)


def _ns(dt: object) -> int:
    from datetime import datetime

    assert isinstance(dt, datetime)
    return int(dt.timestamp()) * 1_000_000_000


@pytest.fixture
def inventory() -> Inventory:
    """The shared test inventory, with 金堂县图书馆 declaring its MLPS grading elements (level 2)."""
    inv = build_inventory()
    mlps = MlpsDeclaration.model_validate({"harm_object": "社会秩序公共利益", "harm_degree": "一般损害"})
    inv.facilities["jt-lib"] = inv.facilities["jt-lib"].model_copy(update={"mlps": mlps})
    inv.facilities["jt-zhaozhen"] = inv.facilities["jt-zhaozhen"].model_copy(update={"commissioned": date(2026, 10, 1)})
    return inv


@pytest.fixture
def scenario(influx: InfluxDB, inventory: Inventory) -> InfluxDB:
    for dev in ("jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2", "jt-lib-t1", "jt-lib-t2", "jt-wh-k1"):
        write_polls(influx, inventory, dev, START, END, step=timedelta(minutes=2))
    write_polls(
        influx,
        inventory,
        "jt-wh-sw1",
        START,
        END,
        down=[(at("2026-11-02", "10:00"), at("2026-11-02", "12:00"))],
        step=timedelta(minutes=2),
    )
    # outside the county: data that must not show up in 510121's report
    write_polls(influx, inventory, "dy-lib-sw1", START, END, step=timedelta(minutes=2))

    tags = inventory.device_tags(inventory.devices["jt-lib-sw1"]) | {"ifname": "ge0/0/1", "ifindex": "1", "uplink": "1"}
    points = []
    t = START
    while t < END:
        points.append(Point(INTERFACE, tags, {"in_bps": 20e6, "out_bps": 5e6, "speed_bps": 1_000_000_000}, _ns(t)))
        t += timedelta(minutes=5)
    checks = [
        # real baseline rules, with the evidence their audits write (collectors/ssh_audit/checks.py)
        ("jt-lib-sw1", "ios-ssh-v2", "8.1.4.1", "high", "fail", "no line matches /^ip ssh version 2$/"),
        ("jt-lib-sw1", "ios-ntp", "8.1.4.3", "medium", "pass", "ntp server 10.0.0.1"),
        (
            "jt-wh-sw1",  # 文化馆 declares no MLPS grading: its checks count in the security section only
            "ios-snmp-no-default-community",
            "8.1.4.2",
            "high",
            "fail",
            "forbidden /^snmp-server community (public|private)\\b/ is configured; snmp-server community public RO",
        ),
        ("jt-wh-sw1", "ios-login-banner", "", "low", "fail", "no line matches /^banner (login|motd) /"),
        ("jt-wh-sw1", "ios-ssh-v2", "8.1.4.1", "high", "pass", "ip ssh version 2"),
        ("dy-lib-sw1", "ios-ssh-v2", "8.1.4.1", "high", "fail", "outside the county"),
    ]
    for dev, check, item, sev, status, detail in checks:
        ctags = inventory.device_tags(inventory.devices[dev]) | {
            "check": check,
            "mlps_item": item,
            "mlps_level": "2",
            "severity": sev,
            "source": "ssh_audit",
        }
        fields: dict[str, int | str] = {"passed": int(status == "pass"), "status": status, "detail": detail}
        points.append(Point(SECURITY_CHECK, ctags, fields, _ns(at("2026-11-03", "03:00"))))
    influx.write_lines(to_lines(points))
    return influx


from tests.supervision_api.access.conftest import api, make_api  # noqa: E402, F401  (API clients per role)
