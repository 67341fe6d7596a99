"""Grading and the reports' security section count the latest *definitive* result per (device, check).

Real InfluxDB.  县图书馆 is level 2.  Its switch:

* ``ios-vty-acl`` (8.1.4.4): failed two days ago under the tags of a level-3 configuration
  (severity high); passes since yesterday under new tags (level 2, severity medium).  Only the
  passing row counts, under its own tags: 7.1.4.4 符合, and no high risk from the old row.
* ``ios-aaa-login`` (8.1.4.1): failed two days ago; an hour ago the audit could not log in
  (``unknown``).  The failure stands (7.1.4.1 不符合), marked 最近一次核查未能完成.

Score 100 × (1 + 0) / 2 = 50; the standing failure is high → 差.  (Before: both ACL rows counted —
部分符合 — and the unknown erased the failure — 未测评 — so blocking the auditor scored 100.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from inventory.models import Facility, FacilityKind, Inventory, MlpsDeclaration
from pdcs.points import SECURITY_CHECK, Point, now_ns, to_lines
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from reports.security import compliance
from supervision.periods import Period
from supervision_api.state import AppState
from tests.support.api import authed_client

HOUR_NS = 3600 * 10**9
DAY_NS = 24 * HOUR_NS


def _point(check: str, item: str, level: str, severity: str, status: str, t: int) -> Point:
    tags = {"province": "51", "city": "5101", "county": "510121", "facility": "lib", "device": "sw1",
            "kind": "switch", "check": check, "mlps_item": item, "mlps_level": level, "severity": severity,
            "source": "ssh_audit"}  # fmt: skip
    fields: dict[str, int | str] = {"status": status, "detail": f"{check}: {status}"}
    if status != "unknown":
        fields["passed"] = int(status == "pass")
    return Point(SECURITY_CHECK, tags, fields, t)


def test_tag_change_and_unknown(influx: InfluxDB) -> None:
    now = now_ns()
    influx.write_lines(
        to_lines(
            [
                _point("ios-vty-acl", "8.1.4.4", "3", "high", "fail", now - 2 * DAY_NS),
                _point("ios-vty-acl", "7.1.4.4", "2", "medium", "pass", now - DAY_NS),
                _point("ios-aaa-login", "8.1.4.1", "2", "high", "fail", now - 2 * DAY_NS),
                _point("ios-aaa-login", "8.1.4.1", "2", "high", "unknown", now - HOUR_NS),
            ]
        )
    )
    level2 = MlpsDeclaration.model_validate({"harm_object": "社会秩序、公共利益", "harm_degree": "一般损害"})
    inv = Inventory(
        facilities={
            "lib": Facility(id="lib", name="县图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121", mlps=level2)
        }
    )
    client = authed_client(AppState(Settings(database_url="sqlite://", _env_file=None), inv, influx))  # type: ignore[call-arg]
    body = client.get("/facilities/lib/grading").json()
    items = {i["clause"]: i for i in body["items"]}
    assert items["7.1.4.4"]["result"] == "符合"
    [acl] = items["7.1.4.4"]["checks"]
    assert (acl["status"], acl["severity"]) == ("pass", "medium")
    assert items["7.1.4.1"]["result"] == "不符合"
    [aaa] = items["7.1.4.1"]["checks"]
    assert aaa["status"] == "fail" and aaa["time_ms"] == (now - 2 * DAY_NS) // 10**6
    assert aaa["latest_attempt"]["status"] == "unknown"
    assert aaa["latest_attempt"]["note"]["zh"] == "最近一次核查未能完成"
    assert aaa["latest_attempt"]["time_ms"] == (now - HOUR_NS) // 10**6
    assert body["score"] == 50.0 and body["high_risks"] == 1 and body["medium_risks"] == 0
    assert body["conclusion"] == "差"

    # The reports' security section: the same rule.
    period = Period(datetime.fromtimestamp((now - 3 * DAY_NS) / 1e9, UTC), datetime.fromtimestamp(now / 1e9 + 1, UTC))
    comp = compliance(influx, "510121", period)
    assert [(v.check, v.status, v.severity) for v in comp.verdicts] == [
        ("ios-aaa-login", "fail", "high"),
        ("ios-vty-acl", "pass", "medium"),
    ]
    assert comp.pass_rate == 0.5
    [failed] = comp.failed()
    assert "最近一次核查未能完成" in failed.detail and failed.unknown_after_ms == (now - HOUR_NS) // 10**6
