"""The nation's and a province's report read the national store where the API does (issue 19).

On real InfluxDBs: two provincial stores (四川 51, 云南 53) with ``test_ship``'s hand-made day,
rolled up and shipped to a national InfluxDB by the real shipper (``test_county_year._shipped``).
With the national store given, the annual report of the nation and of 四川 takes its availability
from ``national_answers.region_availability`` (the county year rows, then the summaries), its
bandwidth from ``region_bandwidth`` and its assessment from ``region_assessment`` — the facility
path's figures, float for float — and says where they come from, that outages are not listed at
this level and that the count of devices with data is not given (never 0).  A county's report is
the same with or without a national store; ``pdcs report`` and ``/regions/{code}/report`` pass it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from pdcs.cli import app
from pdcs.storage import InfluxDB
from pdcs.storage.federated import FederatedInfluxDB
from reports import render
from reports.content import Report, Section, num, pct
from reports.gather import build_report
from reports.sections_extra import assessment_section
from supervision import national_answers
from supervision.periods import Period, year_period
from supervision.rollup import bandwidth_rollup
from supervision_api.db import Database, inventory_store
from tests.federation.test_county_year import YEAR, _shipped
from tests.federation.test_ship import DAY, NEXT, T0, T1, national_server, stores
from tests.supervision_api.test_national_answers import _client
from tests.support.figures import build_inventory
from tests.support.scenarios import at

__all__ = ["national_server", "stores"]  # the fixtures


def _section(rep: Report, key: str) -> Section:
    return next(s for s in rep.sections if s.key == key)


def _headline(sec: Section) -> dict[str, object]:
    return {h.label: h.value for h in sec.headline}


def _check_year_report(rep: Report, national: InfluxDB, facility_store: InfluxDB, code: str) -> None:
    """Availability, coverage, bandwidth and assessment of ``rep`` are the national answers'."""
    inv = build_inventory()
    year = year_period(YEAR)
    want = national_answers.region_availability(national, inv, code, year, "x")
    assert want["basis"] == "county_year" and want["source"] == "mixed"
    sec = _section(rep, "availability")
    head = _headline(sec)
    assert head["设施服务可用率"] == pct(want["availability"]) and want["availability"] is not None
    assert head["设备加权可用率"] == pct(want["device_weighted"]["availability"])
    assert head["计划服务时长"] == num(want["scheduled_s"] / 3600, 2) and want["scheduled_s"] > 0
    assert head["停服次数"] == "无数据"  # mixed with summaries: the count is not known, never 0
    assert head["未纳入监管的设施"] == "本层级不提供"
    children = sec.tables[0]
    assert [r[0] for r in children.rows] == [c["code"] for c in want["data"]]
    assert [r[7] for r in children.rows] == [pct(c["availability"]) for c in want["data"]]
    assert {t.key for t in sec.tables} == {"availability", "sources"}  # no outage list, no no-data list
    assert [r[0] for r in sec.tables[-1].rows] == ["rollup", "summary"]
    notes = " ".join(sec.notes)
    assert "县级年度汇总" in notes and "不逐条列出" in notes and "不计为零" in notes
    # coverage: the devices' scheduled time with data, from the same rows; the device count is not given
    assert rep.coverage["devices_with_data"] is None
    assert rep.coverage["share"] == num(want["device_weighted"]["coverage"]) and rep.coverage["share"] is not None
    assert rep.coverage["devices"] == len(inv.devices_in([code]))
    assert "本层级不提供" in str(rep.coverage["method"])
    # bandwidth: the national answer for the year (whole days: the year rows copied to the national store)
    bw = national_answers.region_bandwidth(national, inv, code, year, "x")
    assert bw["source"] == "rollup" and bw["basis"] == "county_year" and bw["in_bytes"] > 0
    # the county rows' sums are the facility year rows' (the facility path over the same copies)
    rows = bandwidth_rollup(national, inv, code, year)
    for k in ("in_bytes", "out_bytes", "facilities_with_data", "util_p95_mean", "checks", "checks_passed"):
        assert bw[k] == rows[k], k
    assert bw["data"] == [] and sum(c["in_bytes"] for c in bw["children"]) == bw["in_bytes"]
    sec = _section(rep, "bandwidth")
    assert _headline(sec)["平均入速率"] == num(bw["in_bytes"] * 8 / year.seconds / 1e6, 3)
    assert sec.available and sec.tables[0].rows[0][0] == ("51" if not code else "5101")
    # assessment: region_assessment's, which is the facility path's (the same section, but the note of its basis)
    body = national_answers.region_assessment(national, facility_store, inv, code, YEAR)
    assert body["basis"]["county_rows"] > 0 and body["basis"]["counties_from_facilities"] == 0
    got = _section(rep, "assessment")
    facility_path = assessment_section(facility_store, inv, code, year, "zh")
    assert got.tables == facility_path.tables and got.headline == facility_path.headline
    assert got.notes[:-1] == facility_path.notes and "县级年度汇总" in got.notes[-1]


