"""A database holding a week of collector output for the example county (loaded once per session)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.history import write_week
from devstack.influxdb import InfluxServer
from inventory.load import load_inventory
from inventory.models import Inventory
from pdcs.settings import RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION
from pdcs.storage import InfluxDB

STEP_S = 600


@dataclass(frozen=True)
class Week:
    db: InfluxDB
    inventory: Inventory
    end_s: int
    points: int


@pytest.fixture(scope="session")
def example_inventory(examples_dir: Path) -> Inventory:
    return load_inventory(examples_dir)


@pytest.fixture(scope="session")
def week(influx_server: InfluxServer, example_inventory: Inventory) -> Iterator[Week]:
    db = InfluxDB(url=influx_server.url, database=f"week_{uuid.uuid4().hex[:10]}", retries=1, backoff_s=0.05)
    db.ensure_database([(RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False)])
    end_s = int(time.time())
    written = write_week(db, example_inventory, end_s, step_s=STEP_S)
    yield Week(db, example_inventory, end_s, written)
    try:
        db.execute(f'DROP DATABASE "{db.database}"')
    finally:
        db.close()
