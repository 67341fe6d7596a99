"""Any period for years: raw polls deleted after the roll-ups give the same figures (rule 3), real InfluxDB."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.storage import InfluxDB
from reports.gather import build_report
from supervision.periods import Period
from tests.support.figures import strip_outages
from tests.support.scenarios import END, PERIOD, START, at

H = 3600.0
FIGURES = ("scheduled_s", "up_s", "down_s", "unknown_s", "coverage", "availability")


def figures(body: dict[str, object]) -> dict[str, object]:
    return {k: body[k] for k in FIGURES}


def test_fortnight_after_its_raw_polls_were_deleted(client: TestClient, rolled: InfluxDB, inventory: Inventory) -> None:
    region = "/regions/510121/availability"
    before = {
        "region": client.get(region, params=PERIOD).json(),
        "facility": client.get("/facilities/jt-wh/availability", params=PERIOD).json(),
        "device": client.get("/devices/jt-wh-k1/availability", params=PERIOD).json(),
    }
    report_before = build_report(rolled, inventory, "510121", Period(START, END))
    assert before["region"]["source"] == before["facility"]["source"] == before["device"]["source"] == "raw"
    # Hand check (test_rollup.py): jt-wh 45.25 h and the library 47 h serving of 2 × 48 h.
    assert before["region"]["up_s"] == (45.25 + 47) * 3600 and before["region"]["scheduled_s"] == 96 * 3600

    rolled.execute("DELETE FROM device_up")  # as if the 90-day retention had passed
    rolled.execute("DELETE FROM collector")

    after = {
        "region": client.get(region, params=PERIOD).json(),
        "facility": client.get("/facilities/jt-wh/availability", params=PERIOD).json(),
        "device": client.get("/devices/jt-wh-k1/availability", params=PERIOD).json(),
    }
    for what in ("region", "facility"):
        assert figures(after[what]) == figures(before[what]), what
        assert after[what]["source"] == "rollup", what
    # roll-ups count an outage crossing midnight once per day (outages by number), raw polls once
    assert strip_outages(after["region"]["data"]) == strip_outages(before["region"]["data"])
    assert after["region"]["device_weighted"] == before["region"]["device_weighted"]
    assert figures(after["device"]["service"]) == figures(before["device"]["service"])
    assert (after["device"]["polls"], after["device"]["answered"]) == (
        before["device"]["polls"],
        before["device"]["answered"],
    )
    assert after["device"]["sources"] == [
        {"source": "rollup", "start": "2026-09-28T00:00:00+08:00", "end": "2026-10-12T00:00:00+08:00",
         "days": 14.0, "facilities": 1}
    ]  # fmt: skip
    # Outages from roll-ups are counted per day: the switch outage across midnight 8/9 Oct counts twice.
    assert before["facility"]["outage_count"] == 3 and after["facility"]["outage_count"] == 4

    report_after = build_report(rolled, inventory, "510121", Period(START, END))
    av_before = {h.label: h.value for h in report_before.sections[0].headline}
    av_after = {h.label: h.value for h in report_after.sections[0].headline}
    for label in ("设施服务可用率", "数据覆盖率", "设备加权可用率", "计划服务时长", "停服时长", "无数据时长"):
        assert av_after[label] == av_before[label], label


def test_days_expired_without_rollup_are_no_data(client: TestClient, rolled: InfluxDB, inventory: Inventory) -> None:
    # The kiosk was commissioned on Mon 21 Sep (投运日期), its raw polls are gone, and roll-ups exist for
    # 28 Sep – 11 Oct only: 21–24 Sep (4 × 8 h; Fri 25 Sep is 中秋节) are scheduled time nobody can
    # tell about — no data.
    kiosk = inventory.devices["jt-wh-k1"]
    inventory.devices["jt-wh-k1"] = kiosk.model_copy(update={"commissioned": date(2026, 9, 21)})
    rolled.execute("DELETE FROM device_up")
    body = client.get(
        "/devices/jt-wh-k1/availability", params={"start": at("2026-09-21").isoformat(), "end": END.isoformat()}
    ).json()
    assert [(p["source"], p["start"], p["days"]) for p in body["sources"]] == [
        ("none", "2026-09-21T00:00:00+08:00", 7.0),
        ("rollup", "2026-09-28T00:00:00+08:00", 14.0),
    ]
    service = body["service"]
    assert (service["scheduled_s"], service["unknown_s"], service["up_s"]) == (80 * H, 32 * H, 46 * H)
    assert service["coverage"] == 48 / 80 and service["availability"] == 46 / 48
    assert [(g["start"], g["in_service_s"]) for g in service["no_data"]] == [("2026-09-21T00:00:00+08:00", 32 * H)]
