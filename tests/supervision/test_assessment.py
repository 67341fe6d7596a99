"""The annual assessment on a real InfluxDB holding the fortnight's roll-ups, scores worked out by hand.

金堂县 (510121): 金堂县图书馆 (wireless yes, digital library yes), 金堂县文化馆
(wireless yes, digital cultural centre no), 赵镇中心 (wireless no, upgraded yes).
Roll-ups: the library and the centre were polled, 赵镇 never (and states no commissioning date,
so it has no supervised time: its 48 h no longer count as not serving — that was the bug); serving
92.25 h of 96 h scheduled (0.9609375); 3 security checks, 2 passed.

indicator                  value    score   weight
wireless_coverage          1/3      33.33   10   (the library's APs answered but no client was ever seen:
                                                  measured, not covered; the centre as declared; 赵镇 no)
digital_library_service    1/1      100      8
digital_cultural_centre    0/1      0        6   (target 50 %)
service_point_upgraded     1/1      100      6
e_reading_baseline         0/1      0        6   (赵镇: 1 terminal of the 10 the 2012 plan asks)
remote_supervision         2/3      66.67    8
availability               0.9609   67.71   12   (band 0.90 → 0.99: (0.9609375 − 0.9) ÷ 0.09)
security_compliance        2/3      66.67   10
terminal_use, service_sessions, satisfaction: no data (not scored)
opening_hours              0/1      0        6   (赵镇: 40 h a week of the 42 asked)
total over scored = (333.33 + 800 + 0 + 600 + 0 + 533.33 + 812.5 + 666.67 + 0) / 72 = 52.03, coverage 72 %.

Weighted data coverage (Σ weight × share of what each indicator is about that gave data ÷ Σ weight):
the attribute and inventory indicators 1, remote supervision 3/3, availability 2/3 × (1 − 0 h ÷ 96 h),
security 1/3, terminal use and sessions 0 of the 3 facilities with terminals, satisfaction 0 of 3
→ (10 + 8 + 6 + 6 + 6 + 8 + 12 × 2/3 + 10 × 1/3 + 0 + 0 + 6 + 0) / 100 = 0.6133 < 0.8: the total is
withheld (数据不足) until terminal use and a satisfaction survey are in; with the threshold at 0.6 it is 52.03.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.storage import InfluxDB
from supervision.assessment import Scoring, assess, default_rubric, truthy


def _by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in body["data"]}


def test_scoring_functions() -> None:
    assert Scoring(function="linear", target=0.5).score(0.25) == 50
    assert Scoring(function="linear", target=0.5).score(0.8) == 100
    band = Scoring(function="band", floor=0.9, target=0.99)
    assert band.score(0.9) == 0 and band.score(0.99) == 100 and band.score(0.945) == pytest.approx(50)
    assert truthy("是") is True and truthy("no") is False and truthy("maybe") is None and truthy(0) is False


def test_county_scores_explain_themselves(client: TestClient, rolled: InfluxDB, inventory: Inventory) -> None:
    body = client.get("/regions/510121/assessment", params={"year": 2026}).json()
    ind = _by_id(body)
    assert ind["wireless_coverage"]["value"] == pytest.approx(1 / 3)
    inputs = ind["wireless_coverage"]["inputs"]
    assert (inputs["numerator"], inputs["denominator"], inputs["facilities"], inputs["facilities_with_data"]) == (
        1, 3, 3, 3
    )  # fmt: skip
    assert inputs["numerator_text"]["zh"] == "填报为“是”的设施 1 个"
    assert (ind["wireless_coverage"]["basis"]["measured"], ind["wireless_coverage"]["basis"]["declared"]) == (1, 2)
    assert ind["e_reading_baseline"]["score"] == 0 and ind["opening_hours"]["score"] == 0
    assert ind["terminal_use"]["status"] == "no_data" and ind["satisfaction"]["status"] == "no_data"
    assert ind["terminal_use"]["inputs"]["facilities"] == 3  # those with terminals or kiosks
    av = ind["availability"]["inputs"]
    assert (av["unit"], av["numerator"], av["denominator"], av["no_data_hours"]) == ("h", 92.25, 96, 0)
    assert av["numerator_text"]["zh"] == "开放时间内服务 92.25 小时"
    assert av["denominator_text"]["zh"] == "计划服务 96 小时（其中无数据 0 小时，计为未服务）"
    assert av["missing_facilities"] == ["jt-zhaozhen"]
    assert ind["availability"]["unit"]["zh"] == "比例（小时之比）"
    assert ind["digital_cultural_centre"]["score"] == 0
    assert ind["service_point_upgraded"]["score"] == 100
    assert ind["remote_supervision"]["value"] == pytest.approx(2 / 3)
    assert ind["availability"]["value"] == pytest.approx(92.25 / 96)
    assert ind["availability"]["score"] == pytest.approx((92.25 / 96 - 0.9) / 0.09 * 100)
    assert ind["security_compliance"]["inputs"]["numerator"] == 2
    assert body["score"] is None and body["status"] == "insufficient_data"
    assert body["coverage"] == pytest.approx(0.72)
    assert body["weighted_coverage"] == pytest.approx(0.61333, abs=1e-5)
    lenient = default_rubric().model_copy(update={"min_coverage": 0.6})
    assert assess(rolled, inventory, "510121", 2026, lenient).region("510121")["score"] == pytest.approx(
        3745.8333 / 72, abs=1e-4
    )
    assert ind["availability"]["label"]["zh"] == "开放时间内服务可用率"
    assert "÷" in ind["availability"]["formula"]["zh"] and "scheduled" in ind["availability"]["formula"]["en"]


def test_missing_data_is_not_scored(client: TestClient, rolled: InfluxDB) -> None:
    # 大邑县: one library stating wireless yes and digital library no; no roll-ups, no other kinds.
    body = client.get("/regions/510129/assessment", params={"year": 2026}).json()
    ind = _by_id(body)
    assert [i for i, v in ind.items() if v["status"] == "scored"] == ["wireless_coverage", "digital_library_service"]
    assert ind["availability"]["value"] is None and ind["availability"]["score"] is None
    assert ind["availability"]["note"]["en"].startswith("no data")
    # Only 18 % of the weight has data (weighted data coverage 18 ÷ 58 = 0.310; the indicators about
    # cultural centres, service points, e-reading rooms, terminals and opening minimums are about nothing
    # here): 数据不足 instead of the 55.6 the scored indicators give.
    assert body["score"] is None and body["status"] == "insufficient_data"
    assert body["status_text"]["zh"].startswith("数据不足")
    assert body["coverage"] == pytest.approx(0.18) and body["weighted_coverage"] == pytest.approx(18 / 58)
    missing = {m["id"]: m for m in body["missing"]}
    assert set(missing) == {"remote_supervision", "availability", "security_compliance", "satisfaction"}
    assert missing["availability"]["missing_facilities"] == ["dy-lib"]
    # 富民县 states nothing: no score at all rather than 0.
    empty = client.get("/regions/530124/assessment", params={"year": 2026}).json()
    assert empty["score"] is None and empty["coverage"] == 0


def test_rolled_up_to_city_and_nation(client: TestClient, rolled: InfluxDB) -> None:
    city = client.get("/regions/5101/assessment", params={"year": 2026}).json()
    ind = _by_id(city)
    # Pooled: wireless 2 of 4 libraries/centres (金堂's library measured uncovered); digital library 1 of 2.
    assert ind["wireless_coverage"]["value"] == pytest.approx(2 / 4)
    assert ind["digital_library_service"]["value"] == pytest.approx(1 / 2)
    # Roll-ups exist for 3 of the city's 4 facilities.
    assert ind["remote_supervision"]["inputs"]["facilities_with_data"] == 3
    assert [(c["code"], c["name"]) for c in city["children"]] == [("510121", "金堂县"), ("510129", "大邑县")]
    assert city["children"][0]["score"] is None and city["children"][0]["weighted_coverage"] == pytest.approx(
        0.61333, abs=1e-5
    )
    assert city["children"][1]["score"] is None and city["children"][1]["status"] == "insufficient_data"
    nation = client.get("/regions/0/assessment", params={"year": 2026}).json()
    assert _by_id(nation)["wireless_coverage"]["inputs"]["facilities"] == 5
    assert [c["code"] for c in nation["children"]] == ["51", "53"]
    # Another year has no roll-ups: only inventory facts are scored.
    other = _by_id(client.get("/regions/510121/assessment", params={"year": 2025}).json())
    assert other["availability"]["status"] == "no_data" and other["wireless_coverage"]["status"] == "scored"


def test_threshold_is_configurable(rolled: InfluxDB, inventory: Inventory) -> None:
    strict = default_rubric().model_copy(update={"min_coverage": 0.9})
    body = assess(rolled, inventory, "510121", 2026, strict).region("510121")
    assert body["score"] is None and body["weighted_coverage"] == pytest.approx(0.61333, abs=1e-5)
    assert {m["id"] for m in body["missing"]} == {
        "availability",
        "security_compliance",
        "terminal_use",
        "service_sessions",
        "satisfaction",
    }