def test_national_and_province_reports_read_the_national_store(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = _shipped(stores, tmp_path)
    inv = build_inventory()
    both = FederatedInfluxDB.over([p51, p53])
    year = year_period(YEAR)
    nation = build_report(both, inv, "", year, national=national)
    _check_year_report(nation, national, both, "")
    assert [r[0] for r in _section(nation, "availability").tables[0].rows] == ["51", "53"]
    province = build_report(p51, inv, "51", year, national=national)
    _check_year_report(province, national, p51, "51")
    # security, grading and service use still read the province stores (the failed check of 51 is there)
    assert _headline(_section(province, "security"))["检查项（设备×检查）"] == 3

    # a facility added since the county rows were computed: the year's bandwidth reads the facility rows again
    grown = build_inventory()
    grown.facilities["dy-new"] = grown.facilities["dy-lib"].model_copy(update={"id": "dy-new", "name": "新建服务点"})
    again = national_answers.region_bandwidth(national, grown, "51", year, "x")
    assert "basis" not in again and again["in_bytes"] == bandwidth_rollup(national, grown, "51", year)["in_bytes"]

    # a county: the same report, national store or not (a past day: nothing moves with "now")
    past = Period(T0, T1)
    county = build_report(p51, inv, "510121", past, national=national)
    assert county.content_sha256 == build_report(p51, inv, "510121", past).content_sha256
    assert county.coverage["devices_with_data"] is not None

    # a period that is not whole days: the summaries, outages not known; bandwidth from the summaries
    short = build_report(p51, inv, "51", Period(T0, T1), national=national)
    sec = _section(short, "availability")
    assert _headline(sec)["停服次数"] == "无数据" and "摘要不含停服记录" in " ".join(sec.notes)
    want = national_answers.region_availability(national, inv, "51", Period(T0, T1), "x")
    assert want["basis"] == "summary" and _headline(sec)["设施服务可用率"] == pct(want["availability"])
    bw = _section(short, "bandwidth")
    assert _headline(bw)["平均入速率"] == 8.0  # the library's uplink, 8 Mbit/s whenever it reported
    # one whole day: the daily roll-ups copied there, outages counted (jt-wh, fm-lib's row) but not listed
    day = build_report(both, inv, "", Period(at(DAY), at(NEXT)), national=national)
    sec = _section(day, "availability")
    assert isinstance(_headline(sec)["停服次数"], int) and "只计次数" in " ".join(sec.notes)
    assert "设施日汇总" in " ".join(sec.notes)

    # in English, and rendered: the count of devices with data says why it is missing, never "None" or 0
    en = build_report(both, inv, "", year, "en", national=national)
    assert "not known at this level (not counted as zero)" in " ".join(_section(en, "availability").notes)
    with zipfile.ZipFile(io.BytesIO(render(nation, "csv").body)) as z:
        summary = next(n for n in z.namelist() if n.startswith("00"))
        rows = list(csv.reader(io.StringIO(z.read(summary).decode("utf-8-sig"))))
    coverage_row = next(r for r in rows if r and r[0] == "数据覆盖率")
    assert coverage_row[2] == f"本层级不提供/{nation.coverage['devices']}"
    assert render(nation, "pdf").body.startswith(b"%PDF") and render(nation, "xlsx").body[:2] == b"PK"


def test_the_api_and_the_cli_pass_the_national_store(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = _shipped(stores, tmp_path)
    inv = build_inventory()
    day = Period(at(DAY), at(NEXT))  # a past day: the same content at every call
    q = {"start": day.start.isoformat(), "end": day.end.isoformat()}
    with _client(inv, p51, national) as client:
        r = client.get("/regions/51/report", params=q)
        assert r.status_code == 200, r.text[:300]
        doc = r.json()
        county = client.get("/regions/510121/report", params=q).json()
        whole = year_period(YEAR)
        r = client.get("/regions/51/bandwidth", params={"start": whole.start.isoformat(), "end": whole.end.isoformat()})
        assert r.status_code == 200, r.text[:300]
        bandwidth = r.json()
    assert bandwidth["basis"] == "county_year" and [c["code"] for c in bandwidth["children"]] == ["5101"]
    as_sent = Period(datetime.fromisoformat(q["start"]), datetime.fromisoformat(q["end"]))  # its zone as parsed
    want = build_report(p51, inv, "51", as_sent, national=national)
    assert doc["content_sha256"] == want.content_sha256
    assert doc["coverage"]["devices_with_data"] is None
    assert county["coverage"]["devices_with_data"] is not None

    # pdcs report with a shard map naming the national store
    db_url = f"sqlite:///{tmp_path}/pdcs.sqlite"
    db = Database(db_url)
    db.create_schema()
    with db.session() as s:
        inventory_store.replace(s, inv)
    db.dispose()
    shard_map = tmp_path / "shards.yaml"
    shard_map.write_text(
        f"default: {{url: {p51.url}, database: {p51.database}}}\n"
        f'provinces:\n  "53": {{url: {p53.url}, database: {p53.database}}}\n'
        f"national: {{url: {national.url}, database: {national.database}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    env = {"PDCS_DATABASE_URL": db_url, "PDCS_INFLUX_SHARDS": str(shard_map), "PDCS_ENV_FILE": ""}
    args = ["report", "-r", "51", "--start", q["start"], "--end", q["end"], "-f", "json", "-o", str(out)]
    r = CliRunner().invoke(app, args, env=env)
    assert r.exit_code == 0, r.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["content_sha256"] == want.content_sha256
