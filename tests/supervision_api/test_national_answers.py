"""The nation's and a province's answers from the national store (issue 19, NATIONAL.md §3).

A real InfluxDB holds hand-written summaries (both tiers), ``facility_daily`` copies and
``federation_status``; the answers must equal the sums of those points, say their source and the late
provinces, and a county must still be answered from raw polls (another real database).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.influxdb import InfluxServer
from federation.schema import (
    COUNTY_SUMMARY,
    FEDERATION_STATUS,
    NATIONAL_RETENTION_POLICIES,
    PROVINCE_SUMMARY,
    ROLLUP_RP,
    SUMMARY_LONG_RP,
    SUMMARY_RP,
)
from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from pdcs.storage.shards import ShardMap
from supervision.periods import BEIJING
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState
from tests.support.figures import build_inventory
from tests.support.scenarios import END, PERIOD, START, SWITCH_DOWN, write_polls

HOUR_MS = 3_600_000
BUCKET_MS = 300_000
COUNTIES = {"510121": ("51", "5101"), "510129": ("51", "5101"), "530124": ("53", "5301")}
SECONDS = ("scheduled_s", "serving_s", "unknown_s", "device_scheduled_s", "device_up_s", "device_unknown_s")
Row = tuple[int, dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class National:
    db: InfluxDB
    now_ms: int
    points: dict[tuple[str, str], list[Row]]  # (rp, measurement) → rows
    days: list[tuple[int, int]]  # the two whole Beijing days with facility_daily rows
    daily: list[dict[str, Any]]  # those rows' fields and tags


def county_values(i: int, county: str, long: bool) -> dict[str, Any]:
    """Whole seconds (exact in ms), varying per bucket; the hourly tier differs on purpose."""
    n = int(county[-1]) + 2
    step = 3600 if long else 300
    sched = float(step * n)
    unknown = float((i % 3) * 10)
    serving = sched - unknown - float((i + n) % 5) * 20 - (100 if long else 0)
    return {
        "scheduled_s": sched,
        "serving_s": serving,
        "unknown_s": unknown,
        "device_scheduled_s": 3 * sched,
        "device_up_s": 3 * serving - 15,
        "device_unknown_s": 3 * unknown,
        "devices": 3 * n,
        "devices_up": 3 * n - 1 - i % 2,
        "devices_down": 1,
        "devices_unknown": i % 2,
        "facilities_serving": n,
        "checks_failed": (i + n) % 3,
        "uplink_in_bps": 1000.0 * n + (i % 7) * 10,
        "uplink_out_bps": 400.0 * n + (i % 5) * 10,
    }


def line(measurement: str, tags: dict[str, str], fields: dict[str, float], t_ms: int) -> str:
    tag_text = ",".join(f"{k}={v}" for k, v in sorted(tags.items()))
    field_text = ",".join(f"{k}={v}" if isinstance(v, float) else f"{k}={v}i" for k, v in fields.items())
    return f"{measurement},{tag_text} {field_text} {t_ms}"


@pytest.fixture(scope="module")
def national(influx_server: InfluxServer) -> Iterator[National]:
    db = InfluxDB(url=influx_server.url, database=f"nat_{uuid.uuid4().hex[:10]}", retries=0)
    db.ensure_database(NATIONAL_RETENTION_POLICIES)
    now_ms = int(time.time() * 1000) // BUCKET_MS * BUCKET_MS
    points: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for rp, step, span in ((SUMMARY_RP, BUCKET_MS, 2 * 86_400_000), (SUMMARY_LONG_RP, HOUR_MS, 35 * 86_400_000)):
        lines = []
        first = (now_ms - span) // step * step
        for i, t in enumerate(range(first, now_ms, step)):
            provinces: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
            for county, (province, city) in COUNTIES.items():
                values = county_values(i, county, rp == SUMMARY_LONG_RP)
                tags = {"province": province, "city": city, "county": county}
                points[(rp, COUNTY_SUMMARY)].append((t, tags, values))
                lines.append(line(COUNTY_SUMMARY, tags, values, t))
                for k, v in values.items():
                    provinces[province][k] += v
            for province, sums in provinces.items():
                points[(rp, PROVINCE_SUMMARY)].append((t, {"province": province}, dict(sums)))
                lines.append(line(PROVINCE_SUMMARY, {"province": province}, dict(sums), t))
        db.write_lines(lines, retention_policy=rp, precision="ms")
    # 51 shipped 5 minutes ago (on time), 53 three hours ago (late).
    db.write_lines(
        [
            line(
                FEDERATION_STATUS, {"province": "51"}, {"through_ms": now_ms - 300_000, "shipped_at_ms": now_ms}, now_ms
            ),
            line(
                FEDERATION_STATUS,
                {"province": "53"},
                {"through_ms": now_ms - 3 * HOUR_MS, "shipped_at_ms": now_ms},
                now_ms,
            ),
        ],
        retention_policy=SUMMARY_RP,
        precision="ms",
    )
    # facility_daily copies for the two whole Beijing days before today.
    today = datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [
        (int((today - timedelta(days=k)).timestamp() * 1000), int((today - timedelta(days=k - 1)).timestamp() * 1000))
        for k in (2, 1)
    ]
    inv = build_inventory()
    daily = []
    rollup_lines = []
    for d, (day_ms, _) in enumerate(days):
        for j, fac in enumerate(sorted(inv.facilities.values(), key=lambda f: f.id)):
            tags = {"province": fac.county[:2], "city": fac.county[:4], "county": fac.county, "facility": fac.id}
            fields: dict[str, float] = {
                "scheduled_s": 28800.0,
                "serving_s": 28800.0 - 600 * (j + d),
                "unknown_s": 300.0 * d,
                "outages": j % 3,
                "supervised": 1,
                "devices": 2,
                "device_scheduled_s": 57600.0,
                "device_up_s": 57000.0 - 60 * j,
                "device_unknown_s": 0.0,
                "polls": 960,
                "in_bytes": 1e9 * (j + 1),
                "out_bytes": 5e8 * (j + 1),
            }
            daily.append({**tags, **fields})
            rollup_lines.append(line("facility_daily", tags, fields, day_ms))
    db.write_lines(rollup_lines, retention_policy=ROLLUP_RP, precision="ms")
    yield National(db, now_ms, dict(points), days, daily)
    try:
        db.execute(f'DROP DATABASE "{db.database}"')
    finally:
        db.close()


def _client(inv: Inventory, raw: InfluxDB, national: InfluxDB | None) -> TestClient:
    settings = Settings(database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    shards = ShardMap(default=raw, national_store=national)
    state = AppState(settings=settings, inventory=inv, influx=raw, shards=shards)
    app = create_app(state)
    token = issue_token(state, "ministry", Role.MINISTRY)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _get(client: TestClient, path: str, start_ms: int, end_ms: int) -> dict[str, Any]:
    params = {"start": _iso(start_ms), "end": _iso(end_ms)}
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(BEIJING).isoformat()


def sums(rows: list[Row], start: int, end: int, key: str | None = None) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for t, tags, values in rows:
        if start <= t < end:
            for k in SECONDS:
                out[tags[key] if key else ""][k] += values[k]
    return out


def figures(s: dict[str, float], prefix: str = "") -> dict[str, float]:
    sched, unknown = s[f"{prefix}scheduled_s"], s[f"{prefix}unknown_s"]
    up = s["device_up_s" if prefix else "serving_s"]
    return {"scheduled_s": sched, "up_s": up, "unknown_s": unknown, "down_s": sched - up - unknown}


def _not_midnight(ms: int) -> int:
    """A period end that is not a Beijing midnight (so the period is not whole days)."""
    dt = datetime.fromtimestamp(ms / 1000, BEIJING)
    return ms - BUCKET_MS if (dt.hour, dt.minute) == (0, 0) else ms


@pytest.mark.parametrize(("span_days", "tier"), [(1, SUMMARY_RP), (30, SUMMARY_LONG_RP)])
def test_nation_and_province_equal_the_sum_of_the_summary_points(
    national: National, influx: InfluxDB, span_days: int, tier: str
) -> None:
    inv = build_inventory()
    end = _not_midnight(national.now_ms)
    start = end - span_days * 86_400_000
    with _client(inv, influx, national.db) as client:
        nation = _get(client, "/regions/0/availability", start, end)
        sichuan = _get(client, "/regions/51/availability", start, end)
    assert nation["source"] == sichuan["source"] == "summary"
    assert nation["sources"][0]["source"] == "summary"
    by_province = sums(national.points[(tier, PROVINCE_SUMMARY)], start, end, "province")
    total = sums(national.points[(tier, PROVINCE_SUMMARY)], start, end)[""]
    assert {k: nation[k] for k in ("scheduled_s", "up_s", "unknown_s", "down_s")} == figures(total)
    assert nation["availability"] == pytest.approx(total["serving_s"] / (total["scheduled_s"] - total["unknown_s"]))
    assert {k: nation["device_weighted"][k] for k in ("scheduled_s", "up_s", "unknown_s", "down_s")} == figures(
        total, "device_"
    )
    children = {c["code"]: {k: c[k] for k in ("scheduled_s", "up_s", "unknown_s", "down_s")} for c in nation["data"]}
    assert children == {p: figures(s) for p, s in by_province.items()}
    assert nation["outage_count"] is None and nation["outages"] == []
    assert nation["federation"]["late"] == ["53"]
    lags = {p["province"]: p for p in nation["federation"]["provinces"]}
    assert lags["51"]["late"] is False and lags["53"]["late"] is True

    # Sichuan: the sum of its counties' summary points; its children are its cities.
    counties = [r for r in national.points[(tier, COUNTY_SUMMARY)] if r[1]["province"] == "51"]
    mine = sums(counties, start, end)[""]
    assert {k: sichuan[k] for k in ("scheduled_s", "up_s", "unknown_s", "down_s")} == figures(mine)
    assert [c["code"] for c in sichuan["data"]] == ["5101"]
    assert sichuan["scheduled_s"] == figures(by_province["51"])["scheduled_s"]  # province = sum of counties


def test_whole_days_read_the_rollup_copies(national: National, influx: InfluxDB) -> None:
    inv = build_inventory()
    start, end = national.days[0][0], national.days[-1][1]
    with _client(inv, influx, national.db) as client:
        nation = _get(client, "/regions/0/availability", start, end)
        yunnan = _get(client, "/regions/53/availability", start, end)
        bandwidth = _get(client, "/regions/0/bandwidth", start, end)
    assert nation["source"] == yunnan["source"] == "rollup"
    rows = national.daily
    assert nation["scheduled_s"] == sum(r["scheduled_s"] for r in rows)
    assert nation["up_s"] == sum(r["serving_s"] for r in rows)
    assert nation["unknown_s"] == sum(r["unknown_s"] for r in rows)
    assert nation["outage_count"] == sum(r["outages"] for r in rows) > 0
    assert nation["device_weighted"]["up_s"] == sum(r["device_up_s"] for r in rows)
    mine = [r for r in rows if r["province"] == "53"]
    assert yunnan["up_s"] == sum(r["serving_s"] for r in mine)
    assert yunnan["federation"]["late"] == ["53"]
    assert bandwidth["source"] == "rollup"
    assert bandwidth["in_bytes"] == sum(r["in_bytes"] for r in rows)
    assert bandwidth["federation"]["late"] == ["53"]


def test_bandwidth_from_the_summaries(national: National, influx: InfluxDB) -> None:
    inv = build_inventory()
    end = _not_midnight(national.now_ms)
    start = end - 86_400_000
    with _client(inv, influx, national.db) as client:
        nation = _get(client, "/regions/0/bandwidth", start, end)
        sichuan = _get(client, "/regions/51/bandwidth", start, end)
    assert nation["source"] == "summary" and nation["tier"] == SUMMARY_RP
    per_bucket: dict[int, float] = defaultdict(float)
    for t, _, v in national.points[(SUMMARY_RP, PROVINCE_SUMMARY)]:
        if start <= t < end:
            per_bucket[t] += v["uplink_in_bps"]
    assert nation["samples"] == len(per_bucket) == 288
    assert nation["in_mean_bps"] == pytest.approx(sum(per_bucket.values()) / len(per_bucket))
    assert nation["in_max_bps"] == max(per_bucket.values())
    assert [c["code"] for c in nation["data"]] == ["51", "53"]
    assert [c["code"] for c in sichuan["data"]] == ["5101"]
    sc: dict[int, float] = defaultdict(float)
    for t, tags, v in national.points[(SUMMARY_RP, COUNTY_SUMMARY)]:
        if start <= t < end and tags["province"] == "51":
            sc[t] += v["uplink_in_bps"]
    assert sichuan["in_mean_bps"] == pytest.approx(sum(sc.values()) / len(sc))
    assert nation["federation"]["late"] == ["53"]


def test_a_county_still_reads_raw_polls(national: National, influx: InfluxDB) -> None:
    inv = build_inventory()
    write_polls(influx, inv, "jt-wh-sw1", START, END, down=SWITCH_DOWN)
    with _client(inv, influx, national.db) as with_national, _client(inv, influx, None) as without:
        for path in ("/regions/510121/availability", "/regions/5101/availability", "/regions/510121/bandwidth"):
            a = with_national.get(path, params=PERIOD)
            b = without.get(path, params=PERIOD)
            assert a.status_code == b.status_code == 200, a.text
            assert a.json() == b.json(), path
            assert "federation" not in a.json()
        county = with_national.get("/regions/510121/availability", params=PERIOD).json()
    assert county["source"] in ("raw", "mixed") and county["outage_count"] > 0


def test_the_latest_summaries_in_the_region_summary(national: National, influx: InfluxDB) -> None:
    """/regions/0 and /regions/51 carry the latest 5-minute summaries summed; a county and a store-less API do not."""
    inv = build_inventory()
    last = max(t for t, _, _ in national.points[(SUMMARY_RP, PROVINCE_SUMMARY)])
    at_last = [r for r in national.points[(SUMMARY_RP, COUNTY_SUMMARY)] if r[0] == last]
    with _client(inv, influx, national.db) as client, _client(inv, influx, None) as plain:
        nation = client.get("/regions/0").json()["latest"]
        sichuan = client.get("/regions/51").json()["latest"]
        assert "latest" not in client.get("/regions/510121").json()
        assert "latest" not in plain.get("/regions/0").json()
    for field in ("devices", "devices_up", "devices_down", "devices_unknown", "facilities_serving", "checks_failed"):
        assert nation[field] == sum(v[field] for _, _, v in at_last), field
        assert sichuan[field] == sum(v[field] for _, tags, v in at_last if tags["province"] == "51"), field
    assert nation["uplink_in_bps"] == pytest.approx(sum(v["uplink_in_bps"] for _, _, v in at_last))
    assert nation["as_of"] == _iso(last) and nation["source"] == "summary"
    assert nation["facilities_open"] is None  # not in these summaries: null, never 0
    assert [c["code"] for c in nation["data"]] == ["51", "53"]
    assert [c["code"] for c in sichuan["data"]] == ["5101"]
    assert sichuan["data"][0]["devices_up"] == sichuan["devices_up"]
    assert nation["federation"]["late"] == ["53"]


def test_the_boards_availability_equals_the_answers(national: National, influx: InfluxDB) -> None:
    """全国总览's 各省设备在线率, as Grafana sends it, equals each province's device-weighted availability."""
    from dashboards.build import build_all
    from dashboards.influxql import NATIONAL_DATASOURCE_UID
    from dashboards.templating import TimeRange
    from dashboards.verify import resolve_variables, run_targets

    inv = build_inventory()
    end = national.now_ms - 60_000  # off the bucket grid: Grafana's time <= end and the API's < end agree
    start = end - 86_400_000
    (board,) = [b for b in build_all() if b.uid == "pdcs-national"]
    tr = TimeRange(start, end, end)
    sources = {NATIONAL_DATASOURCE_UID: national.db}
    variables, _ = resolve_variables(board, sources, tr)
    (table,) = [
        r for r in run_targets(board, sources, variables, tr) if r.panel == "各省设备在线率" and r.ref_id == "A"
    ]
    on_board = {s.tags["province"]: s.values[0][s.columns.index("availability")] for s in table.series}
    with _client(inv, influx, national.db) as client:
        answers = {p: _get(client, f"/regions/{p}/availability", start, end) for p in ("51", "53")}
    assert on_board == pytest.approx({p: 100 * a["device_weighted"]["availability"] for p, a in answers.items()})
