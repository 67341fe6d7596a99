"""Reports over the worked scenario (conftest): figures by hand, coverage, determinism, the hash in every format."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

from openpyxl import load_workbook

from inventory.models import Inventory
from pdcs.storage import InfluxDB
from reports import render
from reports.content import Report, Value
from reports.gather import build_report
from reports.hashing import verify_json
from supervision import answers
from supervision.periods import Period

from .conftest import END, PERIOD, START


def headline(report: Report, section: str) -> dict[str, object]:
    sec = next(s for s in report.sections if s.key == section)
    return {h.label: h.value for h in sec.headline}


def table(report: Report, key: str) -> list[list[Value]]:
    return next(t.rows for s in report.sections for t in s.tables if t.key == key)


def test_figures_worked_by_hand(scenario: InfluxDB, inventory: Inventory) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    assert rep.region == {"code": "510121", "name": "金堂县", "level": "county"}
    assert rep.period["days"] == 3.0
    assert rep.coverage["devices"] == 9 and rep.coverage["devices_with_data"] == 7
    assert rep.coverage["share"] == 0.7778

    av = headline(rep, "availability")
    # Was 63.89 with 赵镇's unmonitored time counted as not serving, and 赵镇 shown as 0 %.
    assert av["设施服务可用率"] == 95.83
    assert av["数据覆盖率"] == 66.67
    assert av["计划服务时长"] == 72.0 and av["停服时长"] == 2.0 and av["无数据时长"] == 24.0
    assert av["停服次数"] == 1  # jt-wh on Monday morning; 赵镇's silence is no outage
    rows = {r[0]: r for r in table(rep, "availability")}
    assert rows["jt-lib"][7] == 100.0 and rows["jt-wh"][7] == 91.67 and rows["jt-zhaozhen"][7] == "无数据"
    assert rows["jt-zhaozhen"][6] == 0.0  # coverage 0 %
    assert rows["jt-wh"][1] == "金堂县文化馆"
    assert [r[4] for r in table(rep, "no_data")] == ["赵镇综合文化服务中心"]
    assert [r[0] for r in table(rep, "sources")] == ["raw"]

    bw = headline(rep, "bandwidth")
    assert bw["平均入速率"] == 20.0 and bw["平均出速率"] == 5.0 and bw["P95 利用率"] == 20.0

    sec = headline(rep, "security")
    assert sec["检查项（设备×检查）"] == 5 and sec["通过率"] == 40.0 and sec["未通过的高危/严重项"] == 2
    assert table(rep, "security_items") == [
        ["未对应等保条款（良好实践）", "2", 1, 0, 1, 0.0],
        ["8.1.4.1 身份鉴别", "2", 2, 1, 1, 50.0],
        ["8.1.4.2 访问控制", "2", 1, 0, 1, 0.0],
        ["8.1.4.3 安全审计", "2", 1, 1, 0, 100.0],
    ]
    failed = table(rep, "security_failed")
    assert [r[0] for r in failed] == ["jt-lib-sw1", "jt-wh-sw1", "jt-wh-sw1"]  # not dy-lib-sw1 (another county)
    assert failed[0][1:] == [
        "SSH使用第2版协议",
        "高",
        "8.1.4.1 身份鉴别",
        '配置中缺少要求的内容；整改：全局配置 "ip ssh version 2"，禁用存在已知缺陷的 SSHv1。',
    ]
    assert failed[1][4] == "配置了不允许的内容：“snmp-server community public RO”。"

    assert headline(rep, "grading") == {"已申报定级的设施": 1, "已测评设施": 1, "平均得分": 50.0, "高风险项": 1}
    assert table(rep, "grading") == [["jt-lib", "金堂县图书馆", "第二级", 50.0, "2/11", "差"]]

    # the assessment section is the figures package's answer for the year the period ends in
    expected = answers.assessment(scenario, inventory, "510121", 2026, "zh")
    asm = headline(rep, "assessment")
    assert asm["考核年度"] == 2026 and asm["已计分指标"] == f"{expected['indicators_scored']}/{expected['indicators']}"
    # No roll-ups in this scenario: the assessment is withheld (数据不足), not shown as a number.
    assert expected["status"] == "insufficient_data"
    assert asm["考核总分"] == expected["status_text"]["zh"]
    no_data = [r for r in table(rep, "assessment") if r[3] is None]
    assert no_data and all(r[6] for r in no_data)  # indicators without data say so, and score nothing
    assert any("÷" in str(r[2]) and "小时" in str(r[2]) for r in table(rep, "assessment"))  # inputs in words
    assert all(s.method for s in rep.sections)


def test_same_inputs_same_hash(scenario: InfluxDB, inventory: Inventory) -> None:
    a = build_report(scenario, inventory, "510121", PERIOD, "zh")
    b = build_report(scenario, inventory, "510121", PERIOD, "zh")
    b.generated_at, b.generated_by = "2030-01-01T00:00:00+00:00", "someone"
    assert a.content_sha256 == b.content_sha256 and len(a.content_sha256) == 64
    assert render(a, "json").body != render(b, "json").body  # the stamp differs, the content does not
    assert verify_json(json.loads(render(b, "json").body))
    tampered = json.loads(render(b, "json").body)
    tampered["coverage"]["devices_with_data"] = 9
    assert not verify_json(tampered)
    shorter = build_report(scenario, inventory, "510121", Period(START, END - timedelta(days=1)), "zh")
    assert shorter.content_sha256 != a.content_sha256
    assert build_report(scenario, inventory, "510121", PERIOD, "en").content_sha256 != a.content_sha256


def test_every_format_carries_the_hash(scenario: InfluxDB, inventory: Inventory) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    rep.generated_at = "2026-11-25T02:00:00+00:00"
    digest = rep.content_sha256

    doc = json.loads(render(rep, "json").body)
    assert doc["content_sha256"] == digest and doc["hash_method"].startswith("SHA-256")

    with zipfile.ZipFile(io.BytesIO(render(rep, "csv").body)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    assert all(body.startswith("\ufeff".encode()) for body in files.values())  # a BOM, so Excel reads UTF-8
    tables = {n: list(csv.reader(io.StringIO(b.decode("utf-8-sig")))) for n, b in files.items()}
    summary = tables.pop(min(tables))
    assert summary[-2] == ["content_sha256", digest]
    assert ["jt-wh", "金堂县文化馆", "24.0", "22.0", "2.0", "0.0", "100.0", "91.67"] in next(iter(tables.values()))
    assert all(len(set(map(len, rows[:1]))) == 1 for rows in tables.values())  # one table per file

    wb = load_workbook(io.BytesIO(render(rep, "xlsx").body))
    assert wb.properties.identifier == digest
    assert wb["校验"]["B1"].value == digest
    assert wb["下级区划／设施可用率"]["B2"].value == "名称"

    pdf = render(rep, "pdf").body
    assert pdf.startswith(b"%PDF") and digest.encode() in pdf  # in the metadata (subject/keywords)
