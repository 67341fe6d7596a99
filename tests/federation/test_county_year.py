"""County year rows: the national annual figures read 2,857 rows, and equal the facilities' own.

On real InfluxDBs: two provincial stores (四川 51, 云南 53) with the hand-made day of
``test_ship`` rolled up by the roll-up job, shipped by the federation shipper (which computes
the county rows).  Then the nation's and each province's annual assessment pooled from the
county rows equals the one pooled from every facility's year row, float for float; a county
whose row no longer matches (a facility added to the inventory, another rubric) is pooled from
its facilities instead and the answer says so; the year's availability is the county rows
through the last rolled day and the summaries after it, equal to the facility path's answer
over the same time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from federation.schema import ROLLUP_RP
from inventory.models import Inventory
from pdcs.storage import InfluxDB
from pdcs.storage.federated import FederatedInfluxDB
from supervision import answers, national_answers
from supervision.answers import assessment_body
from supervision.assessment import Rubric, assess, default_rubric
from supervision.county_year import COUNTY_YEARLY, county_years, read_county_years, rubric_mark
from supervision.periods import Period, year_period
from supervision.rollup import rollup_days
from tests.federation.test_ship import (
    DAY,
    NEXT,
    T0,
    T1,
    Clock,
    _shipper,
    ms,
    national_server,
    stores,
    write_history,
)
from tests.supervision_api.test_national_answers import _client
from tests.support.figures import build_inventory
from tests.support.scenarios import at

__all__ = ["national_server", "stores"]  # the fixtures, shared with test_ship

YEAR = int(DAY[:4])


def _shipped(stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path) -> tuple[InfluxDB, InfluxDB, InfluxDB]:
    p51, p53, national = stores
    inv = build_inventory()
    write_history(p51, p53, inv)
    for code, store in (("51", p51), ("53", p53)):  # each store rolls up its own province's counties
        only = sorted({f.county for f in inv.facilities_in(code)})
        rollup_days(store, inv, [datetime.fromisoformat(DAY).date()], only=only)
    clock = Clock(T1)
    shipper = _shipper(inv, p51, p53, national, tmp_path / "spool", clock)
    result = shipper.run_once(since_ms=ms(T0))
    assert result.delivered and result.error == "" and result.pending == 0
    shipper.close()
    return p51, p53, national


def rows_of(inv: Inventory) -> set[str]:
    return {f.county for f in inv.facilities.values()}


def _without_basis(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != "basis"}


def test_annual_assessment_from_county_rows_equals_the_facility_path(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = _shipped(stores, tmp_path)
    inv = build_inventory()
    both = FederatedInfluxDB.over([p51, p53])
    # the shipper wrote one row per county of each province, this year and last
    rows = read_county_years(national, "", YEAR)
    assert sorted(rows) == sorted({f.county for f in inv.facilities.values()})
    assert sorted(read_county_years(national, "", YEAR - 1)) == sorted(rows)
    jt = rows["510121"]
    assert jt.facilities == sum(1 for f in inv.facilities.values() if f.county == "510121")
    assert jt.rubric == rubric_mark(default_rubric())
    assert jt.through_ms == ms(at(NEXT))  # DAY rolled up: through the next local midnight
    # the sums are the facility rows' (as the province computes them again now)
    again = county_years(p51, inv, "51", YEAR)["510121"]
    assert (jt.figures.scheduled_ms, jt.figures.up_ms, jt.figures.unknown_ms) == (
        again.figures.scheduled_ms,
        again.figures.up_ms,
        again.figures.unknown_ms,
    )
    assert jt.figures.scheduled_ms > 0 and jt.rolled == again.rolled > 0

    for code, facility_store in (("", both), ("51", p51), ("53", p53)):
        want = answers.assessment(facility_store, inv, code, YEAR)
        got = national_answers.region_assessment(national, facility_store, inv, code, YEAR)
        assert _without_basis(got) == want, code
        counties = {f.county for f in inv.facilities_in(code)}
        assert got["basis"]["county_rows"] == len(counties) and got["basis"]["counties_from_facilities"] == 0
        assert got["basis"]["as_of"] is not None
    # figures a reader checks: some indicator has data, with the province's facilities in the nation's pool
    nation = national_answers.region_assessment(national, both, inv, "", YEAR)
    availability = next(i for i in nation["data"] if i["data_source"]["type"] == "availability")
    assert availability["inputs"]["facilities_with_data"] > 0 and availability["value"] is not None


def test_a_county_without_a_current_row_is_pooled_from_its_facilities(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = _shipped(stores, tmp_path)
    both = FederatedInfluxDB.over([p51, p53])
    inv = build_inventory()
    # a facility added to 大邑县 since the province computed its row: that row no longer stands for it
    grown = build_inventory()
    extra = grown.facilities["dy-lib"].model_copy(update={"id": "dy-new", "name": "新建服务点"})
    grown.facilities["dy-new"] = extra
    want = answers.assessment(both, grown, "", YEAR)
    got = national_answers.region_assessment(national, both, grown, "", YEAR)
    assert _without_basis(got) == want
    assert got["basis"]["counties_from_facilities"] == 1
    assert "dy-new" in str(want)  # the new facility counts (missing data), as the facility path says
    # another rubric: no county row was scored for it, every county from its facilities, same answer
    lenient = Rubric.model_validate({**default_rubric().model_dump(), "min_coverage": 0.1})
    assert rubric_mark(lenient) != rubric_mark(default_rubric())
    want = assessment_body(assess(both, inv, "", YEAR, lenient), inv, "")
    got = national_answers.region_assessment(national, both, inv, "", YEAR, rubric=lenient)
    assert _without_basis(got) == want
    assert got["basis"] == {"county_rows": 0, "counties_from_facilities": len(rows_of(inv)), "as_of": None}
    # the national store's rows themselves are untouched by reading
    n = sum(len(s.values) for s in national.query(f'SELECT * FROM "{ROLLUP_RP}"."{COUNTY_YEARLY}"'))
    assert n == 2 * len({f.county for f in inv.facilities.values()})


def test_year_availability_is_county_rows_then_summaries(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = _shipped(stores, tmp_path)
    inv = build_inventory()
    now = ms(T1)  # the summaries are complete through T1
    for code, store in (("51", p51), ("53", p53)):
        got = national_answers.region_availability(national, inv, code, year_period(YEAR), "x", now_ms=now)
        assert got["source"] == "mixed"
        assert [p["source"] for p in got["sources"]] == ["rollup", "summary"]
        assert got["sources"][0]["end"] == at(NEXT).isoformat() and got["sources"][1]["start"] == at(NEXT).isoformat()
        # the facility path over the same time: DAY from its roll-up rows, NEXT 00:00–08:00 from raw polls
        start = year_period(YEAR).start
        want = answers.region_availability(store, inv, code, Period(start, T1), source="rollup", now=now)
        figures = ("scheduled_s", "up_s", "down_s", "unknown_s", "coverage", "availability")
        assert {k: got[k] for k in figures} == {k: want[k] for k in figures}, code
        assert got["device_weighted"] == want["device_weighted"]
        assert got["scheduled_s"] > 0
    # the nation is the provinces' sum, to the second
    nation = national_answers.region_availability(national, inv, "", year_period(YEAR), "全国", now_ms=now)
    parts = [
        national_answers.region_availability(national, inv, c, year_period(YEAR), "x", now_ms=now) for c in ("51", "53")
    ]
    for k in ("scheduled_s", "up_s", "unknown_s"):
        assert nation[k] == sum(p[k] for p in parts)
    assert {c["code"] for c in nation["data"]} == {"51", "53"}
    # a past year with no county rows read falls back as before (summaries), never to zero figures
    old = national_answers.region_availability(national, inv, "", year_period(YEAR - 2), "全国", now_ms=now)
    assert old["source"] == "summary" and old["availability"] is None


def test_the_api_answers_the_year_from_county_rows(stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path) -> None:
    p51, _, national = _shipped(stores, tmp_path)
    inv = build_inventory()
    with _client(inv, p51, national) as client:
        r = client.get("/regions/51/assessment", params={"year": YEAR})
        assert r.status_code == 200, r.text
        body = r.json()
        year = year_period(YEAR)
        r = client.get(
            "/regions/51/availability", params={"start": year.start.isoformat(), "end": year.end.isoformat()}
        )
        assert r.status_code == 200, r.text
        availability = r.json()
        county = client.get("/regions/510121/assessment", params={"year": YEAR}).json()
    assert body["basis"]["county_rows"] == 2 and body["basis"]["counties_from_facilities"] == 0
    assert _without_basis(body) == answers.assessment(p51, inv, "51", YEAR)
    assert availability["source"] == "mixed" and availability["sources"][0]["source"] == "rollup"
    assert "basis" not in county  # a county is pooled from its facilities, as before
