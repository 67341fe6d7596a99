"""The API served by a real uvicorn on a free loopback port, and a headless Chromium driven by selenium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from devstack.procs import free_port
from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.app import create_app
from supervision_api.state import AppState
from tests.reports.conftest import scenario  # noqa: F401  (the worked data)

CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1600",
    "--lang=zh-CN",
)


@dataclass
class Served:
    url: str
    state: AppState


@pytest.fixture
def served(scenario: InfluxDB, inventory: Inventory) -> Iterator[Served]:  # noqa: F811
    settings = Settings(influx_url=scenario.url, influx_db=scenario.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=settings, inventory=inventory, influx=scenario)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield Served(url, state)
    server.should_exit = True
    thread.join(timeout=10)
    state.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        opts.add_argument(flag)
    opts.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()
