"""The inspectors' page in headless Chromium: sign in with a token, pick a region and period, read, download."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from devstack.procs import require
from supervision_api.access.store import issue_token
from supervision_api.db.users import Role

from .conftest import Served


def wait_for_file(folder: Path, suffix: str, timeout_s: float = 60) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")


def test_sign_in_pick_read_download(served: Served, browser: webdriver.Chrome, tmp_path: Path) -> None:
    token = issue_token(served.state, "wang", Role.PROVINCE_INSPECTOR, "51")
    wait = WebDriverWait(browser, 60)

    browser.get(f"{served.url}/web/")
    wait.until(ec.presence_of_element_located((By.ID, "token")))
    assert browser.current_url.endswith("/web/login")
    assert "使用访问令牌登录" in browser.find_element(By.TAG_NAME, "body").text

    browser.find_element(By.ID, "token").send_keys("pdcs_00000000_" + "x" * 43)
    browser.find_element(By.ID, "signin").click()
    wait.until(ec.presence_of_element_located((By.ID, "error")))
    assert "令牌无效" in browser.find_element(By.ID, "error").text

    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "signin").click()
    wait.until(ec.presence_of_element_located((By.ID, "region")))
    assert "wang（省级检查员，四川省）" in browser.find_element(By.ID, "who").text
    options = [o.text for o in Select(browser.find_element(By.ID, "region")).options]
    assert any("金堂县" in o for o in options) and any("四川省" in o for o in options)
    assert not any("云南" in o or "富民" in o or "全国" in o for o in options)  # only what is in scope

    Select(browser.find_element(By.ID, "region")).select_by_value("510121")
    for field, value in (("start", "2026-11-02"), ("end", "2026-11-04")):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value)
    browser.find_element(By.ID, "show").click()
    wait.until(ec.presence_of_element_located((By.ID, "result")))

    result = browser.find_element(By.ID, "result").text
    assert "金堂县（510121）· 2026-11-02 至 2026-11-04" in result
    assert browser.find_element(By.ID, "coverage").text == "77.78%"
    for words in (
        "一、开放时段服务可用率",
        "设施服务可用率",
        "95.83%",  # 赵镇 (no data) no longer counted as not serving
        "二、出口带宽",
        "20.00 Mbps",
        "三、安全合规检查",
        "40.00%",
    ):
        assert words in result, words
    digest = browser.find_element(By.ID, "sha256").text
    assert len(digest) == 64

    shot = tmp_path / "inspector-page.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    browser.find_element(By.ID, "dl-pdf").click()
    pdf = wait_for_file(tmp_path / "downloads", ".pdf")
    assert pdf.name == "pdcs-report-510121-20261102-20261105.pdf"
    info = subprocess.run([require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"content_sha256={digest}" in info  # the figures seen are the figures downloaded
    browser.find_element(By.ID, "dl-xlsx").click()
    assert wait_for_file(tmp_path / "downloads", ".xlsx").stat().st_size > 1000

    # another county, typed into the address bar: refused
    browser.get(f"{served.url}/web/?region=53&start=2026-11-02&end=2026-11-04")
    assert "超出您的权限范围" in browser.find_element(By.ID, "error").text
    assert "result" not in browser.page_source

    # the page's downloads are on record
    admin = issue_token(served.state, "root", Role.ADMIN)
    log = httpx.get(
        f"{served.url}/audit-log?user=wang", headers={"Authorization": f"Bearer {admin}"}, timeout=10
    ).json()["data"]
    assert [(e["action"], e["details"].get("format")) for e in log if e["action"] == "report.pull"] == [
        ("report.pull", "xlsx"),
        ("report.pull", "pdf"),
    ]

    browser.find_element(By.CSS_SELECTOR, "header button").click()
    wait.until(ec.presence_of_element_located((By.ID, "token")))
    browser.get(f"{served.url}/web/")
    assert browser.current_url.endswith("/web/login")  # signed out
