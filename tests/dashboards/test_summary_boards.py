"""全国总览 and 省级看板 on a real InfluxDB holding hand-written national summaries (NATIONAL.md §2).

Every query is substituted as Grafana sends it (``dashboards.verify``) and its answer compared with
the same figure computed here in Python from the points written: for 24 h and 7 d (the 5-minute
tier) and 30 d (the hourly tier, whose values differ on purpose so a wrong tier shows).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboards import summaries as sm
from dashboards.build import Built, build_all
from dashboards.influxql import DATASOURCE_UID, NATIONAL_DATASOURCE_UID
from dashboards.templating import TimeRange, calculate_interval, duration_ms
from dashboards.verify import TargetResult, has_values, resolve_variables, run_targets
from devstack.influxdb import InfluxServer
from federation.read import federation_status
from pdcs.storage import InfluxDB
from tests.dashboards.conftest import Week

BOARDS = {b.uid: b for b in build_all()}
DAY_MS = 86_400_000
BUCKET_MS = 300_000
HOUR_MS = 3_600_000
# county → (province, city)
COUNTIES = {"510121": ("51", "5101"), "510122": ("51", "5101"), "510302": ("51", "5103"), "440103": ("44", "4401")}
FIELDS = ("devices", "devices_up", "devices_down", "devices_unknown", "facilities_serving", "checks", "checks_failed")


@dataclass(frozen=True)
class Summaries:
    db: InfluxDB
    end_ms: int
    # (rp, measurement) → [(time ms, key tags, fields)]
    points: dict[tuple[str, str], list[tuple[int, dict[str, str], dict[str, float]]]]  # (rp, measurement) → rows


def county_values(i: int, county: str, long: bool) -> dict[str, float]:
    """Deterministic, varying values; the hourly tier reads lower (so a wrong tier is visible)."""
    n = int(county[-1]) + 10
    up = n - 2 - (i % 3) - (3 if long else 0)
    unknown = 1 if i % 5 == 0 else 0
    failed = (i + n) % 4 + (2 if long else 0)
    # Seconds of scheduled service time: none in 4 hours of each day (closed: nothing known, no figure).
    step = 3600 if long else 300
    closed = (i if long else i // 12) % 24 < 4
    scheduled = 0.0 if closed else float(step * n)
    no_data = 0.0 if closed else float(step * (i % 2))
    return {
        "device_scheduled_s": scheduled,
        "device_up_s": 0.0 if closed else scheduled - no_data - float(step * (2 + i % 3 + (3 if long else 0))),
        "device_unknown_s": no_data,
        "devices": n,
        "devices_up": up,
        "devices_down": n - up - unknown,
        "devices_unknown": unknown,
        "facilities_serving": n // 3,
        "checks": 2 * n,
        "checks_failed": failed,
        "uplink_in_bps": 1000.0 * n + 10 * (i % 7),
        "uplink_out_bps": 500.0 * n + 5 * (i % 11),
    }


def line(measurement: str, tags: dict[str, str], fields: dict[str, float], t_ms: int) -> str:
    tag_text = ",".join(f"{k}={v}" for k, v in sorted(tags.items()))
    field_text = ",".join(f"{k}={v}" if isinstance(v, float) else f"{k}={v}i" for k, v in fields.items())
    return f"{measurement},{tag_text} {field_text} {t_ms}"


@pytest.fixture(scope="module")
def summaries(influx_server: InfluxServer) -> Iterator[Summaries]:
    db = InfluxDB(url=influx_server.url, database=f"national_{uuid.uuid4().hex[:10]}", retries=1, backoff_s=0.05)
    db.ensure_database([(sm.SUMMARY_RP, "40d", True), (sm.SUMMARY_LONG_RP, "1825d", False), ("rollup", "1825d", False)])
    # The last whole hour: within the 5-minute tier's 40 days (the ranges below are absolute, from it).
    end_ms = int(time.time() * 1000) // HOUR_MS * HOUR_MS
    points: dict[tuple[str, str], list[tuple[int, dict[str, str], dict[str, float]]]] = defaultdict(list)
    for rp, step, span in ((sm.SUMMARY_RP, BUCKET_MS, 8 * DAY_MS), (sm.SUMMARY_LONG_RP, HOUR_MS, 31 * DAY_MS)):
        lines = []
        for i, t in enumerate(range(end_ms - span, end_ms, step)):
            by_province: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for county, (province, city) in COUNTIES.items():
                values = county_values(i, county, rp == sm.SUMMARY_LONG_RP)
                tags = {"province": province, "city": city, "county": county}
                points[(rp, sm.COUNTY_SUMMARY)].append((t, tags, values))
                lines.append(line(sm.COUNTY_SUMMARY, tags, values, t))
                for k, v in values.items():
                    by_province[province][k] += v
            for province, sums in by_province.items():
                values = {k: (v if k.startswith(("uplink", "device_")) else int(v)) for k, v in sums.items()}
                points[(rp, sm.PROVINCE_SUMMARY)].append((t, {"province": province}, values))
                lines.append(line(sm.PROVINCE_SUMMARY, {"province": province}, values, t))
        db.write_lines(lines, retention_policy=rp, precision="ms")
    # 51 shipped its last bucket 5 minutes ago (on time), 44 two hours ago (late).
    status = [
        line(
            sm.FEDERATION_STATUS, {"province": "51"}, {"through_ms": end_ms - 300_000, "shipped_at_ms": end_ms}, end_ms
        ),
        line(
            sm.FEDERATION_STATUS,
            {"province": "44"},
            {"through_ms": end_ms - 7_200_000, "shipped_at_ms": end_ms},
            end_ms,
        ),
    ]
    db.write_lines(status, precision="ms")
    yield Summaries(db, end_ms, dict(points))
    try:
        db.execute(f'DROP DATABASE "{db.database}"')
    finally:
        db.close()


RANGES = {"24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS}


def time_range(s: Summaries, span: str) -> TimeRange:
    return TimeRange(s.end_ms - RANGES[span], s.end_ms, s.end_ms)


def run(s: Summaries, uid: str, span: str, chosen: dict[str, str] | None = None) -> dict[str, list[TargetResult]]:
    built: Built = BOARDS[uid]
    tr = time_range(s, span)
    # The raw store is empty here: a panel of these boards that read raw would find nothing.
    sources = {NATIONAL_DATASOURCE_UID: s.db, DATASOURCE_UID: s.db}
    variables, var_queries = resolve_variables(built, sources, tr, chosen)
    for name, v in variables.items():
        assert v.options, f"variable {name}: {var_queries[name]} returned nothing"
    by_panel: dict[str, list[TargetResult]] = defaultdict(list)
    for r in run_targets(built, sources, variables, tr):
        assert r.problems == [], f"{r.panel}/{r.ref_id}: {r.problems}\n{r.query}"
        by_panel[r.panel].append(r)
    return by_panel


def answered(results: list[TargetResult]) -> TargetResult:
    """The one target of a tier pair that answered (the other's range condition is false)."""
    with_data = [r for r in results if r.series]
    assert len(with_data) == 1, [(r.ref_id, r.query) for r in results]
    return with_data[0]


def expected_tier(span: str) -> str:
    return sm.SUMMARY_RP if RANGES[span] <= sm.TIER_LIMIT_MS else sm.SUMMARY_LONG_RP


Row = tuple[int, dict[str, str], dict[str, float]]


def in_range(s: Summaries, span: str, measurement: str, tier: str | None = None) -> list[Row]:
    lo = s.end_ms - RANGES[span]
    return [p for p in s.points[(tier or expected_tier(span), measurement)] if lo <= p[0] <= s.end_ms]


def availability_by(points: list[Row], key: str) -> dict[str, float]:
    up: dict[str, float] = defaultdict(float)
    known: dict[str, float] = defaultdict(float)
    for _, tags, v in points:
        up[tags[key]] += v["device_up_s"]
        known[tags[key]] += v["device_scheduled_s"] - v["device_unknown_s"]
    return {k: 100 * up[k] / known[k] for k in up if known[k] > 0}


def latest_by(points: list[Row], key: str) -> dict[str, dict[str, float]]:
    last: dict[str, tuple[int, dict[str, float]]] = {}
    for t, tags, v in points:
        if tags[key] not in last or t > last[tags[key]][0]:
            last[tags[key]] = (t, v)
    return {k: v for k, (_, v) in last.items()}


def column(result: TargetResult, name: str, key: str) -> dict[str, float]:
    out = {}
    for series in result.series:
        i = series.columns.index(name)
        ((value),) = [row[i] for row in series.values]
        out[series.tags[key]] = value
    return out


@pytest.mark.parametrize("span", list(RANGES))
def test_national_board_figures_equal_the_summaries(summaries: Summaries, span: str) -> None:
    panels = run(summaries, "pdcs-national", span)
    tier = expected_tier(span)
    for panel, results in panels.items():
        assert any(has_values(r) for r in results), f"{panel}: no data"
        for r in results:
            if r.series and "federation_status" not in r.query:
                assert f'FROM "{tier}".' in r.query, f"{panel}/{r.ref_id} read the wrong tier: {r.query}"
    points = in_range(summaries, span, sm.PROVINCE_SUMMARY)
    latest = latest_by(points, "province")

    def counter(title: str) -> float:
        (series,) = answered(panels[title]).series
        return float(series.values[0][1])

    assert counter("设备总数") == sum(v["devices"] for v in latest.values())
    assert counter("在线设备") == sum(v["devices_up"] for v in latest.values())
    assert counter("离线设备") == sum(v["devices_down"] for v in latest.values())
    assert counter("未通过检查项") == sum(v["checks_failed"] for v in latest.values())
    assert counter("服务中场馆") == sum(v["facilities_serving"] for v in latest.values())
    (late,) = [r for r in panels["迟报省份"] if r.series]
    assert late.series[0].values[0][1] == 1  # 44 is two hours behind

    table = {r.ref_id: r for r in panels["各省设备在线率"]}
    avail = answered([table["A"], table["A_1h"]])
    assert column(avail, "availability", "province") == pytest.approx(availability_by(points, "province"))
    devices = answered([table["B"], table["B_1h"]])
    assert column(devices, "devices", "province") == {p: v["devices"] for p, v in latest.items()}
    assert column(table["C"], "lag_min", "province") == {"51": 5, "44": 120}
    assert column(table["C"], "through_ms", "province") == {
        "51": summaries.end_ms - 300_000,
        "44": summaries.end_ms - 7_200_000,
    }

    rates = column(answered(panels["各省安全检查通过率"]), "pass_rate", "province")
    assert rates == pytest.approx(
        {p: 100 * (v["checks"] - v["checks_failed"]) / v["checks"] for p, v in latest.items()}
    )

    # 出口带宽合计: the provinces' rows summed per bucket of the tier read (5 minutes up to 7 days, else 1 hour).
    bucket = {"24h": 300_000, "7d": 300_000, "30d": HOUR_MS}[span]
    want: dict[int, float] = defaultdict(float)
    for t, _, v in points:
        want[t // bucket * bucket] += v["uplink_in_bps"]
    assert len(want) == RANGES[span] // bucket  # one point per bucket of the range
    (bw,) = answered(panels["出口带宽合计"]).series
    got = {row[0]: row[bw.columns.index("in_bps")] for row in bw.values if row[bw.columns.index("in_bps")] is not None}
    assert got == pytest.approx(dict(want))

    # 在线率趋势: per province and $__interval, Σ up ÷ Σ (up + down).
    tp = next(p for p, _ in BOARDS["pdcs-national"].targets() if p.title == "在线率趋势")
    interval = calculate_interval(
        time_range(summaries, span), int(tp.max_data_points or 1000), duration_ms(tp.interval or "0ms")
    )
    assert interval == {"24h": 300_000, "7d": HOUR_MS, "30d": 3 * HOUR_MS}[span]
    trend = answered(panels["在线率趋势"])
    assert {s.tags["province"] for s in trend.series} == {"51", "44"}
    for s in trend.series:
        mine = [p for p in points if p[1]["province"] == s.tags["province"]]
        up: dict[int, float] = defaultdict(float)
        known: dict[int, float] = defaultdict(float)
        for t, _, v in mine:
            up[t // interval * interval] += v["device_up_s"]
            known[t // interval * interval] += v["device_scheduled_s"] - v["device_unknown_s"]
        want = {t: 100 * up[t] / known[t] for t in up if known[t] > 0}
        assert len(want) < len(up)  # closed hours: no figure, not 0 %
        assert {row[0]: row[1] for row in s.values} == pytest.approx(want)


@pytest.mark.parametrize("span", list(RANGES))
def test_province_board_figures_equal_the_county_summaries(summaries: Summaries, span: str) -> None:
    panels = run(summaries, "pdcs-province", span, chosen={"province": "51"})
    for panel, results in panels.items():
        assert any(has_values(r) for r in results), f"{panel}: no data"
    points = [p for p in in_range(summaries, span, sm.COUNTY_SUMMARY) if p[1]["province"] == "51"]
    latest = latest_by(points, "county")
    (series,) = answered(panels["在线设备"]).series
    assert series.values[0][1] == sum(v["devices_up"] for v in latest.values())
    (lag,) = panels["汇总延迟"]
    assert lag.series[0].values[0][lag.series[0].columns.index("lag_min")] == 5

    table = {r.ref_id: r for r in panels["各县（区）设备在线率"]}
    avail = answered([table["A"], table["A_1h"]])
    assert column(avail, "availability", "county") == pytest.approx(availability_by(points, "county"))
    assert all(s.tags["city"] == COUNTIES[s.tags["county"]][1] for s in avail.series)
    counts = answered([table["B"], table["B_1h"]])
    assert column(counts, "checks_failed", "county") == {c: v["checks_failed"] for c, v in latest.items()}
    trend = answered(panels["各市在线率趋势"])
    assert {s.tags["city"] for s in trend.series} == {"5101", "5103"}


def test_the_hourly_tier_differs_so_the_tier_test_means_something(summaries: Summaries) -> None:
    five = availability_by(in_range(summaries, "7d", sm.PROVINCE_SUMMARY, sm.SUMMARY_RP), "province")
    hourly = availability_by(in_range(summaries, "7d", sm.PROVINCE_SUMMARY, sm.SUMMARY_LONG_RP), "province")
    assert all(abs(five[p] - hourly[p]) > 5 for p in five)


def test_late_provinces_vanish_when_on_time(summaries: Summaries) -> None:
    """A province that catches up is no longer counted late (the count answers nothing: 0)."""
    tr = TimeRange(summaries.end_ms - DAY_MS, summaries.end_ms - 7_200_000 + 60_000, summaries.end_ms)
    built = BOARDS["pdcs-national"]
    sources = {NATIONAL_DATASOURCE_UID: summaries.db}
    variables, _ = resolve_variables(built, sources, tr)
    (late,) = [r for r in run_targets(built, sources, variables, tr) if r.panel == "迟报省份"]
    assert late.series == []


def test_grafana_check_runs_the_summary_boards_on_the_national_store(summaries: Summaries, week: Week) -> None:
    """``pdcs grafana check --national-db``: the raw boards on the raw store, the summary boards on the national one."""
    from tests.dashboards.test_cli import run as grafana

    db = summaries.db
    done = grafana("check", "--influx-url", week.db.url, "--influx-db", week.db.database, "--national-db", db.database)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout and "SKIP" not in done.stdout
    assert "ok    pdcs-national / 各省设备在线率 / C" in done.stdout  # 上报状态, whatever the range
    assert "ok    pdcs-county / 场馆状态 / A" in done.stdout
    without = grafana("check", "--influx-url", week.db.url, "--influx-db", week.db.database)
    assert "SKIP  pdcs-national" in without.stdout and without.returncode == 0


def late_counted(built: Built, s: Summaries) -> int:
    """迟报省份 at ``$__to`` = the fixture's end, on the real InfluxDB (no answer: 0 late)."""
    tr = TimeRange(s.end_ms - DAY_MS, s.end_ms, s.end_ms)
    sources = {NATIONAL_DATASOURCE_UID: s.db}
    variables, _ = resolve_variables(built, sources, tr)
    (late,) = [r for r in run_targets(built, sources, variables, tr) if r.panel == "迟报省份"]
    assert late.problems == [], late.problems
    return sum(int(row[late.series[0].columns.index("late")]) for row in late.series[0].values) if late.series else 0


def test_the_late_threshold_follows_the_setting(summaries: Summaries, tmp_path: Path) -> None:
    """``PDCS_FEDERATION_LATE_AFTER_S`` at build time is the boards' threshold, applied exactly as
    ``federation_status`` applies it: 51 is 300 s behind ``$__to``, 44 7,200 s; late means strictly more."""
    from tests.dashboards.test_cli import run as grafana

    done = grafana("build", "--out", str(tmp_path), PDCS_FEDERATION_LATE_AFTER_S="7199")
    assert done.returncode == 0, done.stderr
    national = json.loads((tmp_path / "regions" / "pdcs-national.json").read_text("utf-8"))
    (late_panel,) = [p for p in national["panels"] if p["title"] == "迟报省份"]
    assert '"lag_ms" > 7199000' in late_panel["targets"][0]["query"]
    assert "超过 7199 秒" in national["description"] and "PDCS_FEDERATION_LATE_AFTER_S" in late_panel["description"]
    province = json.loads((tmp_path / "regions" / "pdcs-province.json").read_text("utf-8"))
    (lag_panel,) = [p for p in province["panels"] if p["title"] == "汇总延迟"]
    steps = lag_panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1] == {"color": "red", "value": pytest.approx(7199 / 60)}
    # The committed boards keep the default whatever the environment (dashboards/json is the same for all).
    assert grafana("build", "--check", PDCS_FEDERATION_LATE_AFTER_S="7199").returncode == 0
    bad = grafana("build", "--out", str(tmp_path), PDCS_FEDERATION_LATE_AFTER_S="0")
    assert (
        bad.returncode == 2 and "设置无效：PDCS_FEDERATION_LATE_AFTER_S: Input should be greater than 0" in bad.stderr
    )

    for late_after_s, late in ((7200, 0), (7199, 1), (300, 1), (299, 2)):
        (built,) = [b for b in build_all(late_after_s=late_after_s) if b.uid == "pdcs-national"]
        if late_after_s == 7199:
            (target,) = [t for p, t in built.targets() if p.title == "迟报省份"]
            assert target.query == late_panel["targets"][0]["query"]  # what the command wrote
        assert late_counted(built, summaries) == late, late_after_s
        status = federation_status(summaries.db, now_ms=summaries.end_ms, late_after_s=late_after_s)
        assert len(status.late) == late
