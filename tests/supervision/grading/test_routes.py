"""/facilities/{id}/grading and /regions/{code}/grading over a real InfluxDB."""

from __future__ import annotations

from inventory.models import Facility, FacilityKind, Inventory, MlpsDeclaration
from pdcs.points import SECURITY_CHECK, Point, now_ns, to_lines
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.state import AppState
from tests.support.api import authed_client

HOUR_NS = 3600 * 10**9
DAY_NS = 24 * HOUR_NS


def _inventory() -> Inventory:
    graded = MlpsDeclaration.model_validate(
        {"harm_object": "社会秩序公共利益", "harm_degree": "一般损害", "system": "数字图书馆服务系统"}
    )  # level 2
    level3 = MlpsDeclaration.model_validate({"harm_object": "public_order", "harm_degree": "serious"})
    return Inventory(
        facilities={
            "lib": Facility(id="lib", name="县图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121", mlps=graded),
            "cc": Facility(id="cc", name="县文化馆", kind=FacilityKind.CULTURAL_CENTRE, county="510121", mlps=level3),
            "town": Facility(id="town", name="赵镇文化站", kind=FacilityKind.TOWNSHIP_CENTRE, county="510122"),
        }
    )


def _point(facility: str, device: str, check: str, item: str, status: str, t: int, severity: str = "high") -> Point:
    tags = {"province": "51", "city": "5101", "county": "510121", "facility": facility, "device": device,
            "kind": "switch", "check": check, "mlps_item": item, "mlps_level": "2", "severity": severity,
            "source": "ssh_audit"}  # fmt: skip
    fields: dict[str, int | str] = {"status": status, "detail": f"{check}: {status}"}
    if status != "unknown":
        fields["passed"] = int(status == "pass")
    return Point(SECURITY_CHECK, tags, fields, t)


def test_facility_and_region_grading(influx: InfluxDB) -> None:
    now = now_ns()
    points = [
        # lib: the ACL check failed yesterday and passes now — the latest result counts.
        _point("lib", "sw1", "ios-vty-acl", "8.1.4.4", "fail", now - DAY_NS),
        _point("lib", "sw1", "ios-vty-acl", "8.1.4.4", "pass", now - HOUR_NS),
        _point("lib", "sw1", "ios-ssh-v2", "8.1.4.1", "pass", now - HOUR_NS),
        _point("lib", "sw1", "ios-aaa-login", "8.1.4.1", "fail", now - HOUR_NS),
        _point("lib", "sw1", "ios-ntp", "8.1.4.3", "unknown", now - HOUR_NS, "medium"),
        # Older than the 30-day window: ignored.
        _point("lib", "sw1", "ios-snmp-no-rw", "8.1.4.2", "fail", now - 40 * DAY_NS),
        # cc: one passing check at level 3.
        _point("cc", "sw2", "ios-ssh-v2", "8.1.4.1", "pass", now - HOUR_NS),
    ]
    influx.write_lines(to_lines(points))
    state = AppState(Settings(database_url="sqlite://", _env_file=None), _inventory(), influx)  # type: ignore[call-arg]
    client = authed_client(state)

    body = client.get("/facilities/lib/grading").json()
    assert body["declared"] and body["level"] == 2 and body["level_zh"] == "第二级"
    items = {i["clause"]: i for i in body["items"]}
    assert items["7.1.4.4"]["result"] == "符合"  # latest wins
    assert items["7.1.4.1"]["result"] == "部分符合" and items["7.1.4.1"]["result_en"] == "partially conformant"
    assert items["7.1.4.3"]["result"] == "未测评"  # unknown only
    assert items["7.1.4.2"]["result"] == "未测评"  # stale
    # Two assessed items, weight 1 each: (1 + 0.5) / 2 = 75; one failed high check → 差.
    assert body["score"] == 75.0 and body["high_risks"] == 1 and body["conclusion"] == "差"
    assert body["items_assessed"] == 2 and body["items_total"] == 11
    assert {c["check"] for c in items["7.1.4.1"]["checks"]} == {"ios-ssh-v2", "ios-aaa-login"}
    # The stale failure counts again when the window is widened to 60 days.
    wide = client.get("/facilities/lib/grading", params={"days": 60}).json()
    assert {i["clause"]: i["result"] for i in wide["items"]}["7.1.4.2"] == "不符合"

    cc = client.get("/facilities/cc/grading").json()
    assert cc["level"] == 3 and cc["score"] == 100.0 and cc["conclusion"] == "优" and cc["items_assessed"] == 1

    town = client.get("/facilities/town/grading").json()
    assert town["declared"] is False and town["conclusion"] == "未测评"

    assert client.get("/facilities/nowhere/grading").status_code == 404
    assert client.get("/regions/51x/grading").status_code == 422

    region = client.get("/regions/5101/grading").json()
    assert region["count"] == 3
    assert region["conclusions"] == {"差": 1, "优": 1, "未测评": 1}
    county = client.get("/regions/510122/grading").json()
    assert [d["facility"] for d in county["data"]] == ["town"]
