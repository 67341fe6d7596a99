"""Measured indicators replace declared ones: a county declares wireless coverage but no AP ever answered.

云顶 (township centre) declares wireless coverage and has an AP in the
inventory; the collector polled it every 5 minutes for two days and it never
answered, while the facility's switch did.  白马 declares coverage too but has
no wireless device: pdcs cannot measure it, so its declaration stands.  The
assessment scores 云顶 as not covered (measured) and says 1 facility was
measured and 1 taken as declared; the report's assessment table says the same.
"""

from __future__ import annotations

from datetime import date, timedelta

from inventory.models import Device, Facility, Inventory, Region
from pdcs.storage import InfluxDB
from reports.gather import build_report
from supervision import rollup
from supervision.assessment import assess
from supervision.periods import Period
from tests.support.scenarios import at, write_polls

EVERY_DAY = {d: "09:00-21:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def build() -> Inventory:
    facs = [
        Facility.model_validate(
            {
                "id": fid,
                "name": name,
                "kind": "township_centre",
                "county": "510121",
                "opening_hours": EVERY_DAY,
                "attributes": {"wireless_coverage": True},
            }
        )
        for fid, name in (("yd", "云顶综合文化服务中心"), ("bm", "白马综合文化服务中心"))
    ]
    devs = [
        Device.model_validate({"id": "yd-sw", "kind": "switch", "facility": "yd"}),
        Device.model_validate({"id": "yd-ap", "kind": "wireless_ap", "facility": "yd"}),
        Device.model_validate({"id": "bm-sw", "kind": "switch", "facility": "bm"}),
    ]
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510121", name="金堂县"),
    ]
    return Inventory(
        regions={r.code: r for r in regions}, facilities={f.id: f for f in facs}, devices={d.id: d for d in devs}
    )


def test_declared_coverage_without_an_answering_ap_is_measured_as_none(influx: InfluxDB) -> None:
    inv = build()
    start, end = at("2026-11-30"), at("2026-12-02")
    five = timedelta(minutes=5)
    write_polls(influx, inv, "yd-sw", start, end, step=five)
    write_polls(influx, inv, "bm-sw", start, end, step=five)
    write_polls(influx, inv, "yd-ap", start, end, down=[(start, end)], step=five)  # polled, never answered
    rollup.rollup_days(influx, inv, [date(2026, 11, 30), date(2026, 12, 1)])

    body = assess(influx, inv, "510121", 2026).region("510121")
    wifi = next(i for i in body["data"] if i["id"] == "wireless_coverage")
    assert wifi["value"] == 0.5 and wifi["score"] == 50  # 云顶 measured: no; 白马 as declared: yes
    assert (wifi["basis"]["measured"], wifi["basis"]["declared"]) == (1, 1)
    assert wifi["basis"]["text"]["zh"] == "1 个设施按实测、1 个设施按填报"
    assert "实测" in wifi["formula"]["zh"] and "measured" in wifi["formula"]["en"]

    report = build_report(influx, inv, "510121", Period(start, end))
    section = next(s for s in report.sections if s.key == "assessment")
    table = section.tables[0]
    row = next(r for r in table.rows if r[0] == wifi["label"]["zh"])
    assert "1 个设施按实测、1 个设施按填报" in row
    assert "数据依据" in table.columns
