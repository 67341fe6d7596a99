"""Daily roll-ups on a real InfluxDB: the rows of a day, and raw and roll-up answers agreeing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import answers
from supervision.periods import Period
from tests.support.figures import strip_outages
from tests.support.scenarios import END, PERIOD, at

H = 3600.0


def test_rows_of_one_day(rolled: InfluxDB) -> None:
    rows = {
        s.tags["facility"]: s.rows()[0]
        for s in rolled.query(
            f'SELECT * FROM "{ROLLUP_RP}".facility_daily WHERE time = {int(at("2026-10-10").timestamp())}s '
            "GROUP BY facility"
        )
    }
    wh = rows["jt-wh"]
    # Saturday 10 Oct, adjusted working day: 8 h scheduled, kiosk down 10:00–11:30.
    assert (wh["scheduled_s"], wh["serving_s"], wh["outages"]) == (8 * H, 6.5 * H, 1)
    assert (wh["checks"], wh["checks_passed"]) == (3, 2)
    lib = rows["jt-lib"]
    assert lib["in_bytes"] == pytest.approx(8e6 * 86400 / 8)
    assert lib["util_p95"] == pytest.approx(0.08)  # 8 Mbit/s of the declared 100
    holiday = rolled.query(
        f'SELECT scheduled_s FROM "{ROLLUP_RP}".facility_daily WHERE time = {int(at("2026-10-03").timestamp())}s'
    )
    assert {v for s in holiday for _, v in s.values} == {0.0}


def test_raw_and_rollup_agree(client: TestClient, rolled: InfluxDB) -> None:
    raw = client.get("/regions/510121/availability", params={**PERIOD, "source": "raw"}).json()
    rolled_up = client.get("/regions/510121/availability", params={**PERIOD, "source": "rollup"}).json()
    assert rolled_up["source"] == "rollup" and raw["source"] == "raw"
    for key in ("scheduled_s", "up_s", "unknown_s", "availability"):
        assert rolled_up[key] == raw[key], key
    assert rolled_up["device_weighted"] == raw["device_weighted"]
    # roll-ups count an outage crossing midnight once per day (outages by number), raw polls once
    assert strip_outages(rolled_up["data"]) == strip_outages(raw["data"])
    assert [c["outage_count"] for c in rolled_up["data"]] >= [c["outage_count"] for c in raw["data"]]
    # Hand check: jt-wh 45.25 h, the library 48 − 1 h, 赵镇 none, of 3 × 48 h.
    assert raw["up_s"] == (45.25 + 47) * H
    city_raw = client.get("/regions/5101/availability", params={**PERIOD, "source": "raw"}).json()
    # 大邑县图书馆 was never polled: not monitored, from raw polls and roll-ups alike.
    city_rollup = client.get("/regions/5101/availability", params={**PERIOD, "source": "rollup"}).json()
    assert strip_outages(city_rollup["data"]) == strip_outages(city_raw["data"])
    assert city_rollup["unmonitored_facilities"] == city_raw["unmonitored_facilities"] == ["dy-lib", "jt-zhaozhen"]


def test_year_rows_agree_with_daily_rows(rolled: InfluxDB, inventory: Inventory) -> None:
    # Asked on 12 Oct 2026 (``now``): the year so far is the rolled-up fortnight; the rest of
    # the year is after now and is not scheduled time.
    now = int(END.timestamp() * 1000)
    year = Period(at("2026-01-01"), at("2027-01-01"))
    almost = Period(at("2026-01-01"), at("2026-12-31", "23:59"))
    from_year = answers.region_availability(rolled, inventory, "510121", year, now=now)
    from_days = answers.region_availability(rolled, inventory, "510121", almost, now=now)
    assert from_year["source"] == from_days["source"] == "rollup"
    for key in ("scheduled_s", "up_s", "unknown_s", "outage_count", "data", "device_weighted", "sources"):
        assert from_year[key] == from_days[key], key
    assert from_year["scheduled_s"] == 96 * H
    assert from_year["sources"] == [
        {
            "source": "rollup",
            "start": "2026-09-28T00:00:00+08:00",
            "end": "2026-10-12T00:00:00+08:00",
            "days": 14.0,
            "facilities": 2,
        }
    ]
    years = rolled.query(f'SELECT count(days) FROM "{ROLLUP_RP}".facility_yearly')
    assert years[0].values[0][1] == 3  # one row per facility of 金堂县


def test_bandwidth_from_rollups(client: TestClient, rolled: InfluxDB) -> None:
    body = client.get("/regions/510121/bandwidth", params={**PERIOD, "source": "rollup"}).json()
    assert body["source"] == "rollup"
    [lib] = body["data"]
    assert lib["facility"] == "jt-lib"
    assert lib["in_bytes"] == pytest.approx(8e6 * 86400 / 8)  # one day at 8 Mbit/s
    assert lib["in_p95_max_daily_bps"] == pytest.approx(8e6)
    assert lib["utilisation_p95_mean_daily"] == pytest.approx(0.08)
    assert body["in_bytes"] == pytest.approx(8e6 * 86400 / 8)
    raw = client.get("/regions/510121/bandwidth", params={**PERIOD, "source": "raw"}).json()
    assert raw["source"] == "raw" and raw["in_max_bps"] == pytest.approx(8e6)
