"""Satisfaction surveys: CSV (GBK, Chinese headers) and XLSX read with file:line errors; imported by the
real ``pdcs satisfaction import`` into InfluxDB and scored in the assessment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook

from inventory.load import load_inventory
from pdcs.storage import InfluxDB
from supervision.assessment import assess
from supervision.satisfaction import SurveyError, period_start, read_satisfaction, read_survey
from tests.support.cli import pdcs_argv, pdcs_env

GOOD = (
    "设施编号,调查期间,受访人数,满意度得分,满分\n"
    "jt-lib,2026-H1,200,90,100\njt-cc,2026-H1,100,75,100\njt-lib,2026-H2,300,95,100\n"
)


def test_period_forms() -> None:
    assert [str(period_start(p)) for p in ("2026", "2026-H2", "2026-Q3", "2026-05")] == [
        "2026-01-01",
        "2026-07-01",
        "2026-07-01",
        "2026-05-01",
    ]


def test_csv_in_gbk_with_chinese_headers(tmp_path: Path, examples_dir: Path) -> None:
    f = tmp_path / "满意度.csv"
    f.write_bytes(GOOD.encode("gbk"))
    rows = read_survey(f, load_inventory(examples_dir))
    assert [(r.facility, r.period, r.respondents, r.share) for r in rows] == [
        ("jt-lib", "2026-H1", 200, 0.9),
        ("jt-cc", "2026-H1", 100, 0.75),
        ("jt-lib", "2026-H2", 300, 0.95),
    ]


def test_every_problem_with_its_line(tmp_path: Path, examples_dir: Path) -> None:
    f = tmp_path / "survey.csv"
    f.write_text(
        "facility,period,respondents,score\n"
        "jt-lib,2026,120,4.5\n"
        "jt-nowhere,2026,10,4\n"
        "jt-cc,2026-13,0,6\n"
        "jt-lib,2026,50,x\n",
        encoding="utf-8",
    )
    inv = load_inventory(examples_dir)
    with pytest.raises(SurveyError) as err:
        read_survey(f, inv)
    assert err.value.problems == [f"{f}:1: header: state the scale: a 满分/scale_max column or --scale"]
    with pytest.raises(SurveyError) as err:
        read_survey(f, inv, scale_max=5)
    assert err.value.problems == [
        f"{f}:3: facility: unknown facility 'jt-nowhere'",
        f"{f}:4: period: '2026-13': month 13 does not exist",
        f"{f}:4: respondents: '0' is not a whole number > 0",
        f"{f}:4: score: 6 is outside the scale 0–5",
        f"{f}:5: score: 'x' is not a number",
        f"{f}:5: period: jt-lib 2026 already given on line 2",
    ]


def test_xlsx_rows_are_numbered_as_excel_shows_them(tmp_path: Path, examples_dir: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["facility", "period", "respondents", "score", "scale_max"])
    sheet.append(["jt-lib", "2026", 80, 4.2, 5])
    sheet.append(["jt-cc", "2026", "many", 4, 5])
    f = tmp_path / "survey.xlsx"
    book.save(f)
    with pytest.raises(SurveyError) as err:
        read_survey(f, load_inventory(examples_dir))
    assert err.value.problems == [f"{f}:3: respondents: 'many' is not a whole number > 0"]


def test_import_command_and_the_assessment(influx: InfluxDB, tmp_path: Path, examples_dir: Path) -> None:
    f = tmp_path / "survey.csv"
    f.write_text(GOOD, encoding="utf-8")
    args = ["-i", str(examples_dir), "--influx-url", influx.url, "--influx-db", influx.database]
    bad = tmp_path / "bad.csv"
    bad.write_text("facility,period\njt-lib,2026\n", encoding="utf-8")
    run = subprocess.run(
        pdcs_argv("satisfaction", "import", str(bad), *args), env=pdcs_env(), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1 and f"{bad}:1: header: no column respondents" in run.stderr
    run = subprocess.run(
        pdcs_argv("satisfaction", "import", str(f), *args), env=pdcs_env(), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "3 survey rows stored" in run.stdout
    surveys = read_satisfaction(influx, {"county": "510121"}, 2026)
    assert surveys["jt-lib"].respondents == 500 and surveys["jt-lib"].share == pytest.approx((180 + 285) / 500)
    inv = load_inventory(examples_dir)
    body = assess(influx, inv, "510121", 2026).region("510121")
    sat = next(i for i in body["data"] if i["id"] == "satisfaction")
    # respondent-weighted over the county: (0.9·200 + 0.75·100 + 0.95·300) / 600
    assert sat["value"] == pytest.approx((180 + 75 + 285) / 600)
    assert sat["score"] == pytest.approx(min(1, sat["value"] / 0.9) * 100)
    assert sat["inputs"]["facilities_with_data"] == 2
