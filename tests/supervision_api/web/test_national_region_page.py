"""The inspectors' region page with a national store (issue 19): the nation's and a province's page show the
national store's answers (as the API gives them), never a fake 0 outages, and say where the figures come from
and which provinces are late; a county's and a city's page are unchanged by the national store.

Real InfluxDB: the national store of tests/supervision_api/test_national_answers.py (hand-written summaries,
``facility_daily`` copies, ``federation_status`` with Yunnan late) and raw polls for the county.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from pdcs.storage import InfluxDB
from supervision.periods import BEIJING
from tests.supervision_api.test_national_answers import National, _client, national  # noqa: F401
from tests.support.figures import build_inventory
from tests.support.scenarios import END, START, SWITCH_DOWN, write_polls

from .test_inspector_page import pct

HEAD = re.compile(r'id="head-(availability|outages)">([^<]*)<')


def _sign_in(client: TestClient) -> TestClient:
    token = client.headers["Authorization"].removeprefix("Bearer ")
    client.post("/web/login", data={"token": token}, follow_redirects=False)
    return client


def _page(client: TestClient, code: str, start: str, end: str, lang: str = "zh") -> str:
    r = client.get(f"/web/region/{code}", params={"start": start, "end": end, "lang": lang})
    assert r.status_code == 200, r.text[:500]
    return r.text


def _head(page: str) -> dict[str, str]:
    return dict(HEAD.findall(page))


def _cells(page: str) -> dict[str, list[str]]:
    """Each child row's cells (text), by its code."""
    out = {}
    for code, body in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', page, re.S):
        out[code] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    return out


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, BEIJING).date().isoformat()


def test_the_nations_page_shows_the_national_answer_from_the_rollup_copies(
    national: National,  # noqa: F811
    influx: InfluxDB,
) -> None:
    """Two whole past days: the facility_daily copies. The head equals /regions/0/availability, its outage
    count is the copies' sum, each province's outages are '—' (not known by child), and no outage list."""
    inv = build_inventory()
    start, end = national.days[0][0], national.days[-1][1]
    day_a, day_b = _day(start), _day(end - 1)
    with _sign_in(_client(inv, influx, national.db)) as client:
        page = _page(client, "0", day_a, day_b)
        api = client.get("/regions/0/availability", params={"start": f"{day_a}T00:00:00+08:00", "end": _iso(end)})
        sichuan = _page(client, "51", day_a, day_b)
    body = api.json()
    assert body["source"] == "rollup" and body["outage_count"] > 0
    assert _head(page) == {"availability": pct(body["availability"]), "outages": str(body["outage_count"])}
    cells = _cells(page)
    assert set(cells) == {"51", "53"}
    for child in body["data"]:
        assert cells[child["code"]][2] == pct(child["availability"])
        assert cells[child["code"]][4] == "—"  # outages by province: not known at this level, never 0
    assert 'id="spans"' not in page and 'id="spans-not-known">本层级不可得<' in page
    notes = re.search(r'<div id="national-notes">(.*?)</div>', page, re.S)
    assert notes and "各省上报全国汇总库的汇总" in notes.group(1) and "设施日汇总在全国汇总库中的副本" in notes.group(1)
    assert "停服次数为本区划合计" in notes.group(1)
    # A province reads the same copies: its cities are its children, its figures those of its rows.
    mine = [r for r in national.daily if r["province"] == "51"]
    assert _cells(sichuan).keys() == {"5101"}
    assert _head(sichuan)["outages"] == str(sum(r["outages"] for r in mine))


def test_the_nations_page_from_the_summaries_says_outages_are_not_known_and_who_is_late(
    national: National,  # noqa: F811
    influx: InfluxDB,
) -> None:
    """Yesterday and today so far: the 5-minute summaries. No outage count (not 0), Yunnan said to be late."""
    inv = build_inventory()
    today = datetime.now(BEIJING).date()
    day_a, day_b = (today - timedelta(days=1)).isoformat(), today.isoformat()
    with _sign_in(_client(inv, influx, national.db)) as client:
        page = _page(client, "0", day_a, day_b)
        english = _page(client, "0", day_a, day_b, "en")
        now = datetime.now(BEIJING).replace(microsecond=0).isoformat()
        body = client.get("/regions/0/availability", params={"start": f"{day_a}T00:00:00+08:00", "end": now}).json()
    assert body["source"] == "summary" and body["outage_count"] is None
    head = _head(page)
    assert head == {"availability": pct(body["availability"]), "outages": "本层级不可得"}
    assert all(c[4] == "—" for c in _cells(page).values())
    assert "摘要不含停服记录" in page and "云南省（53）迟报" in page
    assert "利用率在本层级不可得" in page
    assert _head(english)["outages"] == "not known at this level"
    assert "云南省（53） is late" in english


def test_a_county_and_a_city_page_are_unchanged_by_the_national_store(
    national: National,  # noqa: F811
    influx: InfluxDB,
) -> None:
    inv = build_inventory()
    write_polls(influx, inv, "jt-wh-sw1", START, END, down=SWITCH_DOWN)
    day_a, day_b = (
        START.astimezone(BEIJING).date().isoformat(),
        (END - timedelta(seconds=1)).astimezone(BEIJING).date().isoformat(),
    )
    with _sign_in(_client(inv, influx, national.db)) as with_national, _sign_in(_client(inv, influx, None)) as plain:
        for code in ("510121", "5101"):
            a, b = _page(with_national, code, day_a, day_b), _page(plain, code, day_a, day_b)
            assert a == b, code
            assert "national-notes" not in a
        county = _page(with_national, "510121", day_a, day_b)
    assert int(_head(county)["outages"]) > 0 and 'id="spans"' in county


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, BEIJING).isoformat()
