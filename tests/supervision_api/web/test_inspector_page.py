"""The inspectors' pages in headless Chromium: a province inspector signs in, drills from the province to a
facility and back, reads figures that equal the API's, switches to English, downloads a report, and is refused
another province. Screenshots go to build/artefacts/web/ (kept by CI as artefacts)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from devstack.procs import require
from supervision_api.access.store import database_of, issue_token
from supervision_api.db import users
from supervision_api.db.users import Role
from tests.support.cli import REPO

from .conftest import Served

ARTEFACTS = REPO / "build" / "artefacts" / "web"
API_PERIOD = {"start": "2026-11-02T00:00:00+08:00", "end": "2026-11-05T00:00:00+08:00"}


def wait_for_file(folder: Path, suffix: str, timeout_s: float = 60) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")


def shot(browser: webdriver.Chrome, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def pct(v: float | None) -> str:
    return "无数据" if v is None else f"{v * 100:.2f}%"


def cell(browser: webdriver.Chrome, table: str, key: str, attr: str = "data-code") -> str:
    return browser.find_element(By.CSS_SELECTOR, f"#{table} tr[{attr}='{key}'] td.availability").text


def test_province_inspector_drills_down_and_back_in_both_languages(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    with database_of(served.state).session() as s:
        users.add_user(s, "wang", Role.PROVINCE_INSPECTOR, "51", "王检查员")
    token = issue_token(served.state, "wang", Role.PROVINCE_INSPECTOR, "51")
    facilities = served.state.inventory.facilities  # two facilities with WGS-84 coordinates: mapped
    for fid, (lat, lon) in {"jt-lib": (30.8618, 104.4156), "jt-wh": (30.8575, 104.4301)}.items():
        facilities[fid] = facilities[fid].model_copy(update={"lat": lat, "lon": lon})
    api = httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    wait = WebDriverWait(browser, 60)

    browser.get(f"{served.url}/web/")
    wait.until(ec.presence_of_element_located((By.ID, "token")))
    browser.find_element(By.ID, "token").send_keys("pdcs_00000000_" + "x" * 43)
    browser.find_element(By.ID, "signin").click()
    wait.until(ec.presence_of_element_located((By.ID, "error")))
    assert "令牌无效" in browser.find_element(By.ID, "error").text
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "signin").click()

    # the province's own page, this month to date by default
    wait.until(ec.presence_of_element_located((By.ID, "region")))
    assert "四川省（51）" in browser.find_element(By.ID, "result-title").text
    assert "王检查员（省级检查员，四川省）" in browser.find_element(By.ID, "who").text
    assert (browser.find_element(By.ID, "start").get_attribute("value") or "").endswith("-01")
    # the period of the worked data, through the form
    for field, value in (("start", "2026-11-02"), ("end", "2026-11-04")):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value)
    browser.find_element(By.ID, "show").click()
    wait.until(ec.presence_of_element_located((By.ID, "children")))
    province = api.get("/regions/51/availability", params=API_PERIOD).json()
    assert browser.find_element(By.ID, "head-availability").text == pct(province["availability"])
    for child in province["data"]:
        assert cell(browser, "children", child["code"]) == pct(child["availability"]), child
    shot(browser, "1-province")

    # province → city → county → facility
    for code in ("5101", "510121"):
        browser.find_element(By.CSS_SELECTOR, f"#children tr[data-code='{code}'] a.drill").click()
        wait.until(ec.url_contains(f"/web/region/{code}"))
    county = api.get("/regions/510121/availability", params=API_PERIOD).json()
    for child in county["data"]:
        assert cell(browser, "children", child["facility"]) == pct(child["availability"]), child
    wh = browser.find_element(By.CSS_SELECTOR, "#children tr[data-code='jt-wh'] td.availability")
    assert "warn" in (wh.get_attribute("class") or "")  # 91.67 %: between the rubric's 90 % and 99 %
    assert "停服" in browser.find_element(By.ID, "spans").text  # the outage list, its cause in Chinese
    assert browser.find_elements(By.CSS_SELECTOR, "#map canvas")  # the facilities with coordinates, mapped
    shot(browser, "2-county")
    browser.find_element(By.CSS_SELECTOR, "#children tr[data-code='jt-wh'] a.drill").click()
    wait.until(ec.url_contains("/web/facility/jt-wh"))
    wait.until(lambda b: b.execute_script("return window.pdcsTrendReady === true"))
    facility = api.get("/facilities/jt-wh/availability", params=API_PERIOD).json()
    assert browser.find_element(By.ID, "head-availability").text == pct(facility["availability"])
    for dev in facility["devices"]:
        assert cell(browser, "devices", dev["id"], "data-device") == pct(dev["availability"]), dev
    assert browser.find_elements(By.CSS_SELECTOR, "#trend canvas")  # ECharts drew the trend
    assert "金堂县文化馆" in browser.find_element(By.ID, "result-title").text
    shot(browser, "3-facility")

    # back up, then English
    browser.find_element(By.ID, "up").click()
    wait.until(ec.url_contains("/web/region/510121"))
    assert "金堂县" in browser.find_element(By.ID, "result-title").text
    browser.find_element(By.ID, "lang-switch").click()
    wait.until(ec.url_contains("lang=en"))
    body = browser.find_element(By.TAG_NAME, "body").text
    for words in ("Public Digital Culture Supervision", "Availability (opening hours)", "province inspector"):
        assert words in body, words
    assert "开放时段可用率" not in body
    for child in county["data"]:
        assert cell(browser, "children", child["facility"]).replace("no data", "无数据") == pct(child["availability"])
    shot(browser, "4-county-en")

    # on a phone: the table scrolls inside its box, the page itself does not
    browser.set_window_size(390, 844)
    browser.refresh()
    wait.until(ec.presence_of_element_located((By.ID, "children")))
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(browser, "5-phone")
    browser.set_window_size(1280, 1600)

    # a report downloaded from the page is the report of the figures seen
    browser.find_element(By.ID, "dl-pdf").click()
    pdf = wait_for_file(tmp_path / "downloads", ".pdf")
    assert pdf.name == "pdcs-report-510121-20261102-20261105.pdf"
    info = subprocess.run([require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "王检查员" in info  # the author: the signed-in display name

    # another province, typed into the address bar: refused
    browser.get(f"{served.url}/web/region/53?start=2026-11-02&end=2026-11-04")
    assert "超出您的权限范围" in browser.find_element(By.ID, "error").text
    assert not browser.find_elements(By.ID, "children")

    browser.get(f"{served.url}/web/")
    browser.find_element(By.CSS_SELECTOR, "header button").click()
    wait.until(ec.presence_of_element_located((By.ID, "token")))
    browser.get(f"{served.url}/web/")
    assert browser.current_url.endswith("/web/login")  # signed out
