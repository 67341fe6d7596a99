"""The API spine against a real InfluxDB: regions, devices, poll availability, errors, languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point, to_lines
from pdcs.storage import InfluxDB

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday


def _ns(dt: datetime) -> int:
    return int(dt.timestamp()) * 1_000_000_000


def write_polls(influx: InfluxDB, inventory: Inventory, device: str, ups: list[int], start: datetime) -> None:
    tags = inventory.device_tags(inventory.devices[device]) | {"source": "snmp"}
    points = [
        Point(
            DEVICE_UP,
            tags,
            {"up": up, "rtt_ms": 1.5} if up else {"up": up, "error": "timeout"},
            _ns(start + timedelta(minutes=i)),
        )
        for i, up in enumerate(ups)
    ]
    influx.write_lines(to_lines(points))


def test_nation_lists_provinces_with_counts(client: TestClient) -> None:
    for path in ("/regions", "/regions/0"):
        body = client.get(path).json()
        assert body["name"] == "全国"
        assert body["level"] == "nation"
        assert [c["code"] for c in body["data"]] == ["51", "53"]
        assert body["count"] == 2
        sichuan = body["data"][0]
        assert sichuan["name"] == "四川省"
        assert sichuan["facilities"] == 4
        assert sichuan["devices"] == 11
        assert sichuan["devices_by_kind"] == {
            "e_reading_terminal": 3,
            "kiosk": 1,
            "switch": 4,
            "wireless_ap": 3,
        }
        # The disabled server is not counted.
        assert body["data"][1]["devices_by_kind"] == {"switch": 1}
    assert client.get("/regions?lang=en").json()["name"] == "Nation"


def test_city_and_county(client: TestClient) -> None:
    city = client.get("/regions/5101").json()
    assert city["parent"] == "51"
    assert [(c["code"], c["name"], c["devices"]) for c in city["data"]] == [
        ("510121", "金堂县", 9),
        ("510129", "大邑县", 2),
    ]
    county = client.get("/regions/510121", headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    assert county["level"] == "county"
    assert [f["id"] for f in county["data"]] == ["jt-lib", "jt-wh", "jt-zhaozhen"]
    lib = county["data"][0]
    assert lib["kind_name"] == "public library"
    assert lib["devices_by_kind"] == {"e_reading_terminal": 2, "switch": 1, "wireless_ap": 2}
    # The long form of a code is the same region.
    assert client.get("/regions/510000").json()["name"] == "四川省"


def test_region_errors_are_clear_in_both_languages(client: TestClient) -> None:
    r = client.get("/regions/5102")
    assert r.status_code == 404
    assert r.json() == {"detail": "未找到行政区划 5102", "code": "error.not_found.region"}
    r = client.get("/regions/51x?lang=en")
    assert r.status_code == 422
    assert "GB/T 2260" in r.json()["detail"]
    assert r.json()["detail"].startswith("region code 51x is invalid")


def test_device_facts_and_last_status(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    write_polls(influx, inventory, "jt-lib-sw1", [1, 1, 0], T0)
    body = client.get("/devices/jt-lib-sw1").json()
    assert body["kind_name"] == "交换机/路由器"
    assert body["facility"]["name"] == "金堂县图书馆"
    assert body["region"]["county"] == {"code": "510121", "name": "金堂县"}
    assert body["status"]["up"] == 0
    assert body["status"]["error"] == "timeout"
    assert body["status"]["source"] == "snmp"
    assert body["status"]["time_ms"] == _ns(T0 + timedelta(minutes=2)) // 1_000_000
    assert client.get("/devices/jt-lib-ap1").json()["status"] is None


def test_availability_is_share_of_polls_answered(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    write_polls(influx, inventory, "jt-lib-sw1", [1, 1, 0, 1, 0, 1, 1, 1, 1, 1], T0)
    write_polls(influx, inventory, "jt-lib-ap1", [0, 0, 0, 0], T0)
    r = client.get(
        "/devices/jt-lib-sw1/availability", params={"start": "2026-11-02T08:00:00+08:00", "end": "2026-11-02T00:10:00Z"}
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["polls"], body["answered"], body["share"]) == (10, 8, 0.8)
    # Half-open period: the 3rd..5th polls (minutes 2, 3, 4) → 1 of 3 answered.
    body = client.get(
        "/devices/jt-lib-sw1/availability", params={"start": "2026-11-02T00:02:00Z", "end": "2026-11-02T00:05:00Z"}
    ).json()
    assert (body["polls"], body["answered"]) == (3, 1)
    # A "+" that arrived as a space in the query string is still read as the offset.
    body = client.get("/devices/jt-lib-sw1/availability?start=2026-11-02T08:00:00+08:00&end=2026-11-02T08:10:00+08:00")
    assert body.status_code == 200 and body.json()["polls"] == 10
    # No polls at all: no share rather than 0 or 1.
    body = client.get(
        "/devices/jt-lib-t1/availability", params={"start": "2026-11-02T00:00:00Z", "end": "2026-11-03T00:00:00Z"}
    ).json()
    assert body["polls"] == 0 and body["share"] is None


def test_availability_defaults_to_the_last_day(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    write_polls(influx, inventory, "jt-lib-ap1", [1, 0], now - timedelta(hours=25))  # outside
    write_polls(influx, inventory, "jt-lib-ap1", [1, 1, 0], now - timedelta(hours=2))
    body = client.get("/devices/jt-lib-ap1/availability").json()
    assert (body["polls"], body["answered"]) == (3, 2)
    start = datetime.fromisoformat(body["period"]["start"])
    end = datetime.fromisoformat(body["period"]["end"])
    assert end - start == timedelta(hours=24)


def test_availability_errors(client: TestClient) -> None:
    r = client.get("/devices/nope/availability")
    assert r.status_code == 404
    assert r.json()["detail"] == "未找到设备 nope"
    r = client.get("/devices/jt-lib-sw1/availability", params={"start": "2026-11-02T00:00:00", "lang": "en"})
    assert r.status_code == 422
    assert r.json()["detail"] == "start has no time zone: 2026-11-02T00:00:00 (add +08:00 or Z)"
    r = client.get("/devices/jt-lib-sw1/availability", params={"start": "yesterday"})
    assert r.status_code == 422
    assert "ISO 8601" in r.json()["detail"]
    r = client.get(
        "/devices/jt-lib-sw1/availability",
        params={"start": "2026-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert r.json()["detail"].startswith("invalid period: end")
    r = client.get(
        "/devices/jt-lib-sw1/availability", params={"start": "2000-01-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "error.period_too_long"


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/regions", "/regions/{code}", "/devices/{device_id}", "/devices/{device_id}/availability"} <= set(paths)


def test_device_answer_names_profiles_never_secrets(
    influx: InfluxDB, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory.models import SnmpProfile
    from pdcs.settings import Settings
    from supervision_api.state import AppState
    from tests.support.api import authed_client

    monkeypatch.setenv("PDCS_TEST_COMMUNITY", "s3cr3t-community")
    profile = SnmpProfile.model_validate({"name": "county-v2c", "community": {"env": "PDCS_TEST_COMMUNITY"}})
    dev = inventory.devices["jt-lib-sw1"].model_copy(update={"snmp_profile": "county-v2c"})
    inv = inventory.model_copy(
        update={"snmp_profiles": {"county-v2c": profile}, "devices": {**inventory.devices, dev.id: dev}}
    )
    settings = Settings(influx_url=influx.url, influx_db=influx.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    with authed_client(AppState(settings=settings, inventory=inv, influx=influx)) as c:  # routes need a token
        r = c.get("/devices/jt-lib-sw1")
    assert r.json()["snmp_profile"] == "county-v2c"
    assert "s3cr3t" not in r.text and "PDCS_TEST_COMMUNITY" not in r.text
